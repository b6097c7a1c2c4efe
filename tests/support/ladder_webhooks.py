"""The real SMS and Telegram webhooks in a process of their own (Sanic 21.12 starts
one app a process), for the tests of the circle of care's answers: Rasa is replaced
by a recorder (what reaches the dialogue is pushed, as JSON, to the Redis list
``{prefix}:test:dialogue``) and the service's clock reads the file the test moves.

    python -m tests.support.ladder_webhooks --port 8123 --clock /tmp/clock

The channels' settings come from the environment (Twilio and Telegram test
credentials, ``PUBLIC_URL``, ``LIEN_KEY_PREFIX``), as in production.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import redis.asyncio as aioredis
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.core import clock
from bot.core.config import load_settings
from channels.sms import SmsInput, SmsSettings
from channels.telegram import TelegramInput, TelegramSettings


def file_clock(path: Path):
    """``clock.now`` as the test sets it (the wall clock until it does)."""

    def now() -> float:
        try:
            return float(path.read_text(encoding="ascii"))
        except (OSError, ValueError):
            return time.time()

    return now


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clock", type=Path, required=True)
    args = parser.parse_args()
    clock.now = file_clock(args.clock)
    settings = load_settings()
    dialogue_key = f"{settings.key_prefix}:test:dialogue"
    recorder = aioredis.from_url(settings.redis_url or "redis://127.0.0.1:6379/0")

    async def on_new_message(message: UserMessage) -> None:
        await recorder.rpush(dialogue_key, json.dumps(
            {"sender_id": message.sender_id, "text": message.text}))

    app = Sanic("ladder_webhooks")
    app.blueprint(SmsInput(SmsSettings.from_env()).blueprint(on_new_message),
                  url_prefix="/webhooks/sms")
    app.blueprint(TelegramInput(TelegramSettings.from_env()).blueprint(on_new_message),
                  url_prefix="/webhooks/telegram")
    app.run(host="127.0.0.1", port=args.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
