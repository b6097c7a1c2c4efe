"""How a message for a person leaves the service: through Rasa, or straight to the
provider. The worker and the console choose one; features see only the
``Delivery`` Protocol (``bot/core/ports.py``).

- ``RasaDelivery``: Rasa's ``trigger_intent`` on the person's channel, so the
  answer lands in context (check-ins, the consent question, reminders).
- ``DirectDelivery``: the channel's output class, loaded by dotted path from
  ``OUTPUTS``, sends it; the tracker store adds a check-in to the conversation
  at the person's next message (``{p}:checkin:unrecorded:{id}``). Alerts and
  reminders to volunteers always go this way.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from typing import Any, Dict, Optional

import aiohttp

from bot.core import clock
from bot.core.config import load_settings
from bot.core.ports import DeliveryError
from bot.core.records import Person
from bot.people.registry import Keys

# A hand-off to Rasa gives up after this; CHECKIN_SETTLE_SECONDS must exceed it.
REQUEST_TIMEOUT = 60

# The channels' senders, by dotted path: the features never import a channel,
# and the senders import neither Rasa nor Sanic (the console runs without them).
# Each entry: (module, output class, settings class).
OUTPUTS = {
    "sms": ("channels.sms_send", "SmsSender", "SmsSettings"),
    "telegram": ("channels.telegram_send", "TelegramSender", "TelegramSettings"),
}


def _channel_class(channel: str, index: int) -> Any:
    module, *names = OUTPUTS[channel]
    return getattr(importlib.import_module(module), names[index])


class RasaDelivery:
    """Check-ins through Rasa's trigger_intent, on the person's channel."""

    OUTPUT = {"sms": "sms", "telegram": "telegram"}

    def __init__(self, rasa_url: str, token: Optional[str] = None) -> None:
        self.rasa_url = rasa_url.rstrip("/")
        # Rasa's API always requires its token (bot/rasa/server.py).
        self.token = load_settings().rasa_token if token is None else token
        self._session: Optional[aiohttp.ClientSession] = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(limit=64),
            )
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()

    def _params(self, channel: str) -> Dict[str, str]:
        params = {"output_channel": self.OUTPUT.get(channel, "latest")}
        if self.token:
            params["token"] = self.token
        return params

    async def send(self, person_id: str, person: Person, intent: str,
                   text: str) -> None:
        """Trigger the intent; Rasa utters ``text`` on the person's channel."""
        url = f"{self.rasa_url}/conversations/{person_id}/trigger_intent"
        body: Dict[str, Any] = {"name": intent}
        if text:
            body["entities"] = {"checkin_text": text}
        try:
            async with self._http().post(
                url, json=body, params=self._params(person.get("channel", ""))
            ) as reply:
                if reply.status >= 400:
                    detail = (await reply.text())[:200]
                    raise DeliveryError(f"rasa answered {reply.status}: {detail}")
        except aiohttp.ClientConnectorError as error:
            raise DeliveryError(str(error)) from error

    async def delivered_since(self, person_id: str, intent: str, since: float) -> Optional[bool]:
        """Whether the conversation holds ``intent`` after ``since`` (None: unknown)."""
        url = f"{self.rasa_url}/conversations/{person_id}/tracker"
        params = {"include_events": "AFTER_RESTART"}
        if self.token:
            params["token"] = self.token
        try:
            async with self._http().get(url, params=params) as reply:
                if reply.status != 200:
                    return None
                tracker = await reply.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return None
        for event in tracker.get("events") or []:
            if (event.get("event") == "user"
                    and (event.get("parse_data") or {}).get("intent", {}).get("name") == intent
                    and float(event.get("timestamp") or 0) >= since - 5):
                return True
        return False


class DirectDelivery:
    """Check-ins handed to the provider by the worker; Rasa learns of them later.

    The tracker store adds the check-in to the conversation when the person next
    writes (``{p}:checkin:unrecorded:{id}``), so the answer is still in context.
    """

    def __init__(self, redis: Any, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self.keys = Keys(prefix)
        self._outputs: Dict[str, Any] = {}
        # Import the providers' clients now, not in the middle of a wave (an
        # import blocks the event loop for most of a second).
        importlib.import_module("twilio.rest")
        importlib.import_module("telegram")

    def output(self, channel: str) -> Any:
        """The channel's output (SMS or Telegram), made once."""
        if channel not in self._outputs:
            if channel not in OUTPUTS:
                raise DeliveryError(f"no direct output for channel {channel!r}")
            output_class = _channel_class(channel, 0)
            settings = _channel_class(channel, 1).from_env()
            if channel == "sms":
                self._outputs[channel] = output_class(settings, self.redis, self.prefix)
            else:
                self._outputs[channel] = output_class(settings)
        return self._outputs[channel]

    async def warm(self) -> None:
        """Build the SMS client before the first wave (its first use imports a lot)."""
        if _channel_class("sms", 1).from_env().enabled:
            _ = self.output("sms")._twilio().messages

    async def close(self) -> None:
        """Close the providers' HTTP sessions."""
        sms = self._outputs.get("sms")
        client = getattr(sms, "_client", None)
        if client is not None and hasattr(client.http_client, "close"):
            await client.http_client.close()

    async def send(self, person_id: str, person: Person, intent: str,
                   text: str) -> None:
        """Send, then leave the check-in for the conversation to pick up."""
        output = self.output(person.get("channel", ""))
        try:
            await output.send_text_message(person_id, text)
        except Exception as error:  # noqa: BLE001 - provider errors vary by library
            status = getattr(error, "status", None)
            if status is not None and int(status) < 500 or status in (500, 502, 503):
                raise DeliveryError(str(error)) from error
            raise
        record = {"intent": intent, "text": text, "ts": clock.now()}
        await self.redis.set(self.keys.unrecorded(person_id), json.dumps(record),
                             ex=2 * 86400)

    async def delivered_since(self, person_id: str, intent: str, since: float) -> Optional[bool]:
        """Unknown once handed to a provider without an answer: never re-send."""
        raw = await self.redis.get(self.keys.unrecorded(person_id))
        if raw and json.loads(raw).get("ts", 0) >= since:
            return True
        return None


def rasa_delivery() -> RasaDelivery:
    """Rasa at the configured address, with the API token of the environment."""
    settings = load_settings()
    return RasaDelivery(settings.rasa_url, settings.rasa_token)


def make_delivery(kind: str, redis: Any, prefix: str) -> Any:
    """The delivery the settings ask for ("direct" or "rasa")."""
    if kind == "direct":
        return DirectDelivery(redis, prefix)
    return rasa_delivery()
