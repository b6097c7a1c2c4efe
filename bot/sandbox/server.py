"""One local server for both providers: ``/twilio/…``, ``/telegram/…`` and ``/_messages``.

``/twilio`` is the Twilio stand-in (``TWILIO_API_URL``), ``/telegram`` the Bot API
stand-in (``TELEGRAM_API_URL``), each with its own controls (``/twilio/_messages``,
``/telegram/_calls``…). ``GET /_messages`` lists every message sent through
either, oldest first::

    {"channel": "sms" | "telegram", "to": "+33…" | "123", "text": "…",
     "buttons": ["…"], "ts": 1733000000.0}
"""

from __future__ import annotations

import argparse
from typing import Any, Dict, List

from aiohttp import web

from bot.sandbox import TELEGRAM_TOKEN, TWILIO_TOKEN, telegram_api, twilio_api

def _buttons(params: Dict[str, Any]) -> List[str]:
    markup = params.get("reply_markup") or {}
    rows = (markup.get("inline_keyboard") or []) if isinstance(markup, dict) else []
    return [str(button.get("text", "")) for row in rows for button in row
            if isinstance(button, dict)]


def sent(app: web.Application) -> List[Dict[str, Any]]:
    """Every SMS and Telegram message sent to the sandbox, oldest first."""
    twilio = app[twilio_api.STATE]
    messages = [
        {"channel": "sms", "to": message.get("to") or "", "text": message.get("body") or "",
         "buttons": [], "ts": ts}
        for message, ts in zip(twilio["messages"], twilio["received_ts"])
    ]
    for call in app[telegram_api.STATE]["calls"]:
        if call["method"] != "sendMessage":
            continue
        params = call["params"]
        messages.append({"channel": "telegram", "to": str(params.get("chat_id", "")),
                         "text": str(params.get("text", "")),
                         "buttons": _buttons(params), "ts": call.get("ts", 0.0)})
    return sorted(messages, key=lambda message: message["ts"])


async def list_sent(request: web.Request) -> web.Response:
    """``GET /_messages``."""
    return web.json_response(sent(request.app))


def make_app(twilio_token: str = TWILIO_TOKEN,
             telegram_token: str = TELEGRAM_TOKEN) -> web.Application:
    """Both stand-ins under one address."""
    app = web.Application()
    twilio_api.add_routes(app, twilio_token, "/twilio")
    telegram_api.add_routes(app, telegram_token, "/telegram")
    app.router.add_get("/_messages", list_sent)
    return app


def main(argv: Any = None) -> None:
    """``python -m bot.sandbox --port P``: serve until stopped, no access log."""
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    web.run_app(make_app(), host="127.0.0.1", port=args.port, print=None,
                access_log=None)
