"""``python -m bot telegram``: Telegram administration."""

from __future__ import annotations

import argparse
import asyncio

from bot.core.wording import say
from channels.telegram import TelegramSettings, set_webhook


def telegram_set_webhook(_: argparse.Namespace) -> int:
    """Register PUBLIC_URL's Telegram webhook with its secret token."""
    settings = TelegramSettings.from_env()
    if not settings.enabled or not settings.public_url:
        print(say("run.telegram_missing"))
        return 2
    ok = asyncio.run(set_webhook(settings))
    outcome = say("run.telegram_ok") if ok else say("run.telegram_refused")
    print(say("run.telegram_done", outcome=outcome, url=settings.webhook_url))
    return 0 if ok else 1
