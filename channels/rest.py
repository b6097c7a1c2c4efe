"""The REST channel behind the same secret as Rasa's API (``RASA_TOKEN``).

Rasa's own ``rest`` channel takes any sender id from anyone: whoever reaches it
could talk as a person, opt them out or fill their conversation. This one serves
the terminal chat, the tests and trusted tools only: it answers 401 without the
token (``?token=`` or ``Authorization: Bearer``), and it refuses the sender ids
of the SMS and Telegram channels, so that nobody speaks for a real person.
``REST_CHANNEL=off`` turns it off entirely (403).
"""

from __future__ import annotations

import hmac
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.core.config import load_settings

PERSON_PREFIXES = ("sms:", "telegram:")


def _token_of(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return str(request.args.get("token") or "")


class TokenRestInput(RestInput):
    """Rasa's REST channel, authenticated; named ``rest`` like Rasa's."""

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Rasa's REST routes, each request checked first."""
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def authenticate(request: Request) -> Any:
            if request.path.rstrip("/").endswith("/webhooks/rest"):
                return None  # the channel's health route
            settings = load_settings()
            if settings.rest_channel == "off":
                return response.json({"error": "rest channel off"}, status=403)
            expected = settings.rasa_token
            given = _token_of(request)
            if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
                return response.json({"error": "unauthorized"}, status=401)
            try:
                sender = str((request.json or {}).get("sender") or "")
            except Exception:  # noqa: BLE001 - Rasa's handler answers bad JSON
                sender = ""
            if sender.startswith(PERSON_PREFIXES):
                return response.json({"error": "sender reserved"}, status=403)
            return None

        return blueprint
