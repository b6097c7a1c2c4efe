"""Plumbing the channels share: Redis, and processing each provider message once."""

from __future__ import annotations

import json
import logging
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Optional

import redis.asyncio as aioredis
import yaml

from bot.core.config import PROJECT_ROOT, load_settings
from bot.core.keys import Keys, live_key, processed_key
from bot.core.language import detect_language
from bot.safety.escalation import Escalation, record_or_spool, replay_spool, spool_escalation
from bot.safety.risk import load_lexicon
from bot.core.wording import load

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
        return processed_key(self.prefix, self.kind, message_id)

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


@lru_cache(maxsize=1)
def _domain_responses() -> dict:
    """The domain's responses, read once (the words live there)."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain.get("responses") or {}


@lru_cache(maxsize=1)
def _button_payloads() -> frozenset:
    return frozenset(str(button.get("payload"))
                     for variants in _domain_responses().values()
                     for variant in variants or []
                     for button in variant.get("buttons") or [])


def button_payload(data: str) -> Optional[str]:
    """``data`` when it is the payload of one of the domain's buttons, else None."""
    return data if data in _button_payloads() else None


# A typed yes or no to a yes/no offer (buttons with a "/deny" choice): mapped to
# the offered buttons where the channel shows them as numbers (SMS). Input
# vocabulary, not wording: what people type, SMS spelling included.
YES_WORDS = frozenset({
    "oui", "ouii", "ouiii", "ouai", "ouais", "oue", "ui", "wi", "yes", "yep", "ok", "okay",
    "oki", "okk", "d accord", "dac", "dacc", "daccord", "d acc", "ok d accord", "oui d accord",
    "oui merci", "oui svp", "oui s il vous plait", "oui stp", "oui volontiers", "volontiers",
    "avec plaisir", "je veux bien", "oui je veux bien", "ok merci", "ok pour moi",
    "bien sur", "oui bien sur", "allez", "allez oui", "ca marche", "oui ca marche",
    "pourquoi pas", "ok ca marche", "oui oui", "vas y", "allons y",
})
NO_WORDS = frozenset({
    "non", "nan", "nn", "no", "non non", "non merci", "nan merci", "no merci",
    "non pas maintenant", "pas maintenant", "pas pour l instant", "pas pour le moment",
    "non pas pour l instant", "pas aujourd hui", "plus tard", "une autre fois",
    "ca ira", "non ca ira", "pas besoin", "non pas besoin", "non merci ca ira",
    "merci non", "non c est bon", "c est bon merci", "pas la peine",
})
DENY_PAYLOAD = "/deny"


def _folded_answer(text: str) -> str:
    import re
    import unicodedata

    folded = unicodedata.normalize("NFKD", (text or "").lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = re.sub(r"[’'\-]", " ", folded)
    folded = re.sub(r"[^\w ]", " ", folded)
    return re.sub(r"\s+", " ", folded).strip()


def yes_no_payload(text: str, buttons: Any) -> Optional[str]:
    """The payload a typed yes or no picks among yes/no buttons, else None.

    Only for offers that have a "/deny" choice: "oui" picks the first other
    button ("/schedule_call", "/request_human", "/affirm"), "non merci" the
    "/deny" one. Anything longer ("oui demain 15h") stays text for the NLU.
    """
    payloads = [str(b.get("payload") or "") for b in buttons or [] if isinstance(b, dict)]
    if DENY_PAYLOAD not in payloads:
        return None
    answer = _folded_answer(text)
    if answer in NO_WORDS:
        return DENY_PAYLOAD
    if answer in YES_WORDS:
        return next((p for p in payloads if p and p != DENY_PAYLOAD), None)
    return None


async def publish_if_taken_over(redis: Any, prefix: str, sender_id: str, text: str,
                                channel: str) -> bool:
    """During a human takeover, the person's message also goes to the console, live.

    Rasa still receives it (the conversation is paused: it is recorded, risk is
    still detected and escalated, nothing is answered).
    """
    import time

    if not await redis.exists(Keys(prefix).takeover(sender_id)):
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


# --- When Redis cannot be reached ------------------------------------------
# Claims, dedupe keys and Rasa's lock store all live in Redis: without it the
# dialogue cannot run. A message must still never be lost, and risk must still
# get its number at once: the channel answers from its own files.

def spool_dir() -> "Path":
    """Where the channels keep what they could not write to Redis."""
    return load_settings().var_dir / "spool"


def _emergency_text(category: str, english: bool) -> str:
    """The first variant of ``utter_risk_<category>`` in the domain (words live there)."""
    variants = _domain_responses()[f"utter_risk_{category}"]
    for variant in variants:
        conditions = variant.get("condition") or []
        wanted = [{"type": "slot", "name": "language", "value": "en"}] if english else []
        if conditions == wanted:
            return str(variant["text"])
    return str(variants[-1]["text"])


def _degraded_wording(key: str) -> str:
    return str(load("channels_fr.yml")["degraded"][key])


def _append_fsynced(path: "Path", record: dict) -> None:
    import json
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def answer_without_redis(sender_id: str, text: str, channel: str, message_id: str) -> str:
    """Redis is down: spool what must not be lost, return what to tell the person.

    A risk the lexicon reads gets its emergency answer at once and its
    escalation goes to the fsynced spool; any other message is kept in the
    inbound spool, to be processed when Redis answers again, and the person is
    told it was received (with the emergency numbers, when in doubt).
    """
    english = detect_language(text) == "en"
    found = load_lexicon().match(text)
    if found is not None:
        spool_escalation(Escalation(
            sender_id=sender_id, category=found.category, level=found.level,
            channel=channel, source="lexicon", intent=found.intent,
            pattern=found.pattern_id, message_id=message_id, text=text,
            recorded_by="channel"), spool_dir() / "escalations.jsonl")
    _append_fsynced(spool_dir() / "inbound.jsonl", {
        "channel": channel, "sender_id": sender_id, "text": text,
        "message_id": message_id, "received": time.time()})
    logger.critical("redis unreachable: %s message %s spooled", channel, message_id)
    if found is not None and found.level != "watch":
        return _emergency_text(found.category, english)
    return _degraded_wording("received_en" if english else "received")


async def replay_degraded(redis: Any, prefix: str, channel: str, once: "ProcessedOnce",
                          deliver: Any) -> int:
    """Redis answers again: write spooled escalations, then process kept messages.

    ``deliver(message_id, sender_id, text)`` hands a message to Rasa. A message
    already processed meanwhile (the provider retried it) is skipped by its claim.
    """
    await redis.ping()
    await replay_spool(redis, prefix, spool_dir() / "escalations.jsonl")
    path = spool_dir() / "inbound.jsonl"
    if not path.exists():
        return 0
    mine = path.with_name(f"inbound.{channel}.replaying")
    kept: List[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        (kept if record.get("channel") != channel else []).append(line)
    mine.write_text("\n".join(l for l in lines if l not in kept) + "\n", encoding="utf-8")
    if kept:
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    else:
        os.remove(path)
    replayed = 0
    for line in mine.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if await once.claim(record["message_id"]) != NEW:
            continue
        await deliver(record["message_id"], record["sender_id"], record["text"])
        replayed += 1
    mine.unlink()
    logger.warning("redis back: %d %s message(s) kept on disk processed", replayed, channel)
    return replayed


def has_degraded_spool() -> bool:
    """Whether anything waits on disk for Redis."""
    return any((spool_dir() / name).exists()
               for name in ("escalations.jsonl", "inbound.jsonl"))


class SpoolReplayer:
    """Processes what a channel kept on disk while Redis was down, one run at a time."""

    def __init__(self, redis: Any, prefix: str, channel: str, once: ProcessedOnce) -> None:
        """``once``: the channel's claims, so that nothing runs twice."""
        self.redis, self.prefix, self.channel, self.once = redis, prefix, channel, once
        self._running = False

    async def redis_answers(self) -> bool:
        """Whether Redis answers a PING."""
        from redis.exceptions import RedisError

        try:
            return bool(await self.redis.ping())
        except (RedisError, OSError):
            return False

    async def replay(self, deliver: Any) -> None:
        """Write the spooled escalations, then hand the kept messages to ``deliver``."""
        if self._running:
            return
        self._running = True
        try:
            await replay_degraded(self.redis, self.prefix, self.channel, self.once, deliver)
        except Exception as error:  # noqa: BLE001 - tried again later
            logger.warning("spool replay postponed: %s", type(error).__name__)
        finally:
            self._running = False

    def replay_soon(self, deliver: Any) -> None:
        """After a message went through: replay in the background if anything waits."""
        import asyncio

        if has_degraded_spool():
            asyncio.get_running_loop().create_task(self.replay(deliver))

    async def watch(self, deliver: Any, every: float = 10.0) -> None:
        """Without new messages too, replay once Redis answers again."""
        import asyncio

        while True:
            await asyncio.sleep(every)
            if has_degraded_spool() and await self.redis_answers():
                await self.replay(deliver)
