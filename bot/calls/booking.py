"""The next human call: volunteers, booking, assignment, reminders, the day's plan.

Keys (``{p}`` is ``LIEN_KEY_PREFIX``):

``{p}:volunteer:{id}``
    A hash: ``name``, ``phone`` (E.164), ``telegram`` (chat id),
    ``availability`` ("lun-ven 09:00-17:00; sam 10:00-12:00"),
    ``max_calls_per_day``, ``timezone``, ``active``.
``{p}:volunteers``
    The set of volunteer ids.
``{p}:call:{id}``
    A hash per call: ``person_id``, ``at_ts``, ``volunteer``, ``status``
    (``booked``, ``cancelled``), ``wish`` (the person's words), ``created_ts``.
``{p}:calls`` and ``{p}:volunteer:{id}:calls``
    Sorted sets of booked call ids by time.
``{p}:reminders:due``
    Sorted set ``call:{id}:person`` / ``call:{id}:volunteer`` /
    ``call:{id}:cancelled`` by the time the worker sends them.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time as dtime, timedelta
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bot.core.wording import raw, say
from bot.people.registry import DEFAULT_TZ, _decode, zone
from bot.core.phone import mask, to_e164
from bot.core.csvfile import read_table
from bot.core.keys import CallKeys
from bot.core.keys import EscalationKeys
from bot.core.ports import RedisClient
from bot.core.records import Call, Person, as_call, as_person

DAYS = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")
BUSY_MARGIN = 45 * 60
VOLUNTEER_COLUMNS = ("id", "name", "phone", "telegram", "availability",
                     "max_calls_per_day", "timezone")


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else ("" if value is None else str(value))


# -- availability -------------------------------------------------------------------
def parse_availability(spec: str) -> Optional[List[Tuple[frozenset, dtime, dtime]]]:
    """"lun-ven 09:00-12:00; sam 10:00-12:00" → windows (None when invalid)."""
    windows = []
    for part in re.split(r"[;\n]", spec or ""):
        part = part.strip().lower()
        if not part:
            continue
        match = re.fullmatch(r"([a-z,\- ]+?)\s+(\d{1,2})[:h](\d{2})\s*-\s*(\d{1,2})[:h](\d{2})",
                             part)
        if not match:
            return None
        days: set = set()
        for chunk in match.group(1).replace(" ", "").split(","):
            ends = chunk.split("-")
            try:
                indexes = [DAYS.index(e[:3]) for e in ends]
            except ValueError:
                return None
            if len(indexes) == 1:
                days.add(indexes[0])
            elif len(indexes) == 2:
                start, end = indexes
                days.update(range(start, end + 1) if start <= end else
                            list(range(start, 7)) + list(range(0, end + 1)))
            else:
                return None
        h1, m1, h2, m2 = (int(match.group(i)) for i in range(2, 6))
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
            return None
        start_t, end_t = dtime(h1, m1), dtime(min(h2, 23), m2 if h2 < 24 else 59)
        if end_t <= start_t:
            return None
        windows.append((frozenset(days), start_t, end_t))
    return windows or None


def available_at(volunteer: Dict[str, str], at_ts: float) -> bool:
    """Whether the volunteer's availability covers this moment."""
    if volunteer.get("active", "1") != "1":
        return False
    windows = parse_availability(volunteer.get("availability", ""))
    if not windows:
        return False
    local = datetime.fromtimestamp(at_ts, zone(volunteer.get("timezone", DEFAULT_TZ)))
    return any(local.weekday() in days and start <= local.time() < end
               for days, start, end in windows)


# -- volunteers import -------------------------------------------------------------
def read_volunteers(path: Path) -> Tuple[List[Dict[str, str]], List[str]]:
    """Validate a volunteers CSV; return (rows, errors)."""
    _header, reader, errors = read_table(path, VOLUNTEER_COLUMNS,
                                         ("id", "name", "availability"))
    if errors:
        return [], errors
    rows: List[Dict[str, str]] = []
    seen: Dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        values = {k: (row.get(k) or "").strip() for k in VOLUNTEER_COLUMNS}
        if not any(values.values()):
            continue
        problems = []
        for column in ("id", "name", "availability"):
            if not values[column]:
                problems.append(say("errors.required", field=column))
        if values["id"] and not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", values["id"]):
            problems.append(say("errors.name", field="id"))
        if values["phone"]:
            number = to_e164(values["phone"])
            if not number:
                problems.append(say("errors.phone", value=values["phone"]))
            values["phone"] = number or values["phone"]
        if values["telegram"] and not re.fullmatch(r"-?\d{1,20}", values["telegram"]):
            problems.append(say("errors.chat_id", value=values["telegram"]))
        if values["availability"] and parse_availability(values["availability"]) is None:
            problems.append(say("errors.availability", value=values["availability"]))
        limit = values["max_calls_per_day"] or "6"
        if not limit.isdigit() or not 0 < int(limit) <= 50:
            problems.append(say("errors.max_calls", value=limit))
        values["max_calls_per_day"] = limit
        values["timezone"] = values["timezone"] or DEFAULT_TZ
        if values["id"] in seen:
            problems.append(say("errors.duplicate", other=seen[values["id"]]))
        if problems:
            errors += [say("import.row_error", line=line, error=p) for p in problems]
            continue
        seen[values["id"]] = line
        values["active"] = "1"
        rows.append(values)
    if not rows and not errors:
        errors.append(say("import.empty_file"))
    return rows, errors


async def import_volunteers(redis: RedisClient, prefix: str,
                            rows: List[Dict[str, str]]) -> Dict[str, int]:
    """Write validated volunteers (idempotent)."""
    keys = CallKeys(prefix)
    counts = {"total": len(rows), "created": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        old = _decode(await redis.hgetall(keys.volunteer(row["id"])))
        fields = {k: v for k, v in row.items() if k != "id"}
        changed = {k: v for k, v in fields.items() if old.get(k, "") != v}
        if not old:
            counts["created"] += 1
        elif changed:
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
            continue
        async with redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.volunteer(row["id"]), mapping=changed)
            pipe.sadd(keys.volunteers, row["id"])
            await pipe.execute()
    return counts


# -- assignment and booking ----------------------------------------------------------
async def _load_volunteers(redis: RedisClient, keys: CallKeys) -> Dict[str, Dict[str, str]]:
    ids = sorted(_s(v) for v in await redis.smembers(keys.volunteers))
    async with redis.pipeline(transaction=False) as pipe:
        for volunteer_id in ids:
            pipe.hgetall(keys.volunteer(volunteer_id))
        found = await pipe.execute()
    return {vid: _decode(v) for vid, v in zip(ids, found) if v}


async def _fits(redis: RedisClient, keys: CallKeys, vid: str, volunteer: Dict[str, str],
                at_ts: float) -> Tuple[bool, int]:
    """Available, not busy around that time, under the daily limit; and that day's load."""
    if not available_at(volunteer, at_ts):
        return False, 0
    tz = zone(volunteer.get("timezone", DEFAULT_TZ))
    day = datetime.fromtimestamp(at_ts, tz).date()
    start = datetime.combine(day, dtime(0, 0), tz).timestamp()
    end = datetime.combine(day + timedelta(days=1), dtime(0, 0), tz).timestamp()
    calls = keys.volunteer_calls(vid)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zcount(calls, at_ts - BUSY_MARGIN + 1, at_ts + BUSY_MARGIN - 1)
        pipe.zcount(calls, start, end - 1)
        busy, load = await pipe.execute()
    limit = int(volunteer.get("max_calls_per_day") or 6)
    return (busy == 0 and load < limit), int(load)


async def choose_volunteer(redis: RedisClient, prefix: str, person: Person,
                           at_ts: float) -> Optional[str]:
    """The same volunteer as last time when free, else the least loaded free one."""
    keys = CallKeys(prefix)
    volunteers = await _load_volunteers(redis, keys)
    last = person.get("last_volunteer", "")
    if last in volunteers:
        ok, _ = await _fits(redis, keys, last, volunteers[last], at_ts)
        if ok:
            return last
    best: Optional[Tuple[int, int, str]] = None
    for vid, volunteer in volunteers.items():
        ok, load = await _fits(redis, keys, vid, volunteer, at_ts)
        if not ok:
            continue
        week = await redis.zcount(keys.volunteer_calls(vid), at_ts - 7 * 86400,
                                  at_ts + 7 * 86400)
        rank = (load, int(week), vid)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


async def get_call(redis: RedisClient, prefix: str, call_id: str) -> Call:
    """A call's fields (empty when unknown)."""
    return as_call(_decode(await redis.hgetall(CallKeys(prefix).call(call_id))))


@dataclass
class Booking:
    """A booked call."""

    call_id: str
    at_ts: float
    volunteer_id: Optional[str]
    volunteer_name: str


async def book_call(redis: RedisClient, prefix: str, person_id: str, at_ts: float, wish: str,
                    now_ts: float, reminder_minutes: int = 60) -> Booking:
    """Book the person's next call (replacing a booked one), assign, schedule reminders."""
    keys = CallKeys(prefix)
    person = as_person(_decode(await redis.hgetall(keys.person(person_id))))
    previous = person.get("next_call_id", "")
    if previous:
        call = await get_call(redis, prefix, previous)
        if call.get("status") == "booked" and call.get("at_ts") == f"{at_ts:.0f}":
            # The same moment said again ("ok, samedi 9h alors"): nothing moves,
            # the volunteer is not told of a cancellation.
            volunteer_id = call.get("volunteer") or None
            volunteer = _decode(await redis.hgetall(keys.volunteer(volunteer_id))) \
                if volunteer_id else {}
            return Booking(previous, at_ts, volunteer_id,
                           volunteer.get("name", "").split(" ")[0])
        await cancel_call(redis, prefix, person_id, now_ts, notify=True)
    volunteer_id = await choose_volunteer(redis, prefix, person, at_ts)
    volunteer = _decode(await redis.hgetall(keys.volunteer(volunteer_id))) if volunteer_id else {}
    call_id = f"{int(now_ts * 1000):013d}-{uuid.uuid4().hex[:8]}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(keys.call(call_id), mapping={
            "person_id": person_id, "at_ts": f"{at_ts:.0f}", "volunteer": volunteer_id or "",
            "status": "booked", "wish": wish[:200], "created_ts": f"{now_ts:.3f}",
        })
        pipe.zadd(keys.calls, {call_id: at_ts})
        pipe.zadd(keys.person_calls(person_id), {call_id: at_ts})
        mapping = {"next_call_id": call_id, "next_call_ts": f"{at_ts:.0f}"}
        if volunteer_id:
            pipe.zadd(keys.volunteer_calls(volunteer_id), {call_id: at_ts})
            mapping["last_volunteer"] = volunteer_id
        pipe.hset(keys.person(person_id), mapping=mapping)
        remind_at = at_ts - reminder_minutes * 60
        if remind_at > now_ts:
            pipe.zadd(keys.reminders, {f"call:{call_id}:person": remind_at})
            if volunteer_id:
                pipe.zadd(keys.reminders, {f"call:{call_id}:volunteer": remind_at})
        await pipe.execute()
    return Booking(call_id, at_ts, volunteer_id, volunteer.get("name", "").split(" ")[0])


async def cancel_call(redis: RedisClient, prefix: str, person_id: str, now_ts: float,
                      notify: bool = True) -> Optional[Call]:
    """Cancel the person's next call (the volunteer is told); return it."""
    keys = CallKeys(prefix)
    call_id = _s(await redis.hget(keys.person(person_id), "next_call_id"))
    if not call_id:
        return None
    call = await get_call(redis, prefix, call_id)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(keys.call(call_id), mapping={"status": "cancelled",
                                               "cancelled_ts": f"{now_ts:.3f}"})
        pipe.zrem(keys.calls, call_id)
        pipe.zrem(keys.reminders, f"call:{call_id}:person", f"call:{call_id}:volunteer")
        pipe.hdel(keys.person(person_id), "next_call_id", "next_call_ts")
        if call.get("status") == "booked" and call.get("at_ts"):
            # kept a little while as the context of a new request ("annulez...
            # enfin non, mettez-le jeudi à la même heure": actions/calls.py)
            pipe.hset(keys.person(person_id), mapping={
                "cancelled_call_ts": str(call["at_ts"]), "cancelled_on_ts": f"{now_ts:.3f}"})
        if call.get("volunteer"):
            pipe.zrem(keys.volunteer_calls(call["volunteer"]), call_id)
            if notify and float(call.get("at_ts") or 0) > now_ts:
                pipe.zadd(keys.reminders, {f"call:{call_id}:cancelled": now_ts})
        await pipe.execute()
    return call if call.get("status") == "booked" else None


# -- the day's plan ------------------------------------------------------------------
@dataclass
class PlannedCall:
    """One line of the plan."""

    at_ts: float
    volunteer_id: str
    volunteer_name: str
    person_id: str
    first_name: str
    channel: str
    risk: bool
    no_news: bool
    missed: int
    falling: bool

    @property
    def priority(self) -> Tuple:
        """Open risk cases, then missed check-ins, then falling mood, then time."""
        return (not self.risk, not self.no_news, -self.missed, not self.falling, self.at_ts)

    def reason(self) -> str:
        """Why this call matters today, in words."""
        if self.risk:
            return say("plan.reasons.risk")
        if self.no_news:
            return say("plan.reasons.no_news")
        if self.missed:
            return say("plan.reasons.missed", count=self.missed)
        if self.falling:
            return say("plan.reasons.falling")
        return say("plan.reasons.none")


def falling_mood(moods: Dict[str, str], day: date) -> bool:
    """Worse in the last three days than in the four before."""
    score = {"good": 1, "need": 0, "bad": -1}

    def mean(days: range) -> Optional[float]:
        values = [score[moods[d]] for d in
                  ((day - timedelta(days=i)).isoformat() for i in days) if d in moods
                  and moods[d] in score]
        return sum(values) / len(values) if values else None

    recent, before = mean(range(0, 3)), mean(range(3, 7))
    if recent is None:
        return False
    if before is None:
        return recent < 0
    return recent < before


async def day_plan(redis: RedisClient, prefix: str, day: date, tz_name: str = DEFAULT_TZ
                   ) -> List[PlannedCall]:
    """The day's booked calls, ordered by volunteer then priority."""
    keys = CallKeys(prefix)
    tz = zone(tz_name)
    start = datetime.combine(day, dtime(0, 0), tz).timestamp()
    end = datetime.combine(day + timedelta(days=1), dtime(0, 0), tz).timestamp()
    call_ids = [_s(c) for c in await redis.zrangebyscore(keys.calls, start, end - 1)]
    volunteers = await _load_volunteers(redis, keys)
    lines: List[PlannedCall] = []
    for call_id in call_ids:
        call = await get_call(redis, prefix, call_id)
        if call.get("status") != "booked":
            continue
        person_id = call["person_id"]
        person = as_person(_decode(await redis.hgetall(keys.person(person_id))))
        risk = await open_risk(redis, prefix, person_id)
        moods = _decode(await redis.hgetall(keys.mood(person_id)))
        volunteer_id = call.get("volunteer", "")
        lines.append(PlannedCall(
            at_ts=float(call["at_ts"]), volunteer_id=volunteer_id,
            volunteer_name=volunteers.get(volunteer_id, {}).get("name", "")
            or say("plan.unassigned"),
            person_id=person_id, first_name=person.get("first_name", ""),
            channel=person.get("channel", ""), risk=risk,
            no_news=bool(person.get("no_news_id")), missed=int(person.get("missed") or 0),
            falling=falling_mood(moods, day),
        ))
    lines.sort(key=lambda c: (c.volunteer_name, c.priority))
    return lines


async def open_risk(redis: RedisClient, prefix: str, person_id: str) -> bool:
    """Whether the person has a pending or claimed critical/high escalation."""
    keys = EscalationKeys(prefix)
    ids = [_s(i) for i in await redis.zrevrange(keys.by_person(person_id), 0, 20)]
    for escalation_id in ids:
        level, status = await redis.hmget(keys.record(escalation_id), "level", "status")
        if _s(level) in ("critical", "high") and _s(status) in ("pending", "claimed", ""):
            return True
    return False


def plan_rows(lines: List[PlannedCall], tz_name: str = DEFAULT_TZ) -> List[List[str]]:
    """The plan as rows (for the table and the CSV); numbers are masked."""
    tz = zone(tz_name)
    rows = []
    for line in lines:
        channel, _, address = line.person_id.partition(":")
        shown = mask(address) if channel == "sms" else line.person_id
        rows.append([
            line.volunteer_name,
            datetime.fromtimestamp(line.at_ts, tz).strftime("%H:%M"),
            str(1 + [line.risk, line.no_news or line.missed > 0, line.falling, True]
                .index(True)),
            f"{line.first_name} ({shown})".strip(),
            line.channel,
            line.reason(),
        ])
    return rows


def render_plan(lines: List[PlannedCall], day: date, as_csv: bool,
                tz_name: str = DEFAULT_TZ) -> str:
    """The plan as a table per volunteer, or as CSV."""
    rows = plan_rows(lines, tz_name)
    header = ["bénévole"] + list(raw("plan.header"))
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()
    if not rows:
        return say("plan.empty", date=day.isoformat()) + "\n"
    out_lines = [say("plan.title", date=day.isoformat()), ""]
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(1, len(header))]
    current = None
    for row in rows:
        if row[0] != current:
            current = row[0]
            count = sum(1 for r in rows if r[0] == current)
            out_lines += ["", say("plan.volunteer", name=current, count=count),
                          "  " + "  ".join(h.ljust(w) for h, w in zip(header[1:], widths))]
        out_lines.append("  " + "  ".join(str(c).ljust(w) for c, w in zip(row[1:], widths)))
    return "\n".join(out_lines).strip() + "\n"
