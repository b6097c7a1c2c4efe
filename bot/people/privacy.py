"""Personal data: export one person's data, erase it, purge after the retention period.

Everything Lien keeps about a person is found from their id (``sms:+33…``,
``telegram:…``): the registry hash, the day moods, the conversation (current and
archived sessions) and its Rasa lock, escalations (hash, stream entry, dedupe
keys), cases, booked calls, check-in keys, schedules and leases, the consent
schedule, the live takeover stream, and the SMS channel's delivery reports
(``sms:status:<sid>``, by their ``to``) and unanswered messages (``sms:pending``).
``export`` gathers it as JSON; ``erase`` removes all of it. The worker's retention purge erases the
people who are no longer followed (opted out, or never agreed) and whose last
contact is older than ``RETENTION_DAYS`` (default 90), except anyone with an
open case.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Any, Dict, List

from bot.core.keys import (
    CallKeys,
    CaseKeys,
    EscalationKeys,
    Keys,
    LadderKeys,
    SmsKeys,
    TrackerKeys,
)
from bot.core.ports import JobContext, RedisClient
from bot.core.redisx import glob_escape
from bot.people import circle
from bot.people.refs import installation_secret, reference

logger = logging.getLogger(__name__)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else ("" if value is None else str(value))


def _hash(raw: Dict[Any, Any]) -> Dict[str, str]:
    return {_s(k): _s(v) for k, v in raw.items()}


async def _scan(redis: RedisClient, pattern: str) -> List[str]:
    return [_s(k) async for k in redis.scan_iter(match=pattern, count=1000)]


async def export(redis: RedisClient, prefix: str, person_id: str) -> Dict[str, Any]:
    """All of one person's data (and nobody else's)."""
    keys = CallKeys(prefix)
    esc = EscalationKeys(prefix)
    escalation_ids = [_s(i) for i in await redis.zrange(esc.by_person(person_id), 0, -1)]
    escalations = [_hash(await redis.hgetall(esc.record(i))) for i in escalation_ids]
    case_ids = sorted({e.get("case_id", "") for e in escalations if e.get("case_id")})
    cases = [_hash(await redis.hgetall(CaseKeys(prefix).case(c))) for c in case_ids]
    call_ids = [_s(c) for c in await redis.zrange(keys.person_calls(person_id), 0, -1)]
    calls = [_hash(await redis.hgetall(keys.call(c))) for c in call_ids]
    current_key, archive_key, _meta = TrackerKeys(prefix).parts(person_id)
    archived = await redis.lrange(archive_key, 0, -1)
    current = await redis.lrange(current_key, 0, -1)
    live = await redis.xrange(keys.live(person_id))
    return {
        "person_id": person_id,
        "person": _hash(await redis.hgetall(keys.person(person_id))),
        "moods": _hash(await redis.hgetall(keys.mood(person_id))),
        "conversation": [json.loads(e) for e in archived + current],
        "escalations": escalations,
        "cases": cases,
        "calls": calls,
        "takeover_messages": [_hash(fields) for _, fields in live],
        # Names and topic the dialogue remembers (bot.companion.memory).
        "memory": _hash(await redis.hgetall(keys.memory(person_id))),
        # The circle of care (first names, relationship, how to reach them, agreement)
        # and the last ladder after a silence.
        "circle": [asdict(c) for c in await circle.contacts(redis, prefix, person_id)],
        "ladder": _hash(await redis.hgetall(LadderKeys(prefix).episode(person_id))),
    }


async def erase(redis: RedisClient, prefix: str, person_id: str) -> int:
    """Remove every trace of one person; return how many keys and entries went."""
    keys = CallKeys(prefix)
    esc = EscalationKeys(prefix)
    removed = 0
    escalation_ids = [_s(i) for i in await redis.zrange(esc.by_person(person_id), 0, -1)]
    case_ids = set()
    for escalation_id in escalation_ids:
        case_id = _s(await redis.hget(esc.record(escalation_id), "case_id"))
        if case_id:
            case_ids.add(case_id)
        removed += await redis.delete(esc.record(escalation_id),
                                      CaseKeys(prefix).by_escalation(escalation_id))
    # Stream entries hold the message text: find the person's and delete them.
    stream_ids = []
    last = "-"
    while True:
        batch = await redis.xrange(esc.stream, min=last, count=1000)
        if not batch:
            break
        for entry_id, fields in batch:
            if _s(fields.get(b"sender_id", fields.get("sender_id"))) == person_id:
                stream_ids.append(entry_id)
        if len(batch) < 1000:
            break
        last = f"({_s(batch[-1][0])}"
    if stream_ids:
        removed += await redis.xdel(esc.stream, *stream_ids)
    for case_id in case_ids:
        removed += await redis.delete(CaseKeys(prefix).case(case_id))
        removed += await redis.zrem(CaseKeys(prefix).open, case_id)
    call_ids = [_s(c) for c in await redis.zrange(keys.person_calls(person_id), 0, -1)]
    for call_id in call_ids:
        volunteer = _s(await redis.hget(keys.call(call_id), "volunteer"))
        if volunteer:
            await redis.zrem(keys.volunteer_calls(volunteer), call_id)
        await redis.zrem(keys.calls, call_id)
        await redis.zrem(keys.reminders, f"call:{call_id}:person",
                         f"call:{call_id}:volunteer", f"call:{call_id}:cancelled")
        removed += await redis.delete(keys.call(call_id))
    pattern_keys = []
    for pattern in (keys.sent_pattern(glob_escape(person_id)),
                    esc.dedupe_pattern(glob_escape(person_id))):
        pattern_keys += await _scan(redis, pattern)
    ref = reference(await installation_secret(redis, prefix), person_id)
    direct = [keys.console_ref(ref), keys.person(person_id), keys.mood(person_id),
              keys.person_calls(person_id),
              esc.by_person(person_id), *TrackerKeys(prefix).parts(person_id),
              keys.takeover(person_id), keys.unrecorded(person_id),
              keys.live(person_id), keys.case_of(person_id), keys.sms_buttons(person_id),
              # What the dialogue remembers (bot.companion.memory) and the check-in wording
              # sent this week (bot.checkins.wording).
              keys.memory(person_id), keys.said(person_id),
              # Rasa's conversation lock (no expiry: a server that died leaves it).
              keys.lock(person_id)]
    removed += await redis.delete(*direct, *pattern_keys)
    removed += await redis.zrem(TrackerKeys(prefix).index, person_id)
    removed += await redis.srem(keys.index, person_id)
    slots = (f"{person_id}|morning", f"{person_id}|evening")
    removed += await redis.zrem(keys.due, *slots)
    # A check-in a worker holds right now: its lease goes too (it finds no person).
    removed += await redis.zrem(keys.leased, *slots)
    removed += await redis.hdel(keys.lease_due, *slots)
    removed += await redis.hdel(keys.lease_owner, *slots)
    removed += await redis.zrem(keys.awaiting, person_id)
    removed += await redis.zrem(keys.consent_due, person_id)
    removed += await _erase_sms(redis, prefix, person_id)
    removed += await circle.erase_circle(redis, prefix, person_id)
    removed += await _erase_ladder(redis, prefix, person_id)
    return removed


async def _erase_ladder(redis: Any, prefix: str, person_id: str) -> int:
    """The ladder after a silence: the episode, its due steps, its send-once keys."""
    keys = LadderKeys(prefix)
    removed = await redis.delete(keys.episode(person_id))
    mine = [m for m in (_s(x) for x in await redis.zrange(keys.due, 0, -1))
            if m.startswith(f"{person_id}|")]
    mine += [m for m in (_s(x) for x in await redis.zrange(keys.leased, 0, -1))
             if m.startswith(f"{person_id}|") and m not in mine]
    if mine:
        removed += await redis.zrem(keys.due, *mine)
        removed += await redis.zrem(keys.leased, *mine)
        await redis.hdel(keys.lease_due, *mine)
        await redis.hdel(keys.lease_owner, *mine)
    for key in await _scan(redis, keys.sent(glob_escape(person_id), "*", "*")):
        removed += await redis.delete(key)
    return removed


async def _erase_sms(redis: RedisClient, prefix: str, person_id: str) -> int:
    """The SMS channel's records: delivery reports (``to``), messages not yet answered."""
    removed = 0
    reports = await _scan(redis, SmsKeys(prefix).status_pattern)
    for start in range(0, len(reports), 500):
        batch = reports[start:start + 500]
        async with redis.pipeline(transaction=False) as pipe:
            for key in batch:
                pipe.hget(key, "to")
            recipients = await pipe.execute()
        mine = [key for key, to in zip(batch, recipients) if _s(to) == person_id]
        if mine:
            removed += await redis.delete(*mine)
    pending_key = SmsKeys(prefix).pending
    pending = []
    for sid, raw in (await redis.hgetall(pending_key)).items():
        try:
            sender = json.loads(raw).get("sender_id")
        except (ValueError, AttributeError):
            continue
        if sender == person_id:
            pending.append(sid)
    if pending:
        removed += await redis.hdel(pending_key, *pending)
    return removed


async def purge_expired(redis: RedisClient, prefix: str, now: float, retention_days: float = 90,
                        limit: int = 1000) -> List[str]:
    """Erase the people whose last contact is older than the retention period."""
    keys = CallKeys(prefix)
    cutoff = now - retention_days * 86400
    erased: List[str] = []
    members = [_s(m) for m in await redis.smembers(keys.index)]
    conversations = TrackerKeys(prefix).index
    for person_id in members:
        if len(erased) >= limit:
            break
        last_conversation = await redis.zscore(conversations, person_id)
        fields = _hash(await redis.hgetall(keys.person(person_id)))
        last = max(float(last_conversation or 0), float(fields.get("created_ts") or 0),
                   float(fields.get("last_answer_ts") or 0),
                   float(fields.get("status_changed_ts") or 0))
        if fields.get("status") in ("active", "paused"):
            continue  # enrolled and consenting: kept while the follow-up lasts
        if not last or last >= cutoff or \
                await redis.exists(keys.case_of(person_id)):
            continue  # no known contact date: never guess
        await erase(redis, prefix, person_id)
        erased.append(person_id)
    return erased


async def purge_job(ctx: JobContext) -> int:
    """Worker job: the retention purge, by one worker a day (RETENTION_DAYS, default 90)."""
    if ctx.settings.retention_days <= 0:
        return 0
    if not await ctx.redis.set(Keys(ctx.prefix).purge_daily, ctx.token, nx=True, ex=86400):
        return 0
    erased = await purge_expired(ctx.redis, ctx.prefix, ctx.now(), ctx.settings.retention_days)
    if erased:
        logger.warning("retention purge: %d person(s) erased", len(erased))
    return len(erased)
