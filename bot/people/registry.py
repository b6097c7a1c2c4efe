"""The people Lien keeps a link with: a minimal registry in Redis.

Keys (``{p}`` is ``LIEN_KEY_PREFIX``):

``{p}:person:{id}``
    A hash per person. ``id`` is the conversation id: ``sms:+33612345678`` or
    ``telegram:123456``. Registry fields: ``first_name``, ``last_name``,
    ``birth_year``, ``channel``, ``address``, ``postal_address``, ``email``,
    ``timezone``, ``morning``, ``evening`` (``HH:MM`` or empty for none),
    ``referent``, ``register`` (``tu``/``vous``), ``consent_at``,
    ``consent_how``, ``status`` (``pending``, ``active``, ``paused``,
    ``opted_out``), ``paused_until``; optional: ``territory`` (département code,
    ``75``, ``2A``, ``971``: which services file applies), ``watch`` (``standard``
    or ``renforcee``: the ladder after a missed check-in), ``circle_on_silence``
    (a standard person's circle of care is asked at the missed-check-in case) and ``agreement``
    (``f``, ``m`` or empty for neutral wording: given by the person or the
    social worker, never guessed). Runtime fields written by the worker and
    the assistant: ``missed``, ``last_checkin_*``, ``unreachable``,
    ``last_volunteer``... Never health data, never the benefits a person gets.
``{p}:persons``
    The set of every person id.
``{p}:checkins:due``
    Sorted set ``{id}|morning`` / ``{id}|evening`` scored by the next due time
    (seconds since the epoch, UTC), computed from the person's local time in
    their timezone, so daylight saving moves nothing.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time as dtime, timedelta
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Literal, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core import records
from bot.core.wording import say
from bot.core.phone import to_e164
from bot.core.csvfile import read_table
from bot.core.keys import Keys
from bot.core.ports import RedisClient

SLOTS: Tuple[Literal["morning"], Literal["evening"]] = ("morning", "evening")
STATUSES = ("pending", "active", "paused", "opted_out")
DEFAULT_TIMES = {"morning": "09:30", "evening": "18:30"}
DEFAULT_TZ = "Europe/Paris"
DEFAULT_QUIET = "21:00-08:00"
CONSENT_DELAY = 120.0
NONE_WORDS = {"", "aucun", "aucune", "none", "non", "-", "pas"}
STATUS_WORDS = {
    "actif": "active", "active": "active", "pause": "paused", "paused": "paused",
    "desinscrit": "opted_out", "désinscrit": "opted_out", "opted_out": "opted_out",
    "en attente": "pending", "pending": "pending",
}
REGISTRY_FIELDS = (
    "first_name", "last_name", "birth_year", "channel", "address", "postal_address",
    "email", "timezone", "morning", "evening", "referent", "register", "consent_at",
    "consent_how", "status", "territory", "agreement", "watch", "circle_on_silence",
)
CSV_COLUMNS = (
    "first_name", "last_name", "birth_year", "channel", "address", "postal_address",
    "email", "timezone", "morning", "evening", "referent", "register",
    "consent_date", "consent_how", "status", "territory", "agreement", "watch",
    "circle_on_silence",
)
# Columns added later: a file without them leaves what the registry holds.
OPTIONAL_COLUMNS = ("territory", "agreement", "watch", "circle_on_silence")
# The watch level (the ladder after a missed check-in): never the reason, only the level.
WATCH_WORDS = {"standard": "standard", "normal": "standard", "renforcee": "renforcee",
               "renforcée": "renforcee", "renforce": "renforcee", "renforcé": "renforcee"}
YES_WORDS = {"oui": "1", "o": "1", "yes": "1", "1": "1", "x": "1",
             "non": "0", "n": "0", "no": "0", "0": "0", "": "0"}
AGREEMENT_WORDS = {
    "f": "f", "femme": "f", "feminin": "f", "féminin": "f", "elle": "f",
    "m": "m", "h": "m", "homme": "m", "masculin": "m", "il": "m",
}
REQUIRED_COLUMNS = ("first_name", "address")
MAX_LEN = {"first_name": 60, "last_name": 80, "postal_address": 200, "email": 120,
           "referent": 120, "consent_how": 200}
_NAME_RE = re.compile(r"^[^\x00-\x1f<>{}]*$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TIME_RE = re.compile(r"^(\d{1,2})[:hH](\d{2})?$")
_DEPARTEMENT_RE = re.compile(r"^(\d{2}|2[ab]|97\d)$")


def parse_time(value: str) -> Optional[str]:
    """"9h30", "09:30", "18h" → "HH:MM"; none words → ""; invalid → None."""
    text = (value or "").strip().lower()
    if text in NONE_WORDS:
        return ""
    match = _TIME_RE.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def quiet_window(spec: str = DEFAULT_QUIET) -> Tuple[dtime, dtime]:
    """"21:00-08:00" → (21:00, 08:00)."""
    start, _, end = spec.partition("-")
    return (dtime.fromisoformat(parse_time(start) or "21:00"),
            dtime.fromisoformat(parse_time(end) or "08:00"))


def in_quiet_hours(local: dtime, spec: str = DEFAULT_QUIET) -> bool:
    """Whether a local time of day falls in the quiet hours (which may wrap)."""
    start, end = quiet_window(spec)
    local = local.replace(second=0, microsecond=0, tzinfo=None)
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def zone(name: str) -> ZoneInfo:
    """The person's timezone (Europe/Paris when unknown)."""
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def local_date(ts: float, tz_name: str) -> date:
    """The person's calendar day at an instant."""
    return datetime.fromtimestamp(ts, tz=zone(tz_name)).date()


def at_local(day: date, hhmm: str, tz_name: str) -> float:
    """The instant of a local wall-clock time (a time skipped by DST moves on)."""
    tz = zone(tz_name)
    naive = datetime.combine(day, dtime.fromisoformat(hhmm))
    aware = naive.replace(tzinfo=tz)
    # A time in the spring-forward gap does not exist: normalise through UTC.
    return aware.timestamp()


def next_due(hhmm: str, tz_name: str, after_ts: float) -> float:
    """The first occurrence of a local time strictly after ``after_ts``."""
    day = local_date(after_ts, tz_name)
    for offset in range(3):
        candidate = at_local(day + timedelta(days=offset), hhmm, tz_name)
        if candidate > after_ts:
            return candidate
    raise ValueError("no next occurrence")  # pragma: no cover - three days always do


@dataclass
class Person:
    """One person's registry fields (all strings, as stored)."""

    first_name: str
    channel: str
    address: str
    last_name: str = ""
    birth_year: str = ""
    postal_address: str = ""
    email: str = ""
    timezone: str = DEFAULT_TZ
    morning: str = DEFAULT_TIMES["morning"]
    evening: str = DEFAULT_TIMES["evening"]
    referent: str = ""
    register: str = "vous"
    consent_at: str = ""
    consent_how: str = ""
    status: str = "pending"
    # None: the file had no such column (the registry keeps what it holds).
    territory: Optional[str] = None
    agreement: Optional[str] = None
    watch: Optional[str] = None
    circle_on_silence: Optional[str] = None

    @property
    def id(self) -> str:
        """The conversation id."""
        return f"{self.channel}:{self.address}"

    def fields(self) -> Dict[str, str]:
        """The registry fields to store."""
        return {k: v for k, v in asdict(self).items() if v is not None}


def _clean(value: Any) -> str:
    return str(value if value is not None else "").strip()


def territory_code(value: str) -> str:
    """A département code from a code or a postcode ("75011" → "75"); "" if neither."""
    text = re.sub(r"\s", "", value or "").lower()
    if re.fullmatch(r"\d{5}", text):
        if text.startswith("97"):
            text = text[:3]
        elif text.startswith("20"):
            # Corsica: 200xx-201xx are Corse-du-Sud, the rest Haute-Corse.
            text = "2a" if text[2] in "01" else "2b"
        else:
            text = text[:2]
    return text.upper() if _DEPARTEMENT_RE.match(text) and text != "20" else ""


def agreement_of(value: str) -> str:
    """"f", "m" or "" (neutral) from what the file says; anything else is neutral."""
    return AGREEMENT_WORDS.get((value or "").strip().lower().rstrip("."), "")


def person_from_row(row: Dict[str, str], quiet: str = DEFAULT_QUIET) -> Tuple[
    Optional[Person], List[str]
]:
    """Validate one CSV row; return the person or the list of errors."""
    errors: List[str] = []
    values = {k: _clean(row.get(k)) for k in CSV_COLUMNS}
    for column in REQUIRED_COLUMNS:
        if not values[column]:
            errors.append(say("errors.required", field=column))
    for column, limit in MAX_LEN.items():
        if len(values[column]) > limit:
            errors.append(say("errors.too_long", field=column, max=limit))
    for column in ("first_name", "last_name", "postal_address", "referent",
                   "consent_how"):
        if not _NAME_RE.match(values[column]):
            errors.append(say("errors.name", field=column))
    channel = (values["channel"] or "sms").lower()
    address = values["address"]
    if channel == "sms":
        number = to_e164(address) if address else None
        if address and not number:
            errors.append(say("errors.phone", value=address))
        address = number or address
    elif channel == "telegram":
        if address and not re.fullmatch(r"-?\d{1,20}", address):
            errors.append(say("errors.chat_id", value=address))
    else:
        errors.append(say("errors.channel", value=values["channel"]))
    tz_name = values["timezone"] or DEFAULT_TZ
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(say("errors.timezone", value=tz_name))
    times: Dict[str, str] = {}
    for slot in SLOTS:
        raw = values[slot]
        parsed = DEFAULT_TIMES[slot] if raw == "" else parse_time(raw)
        if parsed is None:
            errors.append(say("errors.time", value=raw))
            continue
        if parsed and in_quiet_hours(dtime.fromisoformat(parsed), quiet):
            errors.append(say("errors.quiet", value=raw, quiet=quiet))
        times[slot] = parsed or ""
    register = (values["register"] or "vous").lower()
    if register not in ("tu", "vous"):
        errors.append(say("errors.register", value=values["register"]))
    if values["birth_year"]:
        if not (values["birth_year"].isdigit()
                and 1900 <= int(values["birth_year"]) <= date.today().year):
            errors.append(say("errors.birth_year", value=values["birth_year"]))
    if values["email"] and not _EMAIL_RE.match(values["email"]):
        errors.append(say("errors.email", value=values["email"]))
    consent_at = ""
    if values["consent_date"]:
        try:
            consent_at = datetime.fromisoformat(values["consent_date"]).date().isoformat()
        except ValueError:
            errors.append(say("errors.consent_date", value=values["consent_date"]))
    status_raw = values["status"].lower()
    status = STATUS_WORDS.get(status_raw) if status_raw else None
    if status_raw and status is None:
        errors.append(say("errors.status", value=values["status"]))
    if status is None:
        # Consent first: nothing is scheduled for a person who has not agreed.
        status = "active" if consent_at else "pending"
    if status == "active" and not consent_at:
        status = "pending"
    optional = {column: (values[column] if column in row else None)
                for column in OPTIONAL_COLUMNS}
    if optional["territory"] is not None:
        optional["territory"] = territory_code(optional["territory"])
    if optional["agreement"] is not None:
        optional["agreement"] = agreement_of(optional["agreement"])
    if optional["watch"] is not None:
        watch = WATCH_WORDS.get(optional["watch"].lower() or "standard")
        if watch is None:
            errors.append(say("errors.watch", value=optional["watch"]))
        optional["watch"] = watch
    if optional["circle_on_silence"] is not None:
        chosen = YES_WORDS.get(optional["circle_on_silence"].lower())
        if chosen is None:
            errors.append(say("errors.circle_on_silence", value=optional["circle_on_silence"]))
        optional["circle_on_silence"] = chosen
    if errors:
        return None, errors
    return Person(
        first_name=values["first_name"], channel=channel, address=address,
        last_name=values["last_name"], birth_year=values["birth_year"],
        postal_address=values["postal_address"], email=values["email"],
        timezone=tz_name, morning=times["morning"], evening=times["evening"],
        referent=values["referent"], register=register, consent_at=consent_at,
        consent_how=values["consent_how"], status=status,
        territory=optional["territory"], agreement=optional["agreement"],
        watch=optional["watch"], circle_on_silence=optional["circle_on_silence"],
    ), []


def read_csv(path: Path, quiet: str = DEFAULT_QUIET) -> Tuple[List[Person], List[str]]:
    """Validate a whole file; return (persons, errors). Errors mean import nothing."""
    header, reader, errors = read_table(path, CSV_COLUMNS, REQUIRED_COLUMNS)
    if errors:
        return [], errors
    persons: List[Person] = []
    seen: Dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(_clean(v) for k, v in row.items() if k):
            continue
        if None in row:
            errors.append(say("import.row_error", line=line,
                              error=say("errors.too_long", field="ligne", max=len(header))))
            continue
        person, row_errors = person_from_row(row, quiet)
        if person is not None and person.id in seen:
            row_errors = [say("errors.duplicate", other=seen[person.id])]
        if row_errors:
            errors += [say("import.row_error", line=line, error=e) for e in row_errors]
            continue
        assert person is not None
        seen[person.id] = line
        persons.append(person)
    if not persons and not errors:
        errors.append(say("import.empty_file"))
    return persons, errors


def schedule_updates(fields: records.Person, now_ts: float) -> Dict[str, Optional[float]]:
    """For each slot member, its next due time (None: not scheduled)."""
    person_id = f"{fields.get('channel')}:{fields.get('address')}"
    updates: Dict[str, Optional[float]] = {}
    for slot in SLOTS:
        hhmm = fields.get(slot) or ""
        member = f"{person_id}|{slot}"
        if hhmm and fields.get("status") in ("active", "paused"):
            updates[member] = next_due(hhmm, fields.get("timezone") or DEFAULT_TZ, now_ts)
        else:
            updates[member] = None
    return updates


def _decode(raw: Dict[Any, Any]) -> Dict[str, str]:
    return {
        (k.decode() if isinstance(k, bytes) else k):
        (v.decode() if isinstance(v, bytes) else v)
        for k, v in raw.items()
    }


@dataclass
class ImportSummary:
    """What an import did."""

    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_opted_out: int = 0
    ids: List[str] = field(default_factory=list)


async def import_persons(
    redis: RedisClient,
    prefix: str,
    persons: List[Person],
    now_ts: float,
    progress: Optional[Callable[[int, int], None]] = None,
    batch: int = 500,
) -> ImportSummary:
    """Write validated persons (idempotent: the same file twice changes nothing).

    A person who opted out by message stays opted out: only they can opt in.
    Runtime fields (missed check-ins, last messages) are left as they are.
    """
    keys = Keys(prefix)
    summary = ImportSummary(total=len(persons))
    for start in range(0, len(persons), batch):
        chunk = persons[start:start + batch]
        async with redis.pipeline(transaction=False) as pipe:
            for person in chunk:
                pipe.hgetall(keys.person(person.id))
            existing = [_decode(raw) for raw in await pipe.execute()]
        async with redis.pipeline(transaction=True) as pipe:
            for person, old in zip(chunk, existing):
                fields = person.fields()
                if old.get("status") == "opted_out" and fields["status"] != "opted_out":
                    fields["status"] = "opted_out"
                    summary.kept_opted_out += 1
                if old.get("status") == "paused" and fields["status"] == "active":
                    fields["status"] = "paused"
                if old and old.get("consent_at") and not fields["consent_at"]:
                    fields["consent_at"] = old["consent_at"]
                    fields["consent_how"] = old.get("consent_how", "")
                    if fields["status"] == "pending":
                        fields["status"] = old.get("status", "active")
                changed = {k: v for k, v in fields.items() if old.get(k, "") != v}
                if not old:
                    summary.created += 1
                    changed["created_ts"] = f"{now_ts:.3f}"
                    changed["source"] = "import"
                elif changed:
                    summary.updated += 1
                else:
                    summary.unchanged += 1
                    continue
                pipe.hset(keys.person(person.id), mapping=changed)
                pipe.sadd(keys.index, person.id)
                for member, due in schedule_updates(records.as_person(fields), now_ts).items():
                    if due is None:
                        pipe.zrem(keys.due, member)
                    elif any(s in changed for s in SLOTS + ("timezone", "status")):
                        pipe.zadd(keys.due, {member: due})
                    else:
                        pipe.zadd(keys.due, {member: due}, nx=True)
                summary.ids.append(person.id)
            await pipe.execute()
        if progress:
            progress(min(start + batch, len(persons)), len(persons))
    return summary


async def get_person(redis: RedisClient, prefix: str, person_id: str) -> records.Person:
    """The person's hash (empty when unknown)."""
    return records.as_person(_decode(await redis.hgetall(Keys(prefix).person(person_id))))


async def save_schedule(redis: RedisClient, prefix: str, person_id: str, now_ts: float) -> None:
    """Recompute a person's due check-ins after their times or status changed."""
    keys = Keys(prefix)
    fields = await get_person(redis, prefix, person_id)
    if not fields:
        return
    fields.setdefault("channel", person_id.partition(":")[0])
    fields.setdefault("address", person_id.partition(":")[2])
    async with redis.pipeline(transaction=True) as pipe:
        for member, due in schedule_updates(fields, now_ts).items():
            if due is None:
                pipe.zrem(keys.due, member)
            else:
                pipe.zadd(keys.due, {member: due})
        await pipe.execute()


async def enrol_self(redis: RedisClient, prefix: str, person_id: str, now_ts: float) -> bool:
    """A first message from an unknown address: a pending person (nothing sent)."""
    keys = Keys(prefix)
    channel, _, address = person_id.partition(":")
    created = await redis.hsetnx(keys.person(person_id), "status", "pending")
    if created and channel in ("sms", "telegram"):
        # Asked for consent a little later if the conversation did not ask it.
        await redis.zadd(keys.consent_due, {person_id: now_ts + CONSENT_DELAY})
    if created:
        await redis.hset(keys.person(person_id), mapping={
            "channel": channel, "address": address, "first_name": "",
            "timezone": DEFAULT_TZ, "morning": DEFAULT_TIMES["morning"],
            "evening": DEFAULT_TIMES["evening"], "register": "vous",
            "created_ts": f"{now_ts:.3f}", "source": "self",
        })
        await redis.sadd(keys.index, person_id)
    return bool(created)


async def set_status(
    redis: RedisClient, prefix: str, person_id: str, status: str, now_ts: float,
    how: str = "", paused_until: Optional[float] = None,
) -> None:
    """Consent and pauses: change the status and reschedule."""
    if status not in STATUSES:
        raise ValueError(status)
    keys = Keys(prefix)
    await enrol_self(redis, prefix, person_id, now_ts)
    mapping = {"status": status, "status_changed_ts": f"{now_ts:.3f}"}
    if status == "active":
        old = await get_person(redis, prefix, person_id)
        if not old.get("consent_at"):
            mapping["consent_at"] = datetime.fromtimestamp(now_ts).date().isoformat()
            mapping["consent_how"] = how
    if status == "paused" and paused_until:
        mapping["paused_until"] = f"{paused_until:.0f}"
    await redis.hset(keys.person(person_id), mapping=mapping)
    if status != "paused":
        await redis.hdel(keys.person(person_id), "paused_until")
    await save_schedule(redis, prefix, person_id, now_ts)


def persons_csv_template() -> str:
    """The header line social workers start from."""
    return ",".join(CSV_COLUMNS) + "\n"


def iter_ids(values: Iterable[Any]) -> List[str]:
    """Decode a list of ids read from Redis."""
    return [v.decode() if isinstance(v, bytes) else v for v in values]
