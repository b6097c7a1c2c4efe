"""The listener queue: every escalation becomes a case, and on-call staff are alerted.

The worker reads ``{p}:escalations`` with a consumer group (``cases``): an entry
is acknowledged only once its case is written, so a worker killed at any step
leaves it to be read again (idempotent: one case per escalation). Keys:

``{p}:case:{id}``
    A hash: ``person_id``, ``level``, ``category``, ``status`` (``pending``,
    ``claimed``, ``resolved``), ``created_ts``, ``escalations`` (ids),
    ``messages``, ``claimed_by``, ``lease_until``, ``outcome``, ``orientation``.
``{p}:cases:open``
    Open cases by priority: level (critical, high, then watch and requests), then
    waiting time.
``{p}:person:{id}:case``
    The person's open case: a new message from them joins it.
``{p}:alerts:due`` (+ ``leased``, ``lease_due``, ``lease_owner``)
    Alerts to send, ``case:{id}:{tier}``, claimed with the same Lua script as the
    check-ins. A case still pending when a tier's delay passes alerts the next
    tier of the roster (``bot/resources/roster.yml``). ``referent:{id}:0`` sends a
    new watch case or request to the person's referent at once, when the roster's
    ``digest.immediate`` asks for it (otherwise the daily digest, ``bot/safety/digest.py``).

This module is the case store (open, join, claim, renew, release, resolve, expire,
the queue). The roster is read and checked by ``bot/safety/roster.py``; the
alerts are sent by ``bot/safety/alerts.py``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Dict, List, Optional, Tuple

from redis.exceptions import ResponseError

from bot.core.keys import CaseKeys, TrackerKeys
from bot.core.ports import RedisClient
from bot.core.records import Case, as_case
from bot.safety.escalation import EscalationKeys
from bot.safety.roster import immediate_to_referents

logger = logging.getLogger(__name__)

GROUP = "cases"
LEVEL_RANK = {"critical": 0, "high": 1, "watch": 2, "request": 2}
ALERT_LEVELS = ("critical", "high")

_OPEN = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {0, redis.call('GET', KEYS[1]), 0}
end
local rank = {critical = 0, high = 1, watch = 2, request = 2}
local level = ARGV[3]
local existing = redis.call('GET', KEYS[2])
if existing then
  local key = ARGV[1] .. ':case:' .. existing
  local status = redis.call('HGET', key, 'status')
  if status and status ~= 'resolved' then
    redis.call('HINCRBY', key, 'messages', 1)
    redis.call('HSET', key, 'escalations',
               redis.call('HGET', key, 'escalations') .. ',' .. ARGV[2],
               'updated_ts', ARGV[6])
    redis.call('SET', KEYS[1], existing, 'EX', 2592000)
    if (level == 'critical' or level == 'high') and status == 'claimed' then
      -- A listener is with the person: risk in a new message still alerts.
      redis.call('ZADD', KEYS[4], ARGV[6], 'join:' .. existing .. ':' .. ARGV[2])
    end
    local old = redis.call('HGET', key, 'level')
    if rank[level] < rank[old] then
      redis.call('HSET', key, 'level', level, 'category', ARGV[4])
      local created = tonumber(redis.call('HGET', key, 'created_ts'))
      redis.call('ZADD', KEYS[3], rank[level] * 1e10 + created, existing)
      if (level == 'critical' or level == 'high') and status == 'pending' then
        redis.call('ZADD', KEYS[4], ARGV[6], 'case:' .. existing .. ':0')
      end
      return {2, existing, 1}
    end
    return {2, existing, 0}
  end
end
local id = ARGV[5]
local key = ARGV[1] .. ':case:' .. id
redis.call('HSET', key, 'id', id, 'person_id', ARGV[7], 'level', level,
           'category', ARGV[4], 'status', 'pending', 'created_ts', ARGV[9],
           'opened_ts', ARGV[6], 'updated_ts', ARGV[6], 'escalations', ARGV[2],
           'messages', 1, 'channel', ARGV[8])
redis.call('ZADD', KEYS[3], rank[level] * 1e10 + tonumber(ARGV[9]), id)
redis.call('SET', KEYS[2], id)
redis.call('SET', KEYS[1], id, 'EX', 2592000)
local alerting = level == 'critical' or level == 'high'
if alerting then
  redis.call('ZADD', KEYS[4], ARGV[6], 'case:' .. id .. ':0')
end
if ARGV[10] == '2' or (ARGV[10] == '1' and not alerting) then
  redis.call('ZADD', KEYS[4], ARGV[6], 'referent:' .. id .. ':0')
end
return {1, id, 1}
"""


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else ("" if value is None else str(value))


async def ensure_group(redis: RedisClient, prefix: str) -> None:
    """Create the consumer group (from the start of the stream) if it is missing."""
    try:
        await redis.xgroup_create(EscalationKeys(prefix).stream, GROUP, id="0",
                                  mkstream=True)
    except Exception as error:  # noqa: BLE001 - BUSYGROUP: it exists
        if "BUSYGROUP" not in str(error):
            raise


async def open_case(redis: RedisClient, prefix: str, escalation: Dict[str, str],
                    now: float, immediate: bool = False) -> Tuple[int, str, bool]:
    """Write the case of one escalation: (1 new / 2 joined / 0 seen, case id, raised).

    ``immediate``: a new watch case or request is also sent to the referent at once.
    A case the ladder after a silence opens (``source=ladder``) pages the on-call
    tier and is sent to the referent at once, whatever ``immediate`` says.
    """
    tell = "2" if escalation.get("source") == "ladder" else "1" if immediate else "0"
    keys = CaseKeys(prefix)
    person = escalation.get("sender_id", "")
    level = escalation.get("level", "watch")
    if level not in LEVEL_RANK:
        level = "watch"
    outcome, case_id, raised = await redis.eval(
        _OPEN, 4,
        keys.by_escalation(escalation["id"]), keys.person_case(person), keys.open,
        keys.alerts("due"),
        prefix, escalation["id"], level, escalation.get("category", ""),
        f"{int(now * 1000):013d}-{uuid.uuid4().hex[:8]}", repr(now), person,
        escalation.get("channel", ""),
        # Waiting time counts from the person's message, not from this read.
        repr(float(escalation.get("created_ts") or now)),
        tell,
    )
    return int(outcome), _s(case_id), bool(raised)


async def _read(redis: RedisClient, stream: str, consumer: str, count: int,
                min_idle_ms: int) -> List[Tuple[Any, Dict]]:
    entries: List[Tuple[Any, Dict]] = []
    claimed = await redis.xautoclaim(stream, GROUP, consumer, min_idle_ms, "0-0",
                                     count=count)
    entries += claimed[1] if claimed else []
    read = await redis.xreadgroup(GROUP, consumer, {stream: ">"}, count=count)
    for _, items in read or []:
        entries += items
    return entries


async def consume(redis: RedisClient, prefix: str, consumer: str, now: float,
                  count: int = 200, min_idle_ms: int = 30000) -> int:
    """Turn new escalations (and those a dead consumer left) into cases.

    A missing group (Redis restarted empty, or the stream deleted) is created
    again here, at every read that finds it gone: nobody caches "the group
    exists", so escalations written after such a restart still become cases.
    """
    stream = EscalationKeys(prefix).stream
    try:
        entries = await _read(redis, stream, consumer, count, min_idle_ms)
    except ResponseError as error:
        if "NOGROUP" not in str(error):
            raise
        logger.warning("consumer group %r of %s missing (first start, or Redis came "
                       "back empty): created", GROUP, stream)
        await ensure_group(redis, prefix)
        entries = await _read(redis, stream, consumer, count, min_idle_ms)
    handled = 0
    immediate = immediate_to_referents() if entries else False
    for entry_id, fields in entries:
        if not fields:
            await redis.xack(stream, GROUP, entry_id)
            continue
        escalation = {_s(k): _s(v) for k, v in fields.items()}
        status = _s(await redis.hget(EscalationKeys(prefix).record(escalation["id"]),
                                     "status"))
        if status != "cleared":
            outcome, case_id, _ = await open_case(redis, prefix, escalation, now,
                                                  immediate)
            if outcome:
                await redis.hset(EscalationKeys(prefix).record(escalation["id"]),
                                 "case_id", case_id)
        await redis.xack(stream, GROUP, entry_id)
        handled += 1
    return handled


async def get_case(redis: RedisClient, prefix: str, case_id: str) -> Case:
    """A case's fields (empty when unknown)."""
    raw_case = await redis.hgetall(CaseKeys(prefix).case(case_id))
    return as_case({_s(k): _s(v) for k, v in raw_case.items()})


async def queue(redis: RedisClient, prefix: str, limit: int = 100) -> List[Case]:
    """Open cases, most urgent first."""
    ids = [_s(i) for i in await redis.zrange(CaseKeys(prefix).open, 0, limit - 1)]
    return [c for c in [await get_case(redis, prefix, i) for i in ids] if c]


async def claim_case(redis: RedisClient, prefix: str, case_id: str, listener: str, now: float,
                     lease_seconds: float = 1800) -> bool:
    """A listener takes the case: the bot stops answering the person (takeover)."""
    keys = CaseKeys(prefix)
    case = await get_case(redis, prefix, case_id)
    if not case or case["status"] == "resolved":
        return False
    if case["status"] == "claimed" and case.get("claimed_by") != listener and \
            float(case.get("lease_until") or 0) > now:
        return False
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(keys.case(case_id), mapping={
            "status": "claimed", "claimed_by": listener, "claimed_ts": f"{now:.3f}",
            "lease_until": f"{now + lease_seconds:.3f}", "updated_ts": f"{now:.3f}"})
        pipe.set(keys.takeover(case["person_id"]), listener)
        await pipe.execute()
    return True


async def renew_claim(redis: RedisClient, prefix: str, case_id: str, now: float,
                      lease_seconds: float = 1800) -> None:
    """The listener is active: extend the claim's lease."""
    await redis.hset(CaseKeys(prefix).case(case_id), mapping={
        "lease_until": f"{now + lease_seconds:.3f}", "updated_ts": f"{now:.3f}"})


async def release_case(redis: RedisClient, prefix: str, case_id: str, now: float,
                       to: Optional[str] = None) -> bool:
    """Hand the case to another listener (``to``) or back to the queue."""
    keys = CaseKeys(prefix)
    case = await get_case(redis, prefix, case_id)
    if not case or case["status"] != "claimed":
        return False
    if to:
        await redis.hset(keys.case(case_id), mapping={"claimed_by": to,
                                                       "updated_ts": f"{now:.3f}"})
        await redis.set(keys.takeover(case["person_id"]), to)
        return True
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(keys.case(case_id), mapping={"status": "pending", "claimed_by": "",
                                               "lease_until": "", "updated_ts": f"{now:.3f}"})
        pipe.hincrby(keys.case(case_id), "alert_round", 1)  # back in the queue: page again
        pipe.delete(keys.takeover(case["person_id"]))
        if case["level"] in ALERT_LEVELS:
            pipe.zadd(keys.alerts("due"), {f"case:{case_id}:0": now})
        await pipe.execute()
    return True


async def resolve_case(redis: RedisClient, prefix: str, case_id: str, outcome: str,
                       orientation: str, now: float) -> bool:
    """Close the case; the bot resumes with the person."""
    keys = CaseKeys(prefix)
    case = await get_case(redis, prefix, case_id)
    if not case or case["status"] == "resolved":
        return False
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(keys.case(case_id), mapping={
            "status": "resolved", "outcome": outcome[:200], "orientation": orientation[:200],
            "resolved_ts": f"{now:.3f}", "updated_ts": f"{now:.3f}"})
        pipe.zrem(keys.open, case_id)
        pipe.delete(keys.takeover(case["person_id"]), keys.person_case(case["person_id"]))
        for escalation_id in case.get("escalations", "").split(","):
            if escalation_id:
                pipe.hset(EscalationKeys(prefix).record(escalation_id), "status", "resolved")
        await pipe.execute()
    return True


RISK_CATEGORIES = ("suicide", "violence", "child", "medical")


async def raise_unanswered_questions(redis: RedisClient, prefix: str, now: float,
                                     after_seconds: float, limit: int = 500) -> int:
    """A direct safety question left unanswered raises its watch case to high.

    The uncertain band (bot/rasa/policy.py) asks "est-ce que vous pensez à mourir ?"
    and opens a ``watch`` case; a yes escalates at once. Silence is an answer
    too: when the person has written nothing since (their conversation's last
    event, in the tracker store's index, is the question itself) for
    ``after_seconds``, the case becomes ``high`` and the on-call tier is paged.
    Returns how many cases were raised.
    """
    keys = CaseKeys(prefix)
    raised = 0
    for case_id in await redis.zrange(keys.open, 0, limit - 1):
        case_id = _s(case_id)
        case = {_s(k): _s(v) for k, v in (await redis.hgetall(keys.case(case_id))).items()}
        if (case.get("level") != "watch" or case.get("status") != "pending"
                or case.get("category") not in RISK_CATEGORIES or case.get("silence")):
            continue
        asked = float(case.get("created_ts") or case.get("opened_ts") or now)
        if now - asked < after_seconds:
            continue
        last = await redis.zscore(TrackerKeys(prefix).index, case.get("person_id", ""))
        if last is not None and float(last) > asked + 20:
            await redis.hset(keys.case(case_id), "silence", "answered")
            continue
        pipe = redis.pipeline(transaction=True)
        pipe.hset(keys.case(case_id), mapping={"level": "high", "silence": "raised",
                                               "updated_ts": repr(now)})
        pipe.zadd(keys.open, {case_id: LEVEL_RANK["high"] * 1e10 + asked})
        pipe.zadd(keys.alerts("due"), {f"case:{case_id}:0": now})
        await pipe.execute()
        logger.warning("case %s: the direct question went unanswered; raised to high",
                       case_id)
        raised += 1
    return raised


async def expire_claims(redis: RedisClient, prefix: str, now: float) -> int:
    """A claim whose lease passed (the listener vanished) goes back to the queue."""
    count = 0
    for case in await queue(redis, prefix, limit=500):
        if case["status"] == "claimed" and float(case.get("lease_until") or 0) < now:
            await release_case(redis, prefix, case["id"], now)
            count += 1
    return count
