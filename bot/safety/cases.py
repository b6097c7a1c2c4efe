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

An alert carries a first name, the level and the category, never the message.
Safety first: a recipient whose alert was in flight when a worker died is
alerted again by the next worker (at worst twice, never not at all). A roster
with an invalid number or Telegram id is never used (``check_roster``); a page
that reached nobody is an error and the next tier is paged at once.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import phonenumbers
import yaml
from redis.exceptions import ResponseError

from bot.core.config import PROJECT_ROOT
from bot.safety.escalation import EscalationKeys
from bot.core.wording import raw, say
from bot.people.registry import Keys, parse_time

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


class RosterError(ValueError):
    """The roster file is refused: every problem found, one per line after the first."""


_TELEGRAM_ID = re.compile(r"-?[1-9]\d{0,19}")


def valid_phone(value: Any) -> Optional[str]:
    """A roster phone number in E.164, or None unless ``phonenumbers`` deems it valid.

    Stricter than the persons' check (``is_valid_number``, not only "possible"):
    ``06 00 00 01 0`` is a possible number (+33060000010) but nobody's.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value.strip(), "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _contact(info: Dict[str, Any], who: str, errors: List[str]) -> Dict[str, str]:
    """A member's or referent's phone and Telegram id, checked and normalised."""
    phone, telegram = info.get("phone"), info.get("telegram")
    out = {"phone": "", "telegram": ""}
    if phone not in (None, ""):
        if not isinstance(phone, str):  # phone: 0600000101 unquoted is an (octal) int
            errors.append(say("roster.errors.phone_quotes", who=who, value=phone))
        elif valid_phone(phone) is None:
            errors.append(say("roster.errors.phone", who=who, value=phone))
        else:
            out["phone"] = valid_phone(phone) or ""
    if telegram not in (None, ""):
        text = str(telegram).strip() if isinstance(telegram, (str, int)) and \
            not isinstance(telegram, bool) else ""
        if not _TELEGRAM_ID.fullmatch(text):
            errors.append(say("roster.errors.telegram", who=who, value=telegram))
        else:
            out["telegram"] = text
    return out


def check_roster(data: Any) -> Dict[str, Any]:
    """The roster's contents, normalised, or RosterError listing every problem.

    Refused unless every tier has members, every member a phone or a Telegram
    id, every phone number is valid (``phonenumbers.is_valid_number``) and every
    Telegram id is a chat id (digits, ``-`` for groups), referents included, and
    the ladder is minutes. A referent with neither phone nor Telegram is allowed:
    their people go to tier 1 (``bot/safety/digest.py``).
    """
    errors: List[str] = []
    if not isinstance(data, dict):
        raise RosterError(say("roster.errors.tiers"))
    tiers = data.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        errors.append(say("roster.errors.tiers"))
        tiers = []
    checked_tiers = []
    for number, tier in enumerate(tiers, 1):
        members = tier.get("members") if isinstance(tier, dict) else None
        if not isinstance(members, list) or not members:
            errors.append(say("roster.errors.members", tier=number))
            continue
        checked = []
        for index, member in enumerate(members, 1):
            if not isinstance(member, dict):
                errors.append(say("roster.errors.member", tier=number, member=index,
                                  name=""))
                continue
            name = str(member.get("name") or "")
            who = say("roster.errors.who_member", tier=number, member=index, name=name)
            contact = _contact(member, who, errors)
            if member.get("phone") in (None, "") and member.get("telegram") in (None, ""):
                errors.append(say("roster.errors.member", tier=number, member=index,
                                  name=name))
            checked.append(dict(member, name=name, **contact))
        checked_tiers.append(dict(tier, members=checked))
    ladder = data.get("ladder")
    if not isinstance(ladder, dict) or any(
            not isinstance(v, list) or not v or not all(
                isinstance(m, int) and not isinstance(m, bool) and m >= 0 for m in v)
            for v in ladder.values()):
        errors.append(say("roster.errors.ladder"))
    referents = {}
    raw_referents = data.get("referents") or {}
    if not isinstance(raw_referents, dict):
        errors.append(say("roster.errors.referents"))
        raw_referents = {}
    for name, info in raw_referents.items():
        info = info if isinstance(info, dict) else {}
        who = say("roster.errors.who_referent", name=name)
        referents[referent_key(str(name))] = dict(
            {"name": str(name)}, **_contact(info, who, errors))
    if errors:
        raise RosterError("\n".join(errors))
    checked = dict(data, tiers=checked_tiers, referents=referents)
    # Sections added later default to "none", so that older files still load.
    digest = dict(DIGEST_DEFAULTS, **(data.get("digest") or {}))
    when = digest["time"]
    if isinstance(when, int):  # YAML 1.1 reads an unquoted 9:30 as 570 (base 60)
        when = f"{when // 60:02d}:{when % 60:02d}"
    digest["time"] = parse_time(str(when)) or DIGEST_DEFAULTS["time"]
    immediate = digest["immediate"]
    digest["immediate"] = immediate is True or str(immediate).strip().lower() in (
        "true", "yes", "oui", "1")
    digest["timezone"] = str(digest["timezone"] or DIGEST_DEFAULTS["timezone"])
    checked["digest"] = digest
    return checked


def roster_path() -> str:
    """The roster file in force: ``ROSTER_FILE``, or the default while it is missing."""
    path = os.environ.get("ROSTER_FILE") or str(ROSTER_PATH)
    if not os.path.exists(path):
        # A shared volume before its first edit in the console: never no roster.
        logger.warning("ROSTER_FILE %s does not exist yet: the default roster is used", path)
        path = str(ROSTER_PATH)
    return path


# (path, mtime) -> the checked roster, or the RosterError of that version of the file.
_READ: Dict[Tuple[str, int], Any] = {}
# path -> the last version of that file that was accepted (kept in force after a bad edit).
_LAST_GOOD: Dict[str, Dict[str, Any]] = {}


def roster() -> Dict[str, Any]:
    """The on-call roster and the alert ladder (``ROSTER_FILE`` or the default).

    Read again whenever the file changes (the console edits it while workers run).
    A version that fails ``check_roster`` is never used: the last good roster read
    by this process stays in force and the refusal is logged as an error (once per
    version of the file); with no good roster yet, RosterError (the worker refuses
    to start, see ``bot.worker.serve``).
    """
    path = roster_path()
    try:
        version = (path, os.stat(path).st_mtime_ns)
    except OSError:
        version = (path, -1)  # gone since: the read below says why
    if version not in _READ:
        for older in [v for v in _READ if v[0] == path]:
            del _READ[older]
        _READ[version] = _read_roster(path)
        if isinstance(_READ[version], RosterError) and path in _LAST_GOOD:
            logger.error("roster %s refused, the last good roster stays in force: %s",
                         path, str(_READ[version]).replace("\n", "; "))
    found = _READ[version]
    if isinstance(found, RosterError):
        if path in _LAST_GOOD:
            return _LAST_GOOD[path]
        raise found
    _LAST_GOOD[path] = found
    return found


def _read_roster(path: str) -> Any:
    """The checked roster of the file, or the RosterError saying why it is refused."""
    try:
        with open(path, encoding="utf-8") as handle:
            return check_roster(yaml.safe_load(handle))
    except RosterError as error:
        return error
    except (OSError, yaml.YAMLError) as error:
        return RosterError(str(error).splitlines()[0] if str(error) else repr(error))


def _forget_rosters() -> None:
    """Forget every roster read (tests; the console after writing a new one)."""
    _READ.clear()
    _LAST_GOOD.clear()


roster.cache_clear = _forget_rosters  # type: ignore[attr-defined]


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


RISK_CATEGORIES = ("suicide", "violence", "child", "medical")


async def raise_unanswered_questions(redis: Any, prefix: str, now: float,
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
        last = await redis.zscore(f"{prefix}:trk:index", case.get("person_id", ""))
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


async def send_to_contact(delivery: Any, contact: Dict[str, str], text: str) -> int:
    """Hand a message to a roster contact's phone (SMS) and Telegram chat.

    Returns how many of the two took it (0: the contact has neither). One failing
    does not stop the other; when every one tried failed, the last error is raised.
    """
    reached, error = 0, None
    for channel, address in (("sms", contact.get("phone")),
                             ("telegram", contact.get("telegram"))):
        if not address:
            continue
        try:
            await delivery.output(channel).send_text_message(f"{channel}:{address}", text)
            reached += 1
        except Exception as failed:  # noqa: BLE001 - provider errors vary by library
            logger.warning("%s to %s failed: %s", channel, contact.get("name", ""), failed)
            error = failed
    if error is not None and not reached:
        raise error
    return reached


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


@dataclass
class Page:
    """What one alert did: how many of the tier it reached, and what comes next."""

    reached: int = 0
    members: int = 0
    failed: int = 0  # recipients whose providers refused: tried again after the lease
    next_tier: Optional[int] = None
    next_due: Optional[float] = None


def _next_key(keys: CaseKeys, case_id: str, round_: str, tier: int) -> str:
    """Set once the tier after ``tier`` is scheduled for this round (never twice)."""
    return f"{keys.alert_sent(case_id, round_, tier, 0)}:next"


async def send_alert(redis: Any, prefix: str, member: str, delivery: Any,
                     now: float) -> Page:
    """Alert one tier about one case; say how many it reached and when the next tier is due.

    ``case:{id}:{tier}`` pages a tier about a pending case; ``join:{id}:{escalation}``
    tells tier 1 that a case being handled received a new risk message;
    ``referent:{id}:0`` sends a new watch case to the person's referent.

    A page that reaches nobody (every provider refused, or no contact) is logged
    as an error and the next tier is due at once, past the ladder's end if need
    be; otherwise at the ladder's delay. Each recipient is sent to once per
    round; those whose providers refused are counted in ``failed``.
    """
    keys = CaseKeys(prefix)
    kind, case_id, tier_text = member.split(":", 2)
    if kind == "referent":
        from bot.safety.digest import send_at_once

        sent = await send_at_once(redis, prefix, case_id, delivery, now)
        return Page(reached=sent, members=sent)
    joined = kind == "join"
    tier = 0 if joined else int(tier_text)
    case = await get_case(redis, prefix, case_id)
    if not case or (case["status"] != "pending" and not joined) or \
            (joined and case["status"] == "resolved"):
        return Page()
    data = roster()
    ladder = data["ladder"].get(case["level"]) or [0]
    # The ladder says when each tier is paged; a tier past its end is paged only
    # when the one before reached nobody (scheduled below).
    if tier >= len(data["tiers"]):
        return Page()
    person = {_s(k): _s(v) for k, v in
              (await redis.hgetall(keys.person(case["person_id"]))).items()}
    minutes = int((now - float(case["created_ts"])) // 60) if tier else 0
    text = alert_text(case, person, minutes, during=joined)
    round_ = f"join-{tier_text}" if joined else case.get("alert_round", "0")
    members = data["tiers"][tier]["members"]
    page = Page(members=len(members))
    for index, member_info in enumerate(members):
        sent_key = keys.alert_sent(case_id, round_, tier, index)
        if _s(await redis.get(sent_key)).startswith("sent"):
            page.reached += 1
            continue
        await redis.set(sent_key, f"sending:{now:.3f}", ex=7 * 86400)
        try:
            got = await send_to_contact(delivery, member_info, text)
        except Exception:  # noqa: BLE001 - the others are paged all the same
            logger.exception("case %s: the page of tier %d did not reach member %d (%s)",
                             case_id, tier, index + 1, member_info.get("name", ""))
            page.failed += 1
            continue
        if got:
            await redis.set(sent_key, f"sent:{now:.3f}", ex=7 * 86400)
            page.reached += 1
        else:
            await redis.delete(sent_key)
            logger.error("case %s: tier %d member %d (%s) has no phone and no Telegram",
                         case_id, tier, index + 1, member_info.get("name", ""))
    what = "new risk message of a claimed case" if joined else "case"
    if page.reached:
        await redis.hset(keys.case(case_id), mapping={"alerted_tier": str(tier),
                                                      "alerted_ts": f"{now:.3f}"})
        logger.warning("%s %s (%s) paged tier %d: %d of %d reached", what, case_id,
                       case["level"], tier, page.reached, page.members)
    else:
        logger.error("%s %s (%s): the page of tier %d reached nobody (%d member(s), "
                     "%d refused by the providers); %s", what, case_id, case["level"], tier,
                     page.members, page.failed,
                     "the next tier is paged at once" if tier + 1 < len(data["tiers"])
                     else "there is no further tier")
    if joined or tier + 1 >= len(data["tiers"]):
        return page
    if page.reached == 0:
        page.next_tier, page.next_due = tier + 1, now
    elif tier + 1 < len(ladder):
        page.next_tier = tier + 1
        page.next_due = float(case["created_ts"]) + int(ladder[tier + 1]) * 60
    if page.next_tier is not None:
        scheduled = _next_key(keys, case_id, round_, tier)
        if await redis.exists(scheduled):
            page.next_tier = page.next_due = None  # a retry of this tier: done already
        else:
            await redis.zadd(keys.alerts("due"),
                             {f"case:{case_id}:{page.next_tier}": page.next_due})
            await redis.set(scheduled, f"{page.next_due:.3f}", ex=7 * 86400)
    return page
