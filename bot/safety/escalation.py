"""The escalation record: how Lien remembers that someone needs a human.

An escalation is written once per person message (idempotent), atomically, to:

``{prefix}:escalations``
    A Redis Stream, one entry per escalation, for at-least-once consumers (the
    listener queue reads it with a consumer group).
``{prefix}:escalation:{id}``
    A hash holding the same fields, plus ``status`` (``pending`` when written).
``{prefix}:escalation:dedupe:{sender_id}:{message_id}``
    The id of the escalation already written for that message (kept 30 days), so
    that a retried action or a second writer never records it twice.
``{prefix}:person:{sender_id}:escalations``
    A sorted set of that person's escalation ids, scored by creation time.

Fields (all strings): ``id``, ``sender_id``, ``channel``, ``category``
(``suicide``, ``violence``, ``child``, ``medical``, ``human_request``,
``misunderstood``, ``no_news``), ``level`` (``critical``, ``high``, ``watch``,
``request``), ``source`` (``lexicon``, ``classifier``, ``request``, ``fallback``,
``checkin``), ``intent``, ``confidence``, ``pattern``, ``message_id``, ``text``,
``created_at`` (ISO 8601, UTC), ``created_ts`` (seconds since the epoch),
``recorded_by`` (``channel`` when the SMS or Telegram webhook's lexicon check
caught it on arrival, ``action`` or ``tracker_store``), ``status``.

When Redis cannot be reached the record goes to a local spool file (JSON lines)
and :func:`replay_spool` writes it later: an escalation is never dropped.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from bot.core.keys import EscalationKeys
from bot.core.ports import RedisClient

logger = logging.getLogger(__name__)

RISK_CATEGORIES = ("suicide", "violence", "child", "medical")
LEVELS = ("critical", "high", "watch", "request")

_RECORD_SCRIPT = """
local existing = redis.call('GET', KEYS[1])
if existing then
  return {0, existing}
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
local fields = {}
for i = 4, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('XADD', KEYS[3], '*', unpack(fields))
redis.call('ZADD', KEYS[4], tonumber(ARGV[3]), ARGV[1])
return {1, ARGV[1]}
"""


@dataclass
class Escalation:
    """One escalation, as written to Redis."""

    sender_id: str
    category: str
    level: str
    channel: str = ""
    source: str = ""
    intent: str = ""
    confidence: float = 1.0
    pattern: str = ""
    message_id: str = ""
    text: str = ""
    recorded_by: str = "action"
    created_ts: float = field(default_factory=time.time)
    id: str = ""

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown escalation level {self.level!r}")
        if not self.id:
            millis = int(self.created_ts * 1000)
            self.id = f"{millis:013d}-{uuid.uuid4().hex[:12]}"
        if not self.message_id:
            self.message_id = self.id

    def as_fields(self) -> Dict[str, str]:
        """The record as flat string fields, stream and hash alike."""
        created = datetime.fromtimestamp(self.created_ts, tz=timezone.utc)
        fields = {k: "" if v is None else str(v) for k, v in asdict(self).items()}
        fields["created_at"] = created.isoformat(timespec="milliseconds")
        fields["created_ts"] = f"{self.created_ts:.3f}"
        fields["status"] = "pending"
        return fields


async def record_escalation(
    redis: RedisClient,
    escalation: Escalation,
    prefix: str = "lien",
    dedupe_ttl_seconds: int = 30 * 86400,
) -> Tuple[bool, str]:
    """Write an escalation once; return (newly written, escalation id)."""
    keys = EscalationKeys(prefix)
    fields = escalation.as_fields()
    flat: List[str] = []
    for name, value in fields.items():
        flat += [name, value]
    created, escalation_id = await redis.eval(
        _RECORD_SCRIPT,
        4,
        keys.dedupe(escalation.sender_id, escalation.message_id),
        keys.record(escalation.id),
        keys.stream,
        keys.by_person(escalation.sender_id),
        escalation.id,
        str(dedupe_ttl_seconds),
        fields["created_ts"],
        *flat,
    )
    if isinstance(escalation_id, bytes):
        escalation_id = escalation_id.decode()
    if created:
        logger.warning(
            "escalation recorded id=%s category=%s level=%s channel=%s by=%s",
            escalation_id,
            escalation.category,
            escalation.level,
            escalation.channel,
            escalation.recorded_by,
        )
    return bool(created), escalation_id


async def record_or_spool(
    redis: RedisClient,
    escalation: Escalation,
    prefix: str,
    spool_path: Path,
    attempts: int = 3,
) -> Tuple[bool, str]:
    """Record an escalation, retrying; spool it to disk if Redis stays down."""
    import asyncio

    delay = 0.05
    for attempt in range(attempts):
        try:
            return await record_escalation(redis, escalation, prefix)
        except Exception as error:  # any Redis or network failure
            logger.error(
                "escalation write failed (attempt %d/%d): %s",
                attempt + 1,
                attempts,
                type(error).__name__,
            )
            await asyncio.sleep(delay)
            delay *= 4
    spool_escalation(escalation, spool_path)
    return True, escalation.id


def spool_escalation(escalation: Escalation, spool_path: Path) -> None:
    """Append an escalation to the local spool, flushed to disk."""
    spool_path.parent.mkdir(parents=True, exist_ok=True)
    with open(spool_path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(escalation), ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    logger.critical("escalation %s spooled to disk: Redis unreachable", escalation.id)


async def replay_spool(redis: RedisClient, prefix: str, spool_path: Path) -> int:
    """Write spooled escalations to Redis; return how many were replayed."""
    if not spool_path.exists():
        return 0
    processing = spool_path.with_suffix(".replaying")
    if not processing.exists():
        os.replace(spool_path, processing)
    replayed = 0
    with open(processing, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                escalation = Escalation(**json.loads(line))
            except (ValueError, TypeError):
                logger.error("unreadable line in the escalation spool, kept aside")
                with open(spool_path.with_suffix(".bad"), "a", encoding="utf-8") as bad:
                    bad.write(line)
                continue
            await record_escalation(redis, escalation, prefix)
            replayed += 1
    processing.unlink()
    return replayed


async def fetch_escalation(
    redis: RedisClient, escalation_id: str, prefix: str = "lien"
) -> Optional[Dict[str, str]]:
    """Read one escalation's hash, decoded."""
    raw = await redis.hgetall(EscalationKeys(prefix).record(escalation_id))
    if not raw:
        return None
    return {
        (k.decode() if isinstance(k, bytes) else k): (
            v.decode() if isinstance(v, bytes) else v
        )
        for k, v in raw.items()
    }


def risk_from_parse_data(parse_data: Dict[str, Any]) -> Optional[Dict[str, str]]:
    """Tell the risk a parsed message carries: category, level, source, pattern."""
    intent = (parse_data or {}).get("intent") or {}
    name = intent.get("name") or ""
    if not name.startswith("risk_"):
        return None
    category = name[len("risk_") :]
    risk = {"category": category, "level": "high", "source": "classifier"}
    risk["pattern"] = ""
    risk["confidence"] = str(intent.get("confidence", 1.0))
    for entity in parse_data.get("entities") or []:
        if entity.get("entity") == "risk_level":
            risk["level"] = entity.get("value") or "high"
            risk["source"] = entity.get("source", risk["source"])
            risk["pattern"] = entity.get("pattern", "")
    if risk["level"] not in ("critical", "high", "watch"):
        risk["level"] = "high"
    return risk


def escalation_for_message(
    sender_id: str,
    parse_data: Dict[str, Any],
    channel: Optional[str],
    message_id: Optional[str],
    recorded_by: str,
    created_ts: Optional[float] = None,
) -> Optional[Escalation]:
    """Build the escalation a risk message calls for, or None if it shows no risk."""
    risk = risk_from_parse_data(parse_data)
    if risk is None:
        return None
    return _risk_escalation(sender_id, risk, parse_data, channel, message_id,
                            recorded_by, created_ts)


def _risk_escalation(
    sender_id: str,
    risk: Dict[str, str],
    parse_data: Dict[str, Any],
    channel: Optional[str],
    message_id: Optional[str],
    recorded_by: str,
    created_ts: Optional[float],
) -> Escalation:
    """The escalation of one risk reading (from the NLU or from context)."""
    return Escalation(
        sender_id=sender_id,
        category=risk["category"],
        level=risk["level"],
        channel=channel or "",
        source=risk["source"],
        intent=f"risk_{risk['category']}",
        confidence=float(risk["confidence"]),
        pattern=risk["pattern"],
        message_id=message_id or "",
        text=(parse_data or {}).get("text") or "",
        recorded_by=recorded_by,
        created_ts=created_ts or time.time(),
    )


def escalation_from_context(
    sender_id: str,
    context: str,
    parse_data: Dict[str, Any],
    channel: Optional[str],
    message_id: Optional[str],
    recorded_by: str,
    created_ts: Optional[float] = None,
) -> Optional[Escalation]:
    """The escalation a risk read from context calls for (``risk_context`` slot).

    ``context`` is ``category:level:source`` as ``bot.rasa.policy.RiskPolicy`` writes
    it: a risk said over two messages, or a yes to a safety question. The
    record belongs to the latest message (its id is the idempotency key).
    """
    parts = (context or "").split(":")
    if len(parts) != 3 or parts[0] not in ("suicide", "violence", "child", "medical"):
        return None
    category, level, source = parts
    if level not in ("critical", "high", "watch"):
        level = "high"
    risk = {"category": category, "level": level, "source": source, "pattern": "",
            "confidence": "1.0"}
    return _risk_escalation(sender_id, risk, parse_data, channel, message_id,
                            recorded_by, created_ts)
