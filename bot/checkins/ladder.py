"""Silence is a signal: the ladder after a check-in nobody answers.

For a person whose watch level is ``renforcee`` (set by the social worker), a
check-in opens an **episode**; if no answer comes, the worker walks its steps
(``bot/resources/ladder.yml`` gives every delay):

1. ``reask``: one gentle re-ask on the same channel;
2. ``circle``: the circle of care is asked, one contact at a time, in order (a
   contact who does not answer within ``contact_wait`` is skipped and the next
   one asked); an undelivered SMS to the person jumps here at once;
3. a contact's OK is an all-clear (who and when is recorded); AIDE opens a high
   case and pages the on-call tier at once;
4. ``deadline``: nobody confirmed ``confirm_within`` after the first contact was
   asked: ``escalate``, a high ``no_news`` case, the on-call tier paged and the
   referent told at once.

At any step an answer from the person ends the episode, and everyone who was
asked gets "Marie a répondu, tout va bien. Merci !" (``thanks``). Quiet hours
hold for the person and the contacts: a ladder that finds nobody it may ask now
goes to the on-call tier instead of waiting for the morning. For ``standard``
people nothing changes (a watch case after N silent check-ins), unless the
social worker chose the circle for them (``circle_on_silence``): then the circle
is asked at that moment.

Every step is an entry of a leased queue (``ladder:due``, like check-ins): a
worker killed mid-step leaves its lease to expire and another takes the step
again; each message has a send-once key, so nothing is skipped and nothing is
sent twice; every step first reads the episode, so an answer that crosses a
step in flight wins.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from bot.core.config import RESOURCES, load_settings
from bot.core.keys import Keys, LadderKeys
from bot.core.phone import mask
from bot.core.ports import JobContext
from bot.core.records import Person, as_person
from bot.core.redisx import LeasedQueue, hash_of, s, send_once
from bot.people import circle
from bot.people.registry import DEFAULT_QUIET, in_quiet_hours, zone
from bot.safety.escalation import Escalation, EscalationKeys, record_escalation
from bot.safety.risk import load_lexicon
from bot.core.wording import load

logger = logging.getLogger(__name__)

LADDER_FILE = RESOURCES / "ladder.yml"
WORDING_FILE = RESOURCES / "ladder_fr.yml"
WATCH_LEVELS = ("standard", "renforcee")
SENT_TTL = 7 * 86400
# A person's episode is forgotten this long after it ended.
EPISODE_TTL = 30 * 86400
_DELAYS = ("reask_after", "circle_after", "contact_wait", "confirm_within")
_CIRCLE = ("always", "chosen", "never")


class LadderError(ValueError):
    """The ladder file is refused."""


@dataclass(frozen=True)
class Level:
    """The ladder of one watch level (delays in minutes; None: no such step)."""

    reask_after: Optional[float]
    circle_after: Optional[float]
    contact_wait: float
    confirm_within: float
    circle: str


def check_ladder(data: Any) -> Dict[str, Level]:
    """Validate the ladder file's content; every problem at once."""
    errors: List[str] = []
    levels = (data or {}).get("levels") if isinstance(data, dict) else None
    if not isinstance(levels, dict):
        raise LadderError("levels: missing")
    out: Dict[str, Level] = {}
    for name in WATCH_LEVELS:
        spec = levels.get(name)
        if not isinstance(spec, dict):
            errors.append(f"levels.{name}: missing")
            continue
        unknown = set(spec) - set(_DELAYS) - {"circle"}
        if unknown:
            errors.append(f"levels.{name}: unknown {', '.join(sorted(unknown))}")
        values: Dict[str, Optional[float]] = {}
        for key in _DELAYS:
            value = spec.get(key)
            if value is None and key in ("reask_after", "circle_after"):
                values[key] = None
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                errors.append(f"levels.{name}.{key}: a positive number of minutes")
                continue
            values[key] = float(value)
        if (values.get("reask_after") is None) != (values.get("circle_after") is None):
            errors.append(f"levels.{name}: reask_after and circle_after go together")
        if spec.get("circle", "never") not in _CIRCLE:
            errors.append(f"levels.{name}.circle: one of {', '.join(_CIRCLE)}")
        if not errors:
            out[name] = Level(values["reask_after"], values["circle_after"],
                              float(values["contact_wait"] or 0),
                              float(values["confirm_within"] or 0),
                              str(spec.get("circle", "never")))
    if errors:
        raise LadderError("\n".join(errors))
    return out


@lru_cache(maxsize=4)
def _read(path: str) -> Dict[str, Level]:
    return check_ladder(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def ladder(path: Optional[Path] = None) -> Dict[str, Level]:
    """The ladder per watch level (read once; ``LadderError`` when refused)."""
    return _read(str(path or LADDER_FILE))


def wording() -> Dict[str, Any]:
    """What the ladder says (bot/resources/ladder_fr.yml)."""
    return load(WORDING_FILE.name)


def say(key: str, **values: Any) -> str:
    """One sentence of the ladder's wording."""
    return str(wording()[key]).format(**values)


def watch_level(person: Person) -> str:
    """The person's watch level (``standard`` unless the social worker chose another)."""
    level = person.get("watch", "")
    return level if level in WATCH_LEVELS else "standard"


def step_member(person_id: str, episode: str, step: str) -> str:
    """The due-queue member of one step of one episode."""
    return f"{person_id}|{episode}|{step}"


def queue(redis: Any, prefix: str) -> LeasedQueue:
    """The leased queue of due steps."""
    keys = LadderKeys(prefix)
    return LeasedQueue(redis, keys.due, keys.leased, keys.lease_due, keys.lease_owner)


async def episode_of(redis: Any, prefix: str, person_id: str) -> Dict[str, str]:
    """The person's current (or last) episode ({} when none)."""
    return hash_of(await redis.hgetall(LadderKeys(prefix).episode(person_id)))


async def _open(redis: Any, prefix: str, person_id: str, episode: str, step: str,
                checkin_ts: float, level: str, now: float) -> bool:
    key = LadderKeys(prefix).episode(person_id)
    current = s(await redis.hget(key, "status"))
    if current in ("open", "escalated"):
        return False  # an earlier silence is still being looked into
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(key)
        pipe.hset(key, mapping={"episode": episode, "status": "open", "step": step,
                                "checkin_ts": f"{checkin_ts:.3f}", "level": level,
                                "started_ts": f"{now:.3f}", "asked": "[]"})
        pipe.persist(key)
        await pipe.execute()
    return True


async def start_after_checkin(redis: Any, prefix: str, person_id: str,
                              person: Person, sent_at: float) -> Optional[str]:
    """A check-in went to someone whose level re-asks: open an episode (or keep an
    open one) and schedule the re-ask. Returns the episode, or None.
    """
    level_name = watch_level(person)
    level = ladder()[level_name]
    if level.reask_after is None:
        return None
    episode = f"{sent_at:.0f}"
    if not await _open(redis, prefix, person_id, episode, "waiting", sent_at, level_name,
                       sent_at):
        return None
    await redis.zadd(LadderKeys(prefix).due,
                     {step_member(person_id, episode, "reask"): sent_at + level.reask_after * 60})
    return episode


async def ask_circle_now(redis: Any, prefix: str, person_id: str, person: Person,
                         now: float, why: str) -> Optional[str]:
    """Go to the circle of care now: an SMS to the person could not be delivered
    (``why="undelivered"``), or a standard person whose social worker chose the
    circle stayed silent (``why="missed"``). Returns the episode, or None.
    """
    level_name = watch_level(person)
    level = ladder()[level_name]
    chosen = person.get("circle_on_silence") == "1"
    if level.circle == "never" or (level.circle == "chosen" and not chosen):
        return None
    current = await episode_of(redis, prefix, person_id)
    if current.get("status") == "open":
        episode = current["episode"]
        if current.get("step") not in ("waiting", "reask"):
            return episode  # the circle is already being asked
    else:
        checkin_ts = float(person.get("last_checkin_ts") or now)
        episode = f"{now:.0f}"
        if not await _open(redis, prefix, person_id, episode, "waiting", checkin_ts,
                           level_name, now):
            return None
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(LadderKeys(prefix).episode(person_id), mapping={"reason": why,
                                                                  "step": "circle"})
        # No re-ask to a number just reported undeliverable (or after the missed case).
        pipe.zrem(LadderKeys(prefix).due, step_member(person_id, episode, "reask"))
        pipe.zadd(LadderKeys(prefix).due, {step_member(person_id, episode, "circle"): now})
        await pipe.execute()
    return episode


async def close(redis: Any, prefix: str, person_id: str, how: str, by: str,
                now: float) -> bool:
    """End an open (or escalated) episode: the person answered, a contact saw them,
    a listener saw them in person. Everyone asked is thanked (``thanks`` step).
    """
    key = LadderKeys(prefix).episode(person_id)
    current = await episode_of(redis, prefix, person_id)
    if current.get("status") not in ("open", "escalated"):
        return False
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, mapping={"status": how, "closed_ts": f"{now:.3f}", "closed_by": by})
        pipe.expire(key, EPISODE_TTL)
        pipe.zadd(LadderKeys(prefix).due,
                  {step_member(person_id, current["episode"], "thanks"): now})
        await pipe.execute()
    logger.warning("ladder of %s closed: %s", _masked(person_id), how)
    return True


async def person_answered(redis: Any, prefix: str, person_id: str, now: float) -> bool:
    """Any message from the person ends the episode (called by the tracker store)."""
    return await close(redis, prefix, person_id, "answered", "person", now)


def _masked(person_id: str) -> str:
    channel, _, address = person_id.partition(":")
    return f"{channel}:{mask(address) if channel == 'sms' else '••' + address[-2:]}"


# -- the worker's job ------------------------------------------------------------
async def work_ladder(ctx: JobContext) -> int:
    """Worker job: run the ladder's due steps (leased; one worker per step)."""
    now = ctx.now()
    steps = queue(ctx.redis, ctx.prefix)
    done = 0
    for member, _due in await steps.claim(now, now + ctx.settings.lease_seconds, 100,
                                          ctx.token):
        try:
            await run_step(ctx, member, now)
        except Exception:  # noqa: BLE001 - retried when the lease expires
            logger.exception("ladder step %s failed; retried after the lease",
                             member.rpartition("|")[2])
            continue
        await steps.complete(member, ctx.token, None)
        done += 1
    return done


async def run_step(ctx: JobContext, member: str, now: float) -> str:
    """One step of one episode; what it did."""
    person_id, episode, step = member.split("|")
    redis, prefix = ctx.redis, ctx.prefix
    current = await episode_of(redis, prefix, person_id)
    if current.get("episode") != episode:
        return "stale"
    if step == "thanks":
        return await _thanks(ctx, person_id, current)
    if current.get("status") != "open":
        return "closed"  # an answer crossed the step: it wins
    person = as_person(hash_of(await redis.hgetall(Keys(prefix).person(person_id))))
    if not person or person.get("status") == "opted_out":
        await close(redis, prefix, person_id, "stopped", "status", now)
        return "closed"
    level = ladder()[current.get("level") or watch_level(person)]
    if step == "reask":
        return await _reask(ctx, person_id, person, current, level, now)
    if step == "circle":
        return await _ask_next(ctx, person_id, person, current, level, now)
    if step in ("deadline", "escalate"):
        return await escalate(ctx.redis, prefix, person_id, person, current, now,
                              "deadline" if step == "deadline" else "nobody")
    return "unknown"


def quiet_now(tz_name: str, now: float) -> bool:
    """Whether ``now`` falls in the quiet hours of the timezone (QUIET_HOURS)."""
    local = datetime.fromtimestamp(now, zone(tz_name)).time()
    return in_quiet_hours(local, load_settings().quiet_hours or DEFAULT_QUIET)


async def _reask(ctx: JobContext, person_id: str, person: Person,
                 current: Dict[str, str], level: Any, now: float) -> str:
    redis, prefix, episode = ctx.redis, ctx.prefix, current["episode"]
    key = LadderKeys(prefix).episode(person_id)
    if current.get("step") != "waiting":
        return "skipped"  # the circle was asked already (an undelivered SMS)
    if quiet_now(person.get("timezone", ""), now):
        # No message to the person at night: the circle (or on-call) decides.
        async with redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, "step", "reask")
            pipe.zadd(LadderKeys(prefix).due, {step_member(person_id, episode, "circle"): now})
            await pipe.execute()
        return "quiet"
    register = "tu" if person.get("register") == "tu" else "vous"
    first = person.get("first_name", "")
    text = str(wording()["reask"][register]).format(name=f" {first}" if first else "")
    channel = person_id.partition(":")[0]
    output = ctx.alert_output().output(channel)
    try:
        await send_once(redis, LadderKeys(prefix).sent(person_id, episode, "reask"),
                        partial(send_text, output, person_id, text), now, SENT_TTL)
    except Exception:  # noqa: BLE001 - the person cannot be reached: the circle, now
        logger.warning("ladder of %s: the re-ask could not be sent; the circle is asked",
                       _masked(person_id))
        async with redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"step": "reask", "reask_failed": "1"})
            pipe.zadd(LadderKeys(prefix).due, {step_member(person_id, episode, "circle"): now})
            await pipe.execute()
        return "unreachable"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, mapping={"step": "reask", "reask_ts": f"{now:.3f}"})
        pipe.zadd(LadderKeys(prefix).due, {
            step_member(person_id, episode, "circle"): now + (level.circle_after or 0) * 60})
        await pipe.execute()
    return "reask"


async def send_text(output: Any, address: str, text: str) -> bool:
    """Send one text on an output; True (for send_once)."""
    await output.send_text_message(address, text)
    return True


def _may_ask(contact: circle.Contact, tz_name: str, now: float) -> bool:
    local = datetime.fromtimestamp(now, zone(tz_name)).strftime("%H:%M")
    start, end = contact.hours_window()
    inside = start <= local < end if start <= end else (local >= start or local < end)
    return inside and not quiet_now(tz_name, now)


def since_words(checkin_ts: float, tz_name: str, now: float) -> str:
    """"9 h 30" (today), or "hier 20 h" — when the last check-in went."""
    moment = datetime.fromtimestamp(checkin_ts, zone(tz_name))
    today = datetime.fromtimestamp(now, zone(tz_name)).date()
    words = wording()["since"]
    time_words = str(words["hour_minutes" if moment.minute else "hour"]).format(
        hour=moment.hour, minute=moment.minute)
    days = (today - moment.date()).days
    which = "today" if days <= 0 else "yesterday" if days == 1 else "earlier"
    return str(words[which]).format(time=time_words, day=moment.day, month=moment.month)


def person_name(person: Person) -> str:
    """The person's first name, as contacts are told it ("la personne" if unknown)."""
    return person.get("first_name") or str(wording()["someone"])


async def _ask_next(ctx: JobContext, person_id: str, person: Person,
                    current: Dict[str, str], level: Any, now: float) -> str:
    redis, prefix, episode = ctx.redis, ctx.prefix, current["episode"]
    key = LadderKeys(prefix).episode(person_id)
    tz_name = person.get("timezone", "")
    asked: List[str] = json.loads(current.get("asked") or "[]")
    chosen = level.circle == "always" or (
        level.circle == "chosen" and person.get("circle_on_silence") == "1")
    candidates = [c for c in await circle.contacts(redis, prefix, person_id)
                  if chosen and c.status == "agreed" and c.id not in asked]
    contact = next((c for c in candidates if _may_ask(c, tz_name, now)), None)
    if contact is None:
        reached = [c for c in asked if c not in json.loads(current.get("unreachable") or "[]")]
        if not reached:
            # Nobody can be asked now (no circle, none agreed, quiet hours): on-call.
            return await escalate(redis, prefix, person_id, person, current, now,
                                  "no_contact")
        return "waiting"  # every contact asked: the deadline decides
    text = say("ask_contact", contact=contact.first_name,
               person=person_name(person),
               since=since_words(float(current.get("checkin_ts") or now), tz_name, now))
    output = ctx.alert_output().output(contact.channel)
    try:
        await send_once(redis, LadderKeys(prefix).sent(person_id, episode, f"ask:{contact.id}"),
                        partial(send_text, output, contact.address, text), now, SENT_TTL)
    except Exception:  # noqa: BLE001 - this contact cannot be reached: the next one, now
        logger.warning("ladder of %s: contact %s could not be reached; next one",
                       _masked(person_id), contact.id)
        unreachable = json.loads(current.get("unreachable") or "[]") + [contact.id]
        async with redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"asked": json.dumps(asked + [contact.id]),
                                    "unreachable": json.dumps(unreachable)})
            pipe.zadd(LadderKeys(prefix).due, {step_member(person_id, episode, "circle"): now})
            await pipe.execute()
        return "unreachable"
    # Re-read: the person (or a contact) may have answered while the ask was in flight.
    after = await episode_of(redis, prefix, person_id)
    asked = json.loads(after.get("asked") or "[]")
    if contact.id not in asked:
        asked.append(contact.id)
    still_open = after.get("status") == "open" and after.get("episode") == episode
    first_ask = not after.get("first_asked_ts")
    mapping = {"asked": json.dumps(asked), "asking": contact.id, "asked_ts": f"{now:.3f}"}
    if still_open:
        mapping["step"] = "circle"
    if first_ask:
        mapping["first_asked_ts"] = f"{now:.3f}"
    if still_open:
        due = {step_member(person_id, episode, "circle"): now + level.contact_wait * 60}
        if first_ask:
            due[step_member(person_id, episode, "deadline")] = now + level.confirm_within * 60
    else:
        # The answer won while this contact was being asked: thank them too.
        due = {step_member(person_id, episode, "thanks"): now}
    # One transaction: a worker killed here leaves both or neither (the retry finds
    # the ask already sent and records it then).
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, mapping=mapping)
        pipe.zadd(LadderKeys(prefix).due, due)
        await pipe.execute()
    return "asked" if still_open else "answered meanwhile"


async def escalate(redis: Any, prefix: str, person_id: str, person: Person,
                   current: Dict[str, str], now: float, why: str, text: str = "") -> str:
    """A high ``no_news`` case: the on-call tier is paged, the referent told at once
    (``source=ladder``, see bot.safety.cases.consume). A contact's message that the
    risk lexicon reads as a clear risk keeps its category and level (a fall is
    medical). Without an episode (a contact's help outside a ladder) only the case.
    """
    key = LadderKeys(prefix).episode(person_id)
    if current and current.get("status") != "open" and why != "contact_help":
        return "closed"
    found = load_lexicon().match(text) if text else None
    category, level = "no_news", "high"
    if found is not None and found.level in ("critical", "high"):
        category = found.category
        level = "critical" if found.level == "critical" else "high"
    episode = current.get("episode", "") or f"{now:.0f}"
    escalation = Escalation(
        sender_id=person_id, category=category, level=level,
        channel=person.get("channel", "") or person_id.partition(":")[0],
        source="ladder", intent="", pattern=f"ladder:{why}",
        message_id=f"ladder:{episode}:{why}", text="",
        recorded_by="worker", created_ts=now)
    _, escalation_id = await record_escalation(redis, escalation, prefix)
    await redis.hset(EscalationKeys(prefix).record(escalation_id), "referent",
                     person.get("referent", ""))
    if current:
        await redis.hset(key, mapping={"status": "escalated", "step": "on_call",
                                       "escalated_ts": f"{now:.3f}", "why": why,
                                       "escalation_id": escalation_id})
    logger.warning("ladder of %s: on-call paged (%s)", _masked(person_id), why)
    return "escalated"


async def _thanks(ctx: JobContext, person_id: str, current: Dict[str, str]) -> str:
    """Tell everyone who was asked that all is well (once each)."""
    redis, prefix, episode = ctx.redis, ctx.prefix, current["episode"]
    how = current.get("status", "")
    if how not in ("answered", "seen", "confirmed"):
        return "nothing"
    person = as_person(hash_of(await redis.hgetall(Keys(prefix).person(person_id))))
    name = person_name(person)
    checker = current.get("closed_by", "")
    if quiet_now(person.get("timezone", ""), ctx.now()):
        # Good news can wait for the morning: no message to a contact at night.
        await redis.zadd(LadderKeys(prefix).due,
                         {step_member(person_id, episode, "thanks"): ctx.now() + 3600})
        return "quiet"
    asked = set(json.loads(current.get("asked") or "[]"))
    sent = 0
    for contact in await circle.contacts(redis, prefix, person_id):
        if contact.id not in asked and not s(await redis.get(
                LadderKeys(prefix).sent(person_id, episode, f"ask:{contact.id}"))
        ).startswith("sent"):
            # Never asked. (An ask still in flight is thanked by its own step, which
            # finds the ladder closed after sending and schedules the thanks again.)
            continue
        if contact.status == "stopped" or contact.id == checker:
            continue
        if how == "answered":
            text = say("person_answered", person=name)
        elif how == "seen":
            text = say("seen_in_person", person=name)
        else:
            checker_contact = await circle.get_contact(redis, prefix, person_id, checker)
            text = say("someone_checked", person=name,
                       checker=checker_contact.first_name if checker_contact
                       else str(wording()["a_relative"]))
        output = ctx.alert_output().output(contact.channel)
        if await send_once(redis, LadderKeys(prefix).sent(person_id, episode,
                                                          f"thanks:{contact.id}"),
                           partial(send_text, output, contact.address, text),
                           ctx.now(), SENT_TTL):
            sent += 1
    return f"thanked {sent}"


async def seen_in_person(redis: Any, prefix: str, person_id: str, listener: str,
                         now: float) -> bool:
    """A listener marks "vu en personne, tout va bien" in the console."""
    return await close(redis, prefix, person_id, "seen", f"listener:{listener}", now)
