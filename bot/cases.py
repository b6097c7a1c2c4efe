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
    ``digest.immediate`` asks for it (otherwise the daily digest, ``bot/digest.py``).

An alert carries a first name, the level and the category, never the message.
Safety first: a recipient whose alert was in flight when a worker died is
alerted again by the next worker (at worst twice, never not at all).
"""

from __future__ import annotations

import logging
import os
import uuid
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

import yaml
from redis.exceptions import ResponseError

from bot.config import PROJECT_ROOT
from bot.escalation import EscalationKeys
from bot.messages import raw, say
from bot.persons import Keys, parse_time
from bot.phone import to_e164

logger = logging.getLogger(__name__)

GROUP = "cases"
LEVEL_RANK = {"critical": 0, "high": 1, "watch": 2, "request": 2}
ALERT_LEVELS = ("critical", "high")
ROSTER_PATH = PROJECT_ROOT / "bot" / "resources" / "roster.yml"
DIGEST_DEFAULTS = {"time": "09:00", "timezone": "Europe/Paris", "immediate": False}

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
if level == 'critical' or level == 'high' then
  redis.call('ZADD', KEYS[4], ARGV[6], 'case:' .. id .. ':0')
elseif ARGV[10] == '1' then
  redis.call('ZADD', KEYS[4], ARGV[6], 'referent:' .. id .. ':0')
end
return {1, id, 1}
"""


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else ("" if value is None else str(value))


class CaseKeys(Keys):
    """Keys of cases and alerts."""

    def case(self, case_id: str) -> str:
        """A case's hash."""
        return f"{self.prefix}:case:{case_id}"

    @property
    def open(self) -> str:
        """Open cases by priority."""
        return f"{self.prefix}:cases:open"

    def person_case(self, person_id: str) -> str:
        """The person's open case id."""
        return f"{self.prefix}:person:{person_id}:case"

    def by_escalation(self, escalation_id: str) -> str:
        """The case an escalation went to (idempotency)."""
        return f"{self.prefix}:case:escalation:{escalation_id}"

    def alerts(self, part: str) -> str:
        """The alert schedule's keys: due, leased, lease_due, lease_owner."""
        return f"{self.prefix}:alerts:{part}"

    def alert_sent(self, case_id: str, round_: str, tier: int, index: int) -> str:
        """One recipient's alert for one tier of one round of alerts of one case."""
        return f"{self.prefix}:alert:{case_id}:{round_}:{tier}:{index}"


def roster() -> Dict[str, Any]:
    """The on-call roster and the alert ladder (``ROSTER_FILE`` or the default).

    Read again whenever the file changes (the console edits it while workers run).
    """
    path = os.environ.get("ROSTER_FILE") or str(ROSTER_PATH)
    if not os.path.exists(path):
        # A shared volume before its first edit in the console: never no roster.
        logger.warning("ROSTER_FILE %s does not exist yet: the default roster is used", path)
        path = str(ROSTER_PATH)
    return _load_roster(path, os.stat(path).st_mtime_ns)


@lru_cache(maxsize=4)
def _load_roster(path: str, _mtime: int) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    for tier in data["tiers"]:
        for member in tier["members"]:
            member["phone"] = to_e164(str(member.get("phone") or "")) or ""
            member["telegram"] = str(member.get("telegram") or "")
    # Sections added later default to "none", so that older files still load.
    referents = {}
    for name, info in (data.get("referents") or {}).items():
        info = info if isinstance(info, dict) else {}
        referents[referent_key(str(name))] = {
            "name": str(name), "phone": to_e164(str(info.get("phone") or "")) or "",
            "telegram": str(info.get("telegram") or "")}
    data["referents"] = referents
    digest = dict(DIGEST_DEFAULTS, **(data.get("digest") or {}))
    when = digest["time"]
    if isinstance(when, int):  # YAML 1.1 reads an unquoted 9:30 as 570 (base 60)
        when = f"{when // 60:02d}:{when % 60:02d}"
    digest["time"] = parse_time(str(when)) or DIGEST_DEFAULTS["time"]
    immediate = digest["immediate"]
    digest["immediate"] = immediate is True or str(immediate).strip().lower() in (
        "true", "yes", "oui", "1")
    digest["timezone"] = str(digest["timezone"] or DIGEST_DEFAULTS["timezone"])
    data["digest"] = digest
    return data


roster.cache_clear = _load_roster.cache_clear  # type: ignore[attr-defined]


def referent_key(name: str) -> str:
    """A referent's name as matched: case and spacing aside ("Mme  Durand" = "mme durand")."""
    return " ".join(name.split()).casefold()


def immediate_to_referents() -> bool:
    """Whether new watch cases go to referents at once (False if the roster is unreadable)."""
    try:
        return bool(roster()["digest"]["immediate"])
    except Exception:  # noqa: BLE001 - a bad roster file never stops cases opening
        logger.exception("roster file unreadable: referents get the daily digest only")
        return False


async def ensure_group(redis: Any, prefix: str) -> None:
    """Create the consumer group (from the start of the stream) if it is missing."""
    try:
        await redis.xgroup_create(EscalationKeys(prefix).stream, GROUP, id="0",
                                  mkstream=True)
    except Exception as error:  # noqa: BLE001 - BUSYGROUP: it exists
        if "BUSYGROUP" not in str(error):
            raise


async def open_case(redis: Any, prefix: str, escalation: Dict[str, str],
                    now: float, immediate: bool = False) -> Tuple[int, str, bool]:
    """Write the case of one escalation: (1 new / 2 joined / 0 seen, case id, raised).

    ``immediate``: a new watch case or request is also sent to the referent at once.
    """
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
        "1" if immediate else "0",
    )
    return int(outcome), _s(case_id), bool(raised)


async def _read(redis: Any, stream: str, consumer: str, count: int,
                min_idle_ms: int) -> List[Tuple[Any, Dict]]:
    entries: List[Tuple[Any, Dict]] = []
    claimed = await redis.xautoclaim(stream, GROUP, consumer, min_idle_ms, "0-0",
                                     count=count)
    entries += claimed[1] if claimed else []
    read = await redis.xreadgroup(GROUP, consumer, {stream: ">"}, count=count)
    for _, items in read or []:
        entries += items
    return entries


async def consume(redis: Any, prefix: str, consumer: str, now: float,
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


async def get_case(redis: Any, prefix: str, case_id: str) -> Dict[str, str]:
    """A case's fields (empty when unknown)."""
    raw_case = await redis.hgetall(CaseKeys(prefix).case(case_id))
    return {_s(k): _s(v) for k, v in raw_case.items()}


async def queue(redis: Any, prefix: str, limit: int = 100) -> List[Dict[str, str]]:
    """Open cases, most urgent first."""
    ids = [_s(i) for i in await redis.zrange(CaseKeys(prefix).open, 0, limit - 1)]
    return [c for c in [await get_case(redis, prefix, i) for i in ids] if c]


async def claim_case(redis: Any, prefix: str, case_id: str, listener: str, now: float,
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


async def renew_claim(redis: Any, prefix: str, case_id: str, now: float,
                      lease_seconds: float = 1800) -> None:
    """The listener is active: extend the claim's lease."""
    await redis.hset(CaseKeys(prefix).case(case_id), mapping={
        "lease_until": f"{now + lease_seconds:.3f}", "updated_ts": f"{now:.3f}"})


async def release_case(redis: Any, prefix: str, case_id: str, now: float,
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


async def resolve_case(redis: Any, prefix: str, case_id: str, outcome: str,
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


async def expire_claims(redis: Any, prefix: str, now: float) -> int:
    """A claim whose lease passed (the listener vanished) goes back to the queue."""
    count = 0
    for case in await queue(redis, prefix, limit=500):
        if case["status"] == "claimed" and float(case.get("lease_until") or 0) < now:
            await release_case(redis, prefix, case["id"], now)
            count += 1
    return count


def console_link(path: str) -> str:
    """An address in the listener console (``CONSOLE_URL``)."""
    return f"{os.environ.get('CONSOLE_URL', 'http://127.0.0.1:8080').rstrip('/')}{path}"


async def send_to_contact(delivery: Any, contact: Dict[str, str], text: str) -> None:
    """Hand a message to a roster contact's phone (SMS) and Telegram chat."""
    if contact.get("phone"):
        await delivery.output("sms").send_text_message(f"sms:{contact['phone']}", text)
    if contact.get("telegram"):
        await delivery.output("telegram").send_text_message(
            f"telegram:{contact['telegram']}", text)


def alert_text(case: Dict[str, str], person: Dict[str, str], minutes: int,
               during: bool = False) -> str:
    """The alert: first name, level, category and a link; never the message."""
    link = console_link(f"/cases/{case['id']}")
    values = dict(
        level_word=raw("alerts.levels").get(case["level"], case["level"]),
        category_word=raw("alerts.categories").get(case["category"], case["category"]),
        first_name=person.get("first_name") or say("alerts.someone"),
        link=link, minutes=minutes,
    )
    if during:
        return say("alerts.during", listener=case.get("claimed_by", ""), **values)
    return say("alerts.again" if minutes else "alerts.new", **values)


async def send_alert(redis: Any, prefix: str, member: str, delivery: Any,
                     now: float) -> Optional[int]:
    """Alert one tier about one case; return the next tier's due time offset.

    ``case:{id}:{tier}`` pages a tier about a pending case; ``join:{id}:{escalation}``
    tells tier 1 that a case being handled received a new risk message;
    ``referent:{id}:0`` sends a new watch case to the person's referent.
    """
    keys = CaseKeys(prefix)
    kind, case_id, tier_text = member.split(":", 2)
    if kind == "referent":
        from bot.digest import send_at_once

        await send_at_once(redis, prefix, case_id, delivery, now)
        return None
    joined = kind == "join"
    tier = 0 if joined else int(tier_text)
    case = await get_case(redis, prefix, case_id)
    if not case or (case["status"] != "pending" and not joined) or \
            (joined and case["status"] == "resolved"):
        return None
    data = roster()
    ladder = data["ladder"].get(case["level"]) or [0]
    if tier >= len(data["tiers"]) or tier >= len(ladder):
        return None
    person = {_s(k): _s(v) for k, v in
              (await redis.hgetall(keys.person(case["person_id"]))).items()}
    minutes = int((now - float(case["created_ts"])) // 60) if tier else 0
    text = alert_text(case, person, minutes, during=joined)
    round_ = f"join-{tier_text}" if joined else case.get("alert_round", "0")
    for index, member_info in enumerate(data["tiers"][tier]["members"]):
        sent_key = keys.alert_sent(case_id, round_, tier, index)
        if _s(await redis.get(sent_key)).startswith("sent"):
            continue
        await redis.set(sent_key, f"sending:{now:.3f}", ex=7 * 86400)
        await send_to_contact(delivery, member_info, text)
        await redis.set(sent_key, f"sent:{now:.3f}", ex=7 * 86400)
    await redis.hset(keys.case(case_id), mapping={"alerted_tier": str(tier),
                                                  "alerted_ts": f"{now:.3f}"})
    logger.warning("case %s (%s) alerted tier %d", case_id, case["level"], tier)
    if joined:
        return None
    if tier + 1 < min(len(ladder), len(data["tiers"])):
        return int(ladder[tier + 1])
    return None
