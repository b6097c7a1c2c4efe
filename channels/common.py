"""Plumbing the channels share: Redis, and processing each provider message once."""

from __future__ import annotations

import logging
from typing import Any, Optional

import redis.asyncio as aioredis

from bot.config import load_settings

logger = logging.getLogger(__name__)

NEW, IN_PROGRESS, DONE = "new", "in_progress", "done"


def channel_redis() -> tuple:
    """The Redis client and key prefix a channel uses."""
    settings = load_settings()
    client = aioredis.from_url(settings.redis_url or "redis://127.0.0.1:6379/0")
    return client, settings.key_prefix


class ProcessedOnce:
    """Claims a provider's message id (MessageSid, update_id) so it runs once.

    A claim lasts ``lease`` seconds while the message is processed, then a day
    once done. A process killed mid-way lets the lease expire, so a resent
    message is processed again instead of being lost.
    """

    def __init__(self, redis: Any, prefix: str, kind: str, lease: int = 120) -> None:
        """Keys are ``{prefix}:{kind}:{id}``."""
        self.redis, self.prefix, self.kind, self.lease = redis, prefix, kind, lease

    def key(self, message_id: str) -> str:
        """The claim's key."""
        return f"{self.prefix}:{self.kind}:{message_id}"

    async def claim(self, message_id: str) -> str:
        """NEW (yours to process), IN_PROGRESS (elsewhere, for now) or DONE."""
        key = self.key(message_id)
        if await self.redis.set(key, "processing", nx=True, ex=self.lease):
            return NEW
        return IN_PROGRESS if await self.redis.get(key) == b"processing" else DONE

    async def release(self, message_id: str) -> None:
        """Give the message back (processing failed): a resend will run it."""
        await self.redis.delete(self.key(message_id))

    def done_in(self, pipe: Any, message_id: str) -> None:
        """Mark the message done, inside the caller's pipeline."""
        pipe.set(self.key(message_id), "done", ex=86400)

    async def done(self, message_id: str) -> None:
        """Mark the message done."""
        await self.redis.set(self.key(message_id), "done", ex=86400)


def typed_text(text: str) -> str:
    """What a person typed, never read as an intent.

    Rasa reads a message that starts with ``/`` as ``/intent{entities}`` and
    skips the NLU, risk detection included: ``/opt_out`` typed by anyone would
    opt them out. Leading slashes are dropped; buttons reach Rasa as payloads
    through their own path (SMS digits, Telegram callbacks).
    """
    if text.lstrip().startswith("/"):
        return text.lstrip().lstrip("/").lstrip()
    return text


_PAYLOADS: set = set()


def button_payload(data: str) -> Optional[str]:
    """``data`` when it is the payload of one of the domain's buttons, else None."""
    if not _PAYLOADS:
        import yaml

        from bot.config import PROJECT_ROOT

        domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
        for variants in (domain.get("responses") or {}).values():
            for variant in variants or []:
                for button in variant.get("buttons") or []:
                    _PAYLOADS.add(str(button.get("payload")))
    return data if data in _PAYLOADS else None


def live_key(prefix: str, sender_id: str) -> str:
    """The stream a listener's console reads a taken-over conversation from."""
    return f"{prefix}:live:{sender_id}"


async def publish_if_taken_over(redis: Any, prefix: str, sender_id: str, text: str,
                                channel: str) -> bool:
    """During a human takeover, the person's message also goes to the console, live.

    Rasa still receives it (the conversation is paused: it is recorded, risk is
    still detected and escalated, nothing is answered).
    """
    import time

    if not await redis.exists(f"{prefix}:takeover:{sender_id}"):
        return False
    await redis.xadd(live_key(prefix, sender_id),
                     {"from": "person", "text": text[:5000], "channel": channel,
                      "ts": f"{time.time():.3f}"}, maxlen=1000, approximate=True)
    return True


async def escalate_on_arrival(redis: Any, prefix: str, sender_id: str, text: str,
                              channel: str, message_id: str) -> bool:
    """A message the risk lexicon matches is escalated as it arrives.

    Under load a message waits for the NLU and dialogue of other people's
    messages; its alert must not. The NLU's RiskDetector finds the same lexicon
    match later, and the action and the tracker store write the same escalation
    (same person, same message id): the first write wins, the others are
    no-ops. Risks only the classifier sees still go through the NLU. Never
    raises: the NLU path stays the safety net.
    """
    from bot.escalation import Escalation, record_or_spool
    from bot.risk import load_lexicon

    try:
        found = load_lexicon().match(text)
        if found is None or found.level == "watch":
            # The uncertain band is the NLU's to judge (it may find it clear).
            return False
        escalation = Escalation(
            sender_id=sender_id, category=found.category, level=found.level,
            channel=channel, source="lexicon", intent=found.intent,
            pattern=found.pattern_id, message_id=message_id, text=text,
            recorded_by="channel")
        spool = load_settings().var_dir / "spool" / "escalations.jsonl"
        await record_or_spool(redis, escalation, prefix, spool)
        return True
    except Exception:  # noqa: BLE001 - the NLU path records it all the same
        logger.exception("early escalation failed; left to the NLU path")
        return False
