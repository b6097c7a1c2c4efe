"""SMS out, through the Twilio REST API: the part of the SMS channel without Rasa.

The dialogue's answers go through ``channels.sms.SmsOutput`` (this sender as
Rasa's output channel); the worker and the console send through this module
directly (``bot/delivery.py``), so the console runs in its own environment
without Rasa (README, "Dependencies").

Twilio's asyncio client (created inside the running loop), GSM-7 text cut at
sentence boundaries, buttons as numbered choices whose digits map back to the
payloads, sends paced per number, retried only when Twilio says it created
nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text, Tuple

from redis.exceptions import RedisError

from bot.core.config import load_settings
from bot.core.keys import SmsKeys
from bot.core.phone import mask
from bot.core.redisx import Pacer
from bot.core.sms_text import split_segments, split_with_choices
from channels.sms_format import numbered_choices

logger = logging.getLogger(__name__)

SENDER_PREFIX = "sms:"


@dataclass(frozen=True)
class SmsSettings:
    """The SMS channel's settings, from the environment."""

    account_sid: str
    auth_token: str
    from_number: str
    api_url: str
    public_url: str
    max_segments: int
    rate_per_second: float

    @property
    def status_callback_url(self) -> Optional[str]:
        """Where Twilio reports delivery (None without a public URL)."""
        return f"{self.public_url}/webhooks/sms/status" if self.public_url else None

    @property
    def enabled(self) -> bool:
        """Whether Twilio credentials are there."""
        return bool(self.account_sid and self.auth_token and self.from_number)

    @classmethod
    def from_env(cls) -> "SmsSettings":
        """Read the settings once."""
        settings = load_settings()
        sms = settings.sms
        return cls(
            account_sid=sms.account_sid, auth_token=sms.auth_token,
            from_number=sms.from_number, api_url=sms.api_url,
            public_url=settings.public_url, max_segments=sms.max_segments,
            rate_per_second=sms.rate_per_second,
        )


# One in-process pacer per sending number and rate (bot.core.redisx.Pacer).
_PACERS: Dict[Tuple[str, float], Pacer] = {}


def _pacer(number: str, rate: float) -> Pacer:
    """The pacer spacing the sends from ``number`` to at most ``rate`` a second."""
    return _PACERS.setdefault((number, rate), Pacer(rate))


class SmsSender:
    """Sends messages as SMS through the Twilio REST API."""

    @classmethod
    def name(cls) -> Text:
        """Channel name."""
        return "sms"

    def __init__(self, settings: SmsSettings, redis: Any, prefix: str) -> None:
        """Keep the settings; the Twilio client is made in the running loop."""
        self.settings = settings
        self.redis = redis
        self.prefix = prefix
        self._client = None

    def _twilio(self):
        if self._client is None:
            from twilio.http.async_http_client import AsyncTwilioHttpClient
            from twilio.rest import Client

            client = Client(
                self.settings.account_sid,
                self.settings.auth_token,
                http_client=AsyncTwilioHttpClient(),
            )
            client.api.base_url = self.settings.api_url
            self._client = client
        return self._client

    @staticmethod
    def _number(recipient_id: Text) -> Text:
        return recipient_id[len(SENDER_PREFIX):] if recipient_id.startswith(
            SENDER_PREFIX
        ) else recipient_id

    async def _send(self, recipient_id: Text, text: Text,
                    pieces: Optional[List[str]] = None) -> None:
        number = self._number(recipient_id)
        for segment in pieces or split_segments(text, self.settings.max_segments):
            await _pacer(self.settings.from_number, self.settings.rate_per_second).wait()
            sid = await self._create_with_retry(number, segment)
            logger.info("sms sent sid=%s to=%s", sid, mask(number))

    async def _create_with_retry(self, number: str, body: str) -> str:
        """Create the message; retry only answers that say it was not created.

        429 and 503 mean Twilio refused the request; 500 from Twilio's edge
        means it was not accepted either. A timeout is not retried: the
        message may exist, and sending twice is worse than once late.
        """
        from twilio.base.exceptions import TwilioRestException

        delay = 0.5
        for attempt in range(1, 6):
            try:
                message = await self._twilio().messages.create_async(
                    to=number,
                    from_=self.settings.from_number,
                    body=body,
                    status_callback=self.settings.status_callback_url,
                )
                return message.sid
            except TwilioRestException as error:
                if error.status not in (429, 500, 502, 503) or attempt == 5:
                    raise
                logger.warning("twilio answered %s, retry %d in %.1fs",
                               error.status, attempt, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 8)
        raise RuntimeError("unreachable")

    async def send_text_message(
        self, recipient_id: Text, text: Text, **kwargs: Any
    ) -> None:
        """Send a text, cut into SMS segments.

        The choices of an earlier message are forgotten: a "1" or a "oui" answers
        the latest message only.
        """
        try:
            await self.redis.delete(SmsKeys(self.prefix).buttons(recipient_id))
        except (RedisError, OSError):
            pass  # the text matters more than forgetting old choices
        await self._send(recipient_id, text)

    async def send_text_with_buttons(
        self,
        recipient_id: Text,
        text: Text,
        buttons: List[Dict[Text, Any]],
        **kwargs: Any,
    ) -> None:
        """Send a text with its choices numbered; remember them for the reply."""
        await self.redis.set(
            SmsKeys(self.prefix).buttons(recipient_id), json.dumps(buttons), ex=7 * 86400
        )
        await self._send(recipient_id, text, split_with_choices(
            text, numbered_choices(buttons), self.settings.max_segments))
