"""What the features need from the outside, as Protocols: they never import a channel.

The worker hands a check-in, a reminder or an alert to a ``Delivery`` (through
Rasa, or straight to the provider: ``bot/delivery.py``); a ``Output`` is one
channel's sender (``channels/sms.py``, ``channels/telegram.py``). Features type
their parameters with these and receive the real objects from the worker, the
console or the tests.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Protocol, TypeAlias

from redis.asyncio import Redis

from bot.core.records import Person

#: The Redis client every feature is handed (``redis.asyncio.Redis``, replies as bytes).
RedisClient: TypeAlias = Redis


class DeliveryError(Exception):
    """The message was certainly not handed over (safe to retry)."""


class Output(Protocol):
    """One channel's sender (Rasa's ``OutputChannel`` shape)."""

    async def send_text_message(self, recipient_id: str, text: str,
                                **kwargs: Any) -> None:
        """Send ``text`` to ``recipient_id`` on this channel."""


class Delivery(Protocol):
    """Hands a message for a person to Rasa or to the person's channel."""

    async def send(self, person_id: str, person: Person, intent: str,
                   text: str) -> None:
        """Send (raises ``DeliveryError`` when it certainly did not go)."""

    async def delivered_since(self, person_id: str, intent: str,
                              since: float) -> Optional[bool]:
        """Whether ``intent`` reached the conversation after ``since`` (None: unknown)."""


class DirectOutputs(Delivery, Protocol):
    """A delivery that also gives each channel's output (alerts, reminders)."""

    def output(self, channel: str) -> Output:
        """The output of ``channel``."""


class JobContext(Protocol):
    """What a worker job receives (the worker itself): arq's ``ctx``, typed."""

    redis: RedisClient
    prefix: str
    token: str
    now: Callable[[], float]
    settings: Any
    stats: Any
    delivery: Delivery

    def alert_output(self) -> DirectOutputs:
        """The direct delivery for alerts and reminders."""

    def rasa_delivery(self) -> Delivery:
        """The delivery through Rasa (domain responses with buttons)."""
