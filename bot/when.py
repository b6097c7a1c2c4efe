"""French dates and times as people write them, for booking a call.

``understand("jeudi vers 14h", now, "Europe/Paris")`` → a :class:`CallTime`:
``ok`` (a precise moment), ``vague`` (a day or a part of the day: a concrete
slot is proposed), ``past``, ``night`` (in the quiet hours: a daytime slot is
proposed) or ``unknown``. Times are read in the person's timezone.

The hour and the part of the day are read here (dateparser misreads "14h" and
"vers"); the day ("demain", "jeudi", "dans deux jours", "12/12", "3 décembre",
"après-demain") is left to dateparser, with future dates preferred.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time as dtime, timedelta
from typing import Optional, Tuple

import dateparser

from bot.persons import DEFAULT_QUIET, in_quiet_hours, zone

PARTS_OF_DAY = (
    (r"fin de matinee", dtime(11, 0)),
    (r"debut d ?apres[ -]?midi|debut d ?aprem", dtime(14, 0)),
    (r"fin d ?apres[ -]?midi|fin d ?aprem", dtime(17, 0)),
    (r"apres[ -]?midi|aprem|aprm|apm", dtime(14, 30)),
    (r"matinee|matin|mat1", dtime(10, 0)),
    (r"midi", dtime(12, 0)),
    (r"soiree|soir|swar", dtime(18, 0)),
)
DEFAULT_PROPOSAL = dtime(10, 0)
MAX_DAYS_AHEAD = 90
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
          "septembre", "octobre", "novembre", "decembre")
FILLERS = r"\b(vers|environ|aux alentours de|autour de|plutot|disons|si possible|svp|" \
          r"stp|s il vous plait|ca m irait|ca me va|ca irait|je prefere|je prefererais|" \
          r"je serai la|je suis dispo|dispo|disponible|pour|possible|plus tard|" \
          r"ok|oui|bien|merci|le mieux|c est|c|est|ce serait|serait|a|au|le|la|les|l|de|du|" \
          r"d|un|une|en|on|peut|pourrait|faire|appeler|appel|m|me|moi|par|exemple)\b"


@dataclass(frozen=True)
class CallTime:
    """What was understood."""

    status: str
    at: Optional[datetime] = None
    proposal: Optional[datetime] = None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", " ").replace("'", " ")
    return re.sub(r"\s+", " ", text).strip()


_HOUR_RE = re.compile(
    r"\b(\d{1,2})\s*(?:h|heures?|:)\s*(\d{2})?\b(?!\s*(?:jours?|semaines?|mois))"
)
_IN_RE = re.compile(
    r"\bdans (\d+|une|un|deux|trois|quatre|cinq|six) (heures?|h|minutes?|min|"
    r"jours?|semaines?)\b"
)
_DAY_OF_MONTH_RE = re.compile(
    r"\b(?:le |ce )?(\d{1,2})(?:er)?(?: (" + "|".join(MONTHS) + r"))?\b(?!\s*[/:h])"
)
_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6}


def _relative(text: str, now: datetime) -> Optional[Tuple[datetime, bool]]:
    match = _IN_RE.search(text)
    if not match:
        return None
    amount = _NUMBERS.get(match.group(1)) or int(match.group(1))
    unit = match.group(2)
    if unit.startswith(("h",)):
        return now + timedelta(hours=amount), True
    if unit.startswith("min"):
        return now + timedelta(minutes=amount), True
    if unit.startswith("semaine"):
        return now + timedelta(weeks=amount), False
    return now + timedelta(days=amount), False


def _day(text: str, today: date) -> Tuple[Optional[date], str]:
    """The day mentioned (None if none) and what is left of the text."""
    if re.search(r"\b(aujourd ?hui|ce matin|cet apres[ -]?midi|ce soir|ce midi|tout a l heure|"
                 r"tantot)\b", text):
        return today, ""
    if re.search(r"\bapres[ -]?demain\b", text):
        return today + timedelta(days=2), ""
    if re.search(r"\bdemain\b", text):
        return today + timedelta(days=1), ""
    if re.search(r"\bhier\b|\bavant[ -]?hier\b", text):
        return today - timedelta(days=1), ""
    for index, name in enumerate(WEEKDAYS):
        if re.search(rf"\b{name}\b", text):
            ahead = (index - today.weekday()) % 7 or 7
            if "en huit" in text or "semaine prochaine" in text and ahead < 7:
                ahead += 7 if "en huit" in text else 0
            return today + timedelta(days=ahead), ""
    slash = re.search(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b", text)
    if slash:
        day, month = int(slash.group(1)), int(slash.group(2))
        year = int(slash.group(3)) if slash.group(3) else today.year
        year += 2000 if year < 100 else 0
        try:
            found = date(year, month, day)
        except ValueError:
            return None, text
        if not slash.group(3) and found < today:
            found = date(year + 1, month, day)
        return found, ""
    match = _DAY_OF_MONTH_RE.search(text)
    if match and 1 <= int(match.group(1)) <= 31:
        day = int(match.group(1))
        if match.group(2):
            month = MONTHS.index(match.group(2)) + 1
            candidates = [(today.year, month), (today.year + 1, month)]
        else:
            candidates = [(today.year, today.month)]
            nxt = today.replace(day=1) + timedelta(days=32)
            candidates.append((nxt.year, nxt.month))
        for year, month in candidates:
            try:
                found = date(year, month, day)
            except ValueError:
                continue
            if found >= today:
                return found, ""
        return None, text
    if re.search(r"\bsemaine prochaine\b", text):
        return today + timedelta(days=7 - today.weekday()), ""
    leftover = re.sub(FILLERS, " ", text)
    leftover = re.sub(r"[^\w/ ]", " ", leftover).strip()
    if not leftover:
        return None, ""
    parsed = dateparser.parse(
        leftover, languages=["fr"],
        settings={"PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY",
                  "RELATIVE_BASE": datetime.combine(today, dtime(12, 0)),
                  "REQUIRE_PARTS": []},
    )
    return (parsed.date() if parsed else None), ""


def understand(text: str, now_ts: float, tz_name: str,
               quiet: str = DEFAULT_QUIET) -> CallTime:
    """Read a call time in the person's timezone."""
    tz = zone(tz_name)
    now = datetime.fromtimestamp(now_ts, tz)
    folded = _fold(text or "")[:200]
    if not folded:
        return CallTime("unknown")
    relative = _relative(folded, now)
    if relative is not None:
        moment, precise = relative
        if precise:
            return _check(moment.replace(second=0, microsecond=0), now, quiet)
        at = _HOUR_RE.search(_IN_RE.sub(" ", folded))
        if at and int(at.group(1)) <= 23 and int(at.group(2) or 0) <= 59:
            hour = dtime(int(at.group(1)), int(at.group(2) or 0))
            return _check(datetime.combine(moment.date(), hour, tz), now, quiet)
        return _propose(moment.date(), DEFAULT_PROPOSAL, now, tz, quiet)
    hour_match = _HOUR_RE.search(folded)
    hour: Optional[dtime] = None
    rest = folded
    if hour_match and int(hour_match.group(1)) <= 23 and int(hour_match.group(2) or 0) <= 59:
        hour = dtime(int(hour_match.group(1)), int(hour_match.group(2) or 0))
        rest = folded[:hour_match.start()] + " " + folded[hour_match.end():]
    part: Optional[dtime] = None
    for pattern, default in PARTS_OF_DAY:
        if re.search(rf"\b(?:{pattern})\b", rest):
            part = default
            rest = re.sub(rf"\b(?:{pattern})\b", " ", rest)
            break
    if hour is not None and part is not None and hour.hour < 12 <= part.hour and \
            part != dtime(12, 0):
        hour = hour.replace(hour=hour.hour + 12)  # "3h de l'après-midi"
    day, _ = _day(rest if hour is None else rest, now.date())
    if day is None and re.search(r"\b(ce|cet|cette)\b", folded) and part is not None:
        day = now.date()
    if day is None and hour is None and part is None:
        return CallTime("unknown")
    if day is not None and day < now.date():
        return CallTime("past", proposal=_next_daytime(now, tz, quiet))
    if day is not None and (day - now.date()).days > MAX_DAYS_AHEAD:
        return CallTime("unknown")
    if hour is None and part == dtime(12, 0):
        hour = part  # "midi" is a time, not a part of the day
    if hour is None:
        target_day = day or now.date()
        return _propose(target_day, part or DEFAULT_PROPOSAL, now, tz, quiet)
    if day is None:
        candidate = datetime.combine(now.date(), hour, tz)
        if candidate <= now:
            candidate = datetime.combine(now.date() + timedelta(days=1), hour, tz)
        return _check(candidate, now, quiet)
    return _check(datetime.combine(day, hour, tz), now, quiet)


def _next_daytime(now: datetime, tz: object, quiet: str) -> datetime:
    """The next reasonable slot: today later on, or tomorrow at 10:00."""
    candidate = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    if not in_quiet_hours(candidate.time(), quiet) and candidate.hour < 19:
        return candidate
    return datetime.combine(now.date() + timedelta(days=1), DEFAULT_PROPOSAL, tz)


def _propose(day: date, at: dtime, now: datetime, tz: object, quiet: str) -> CallTime:
    candidate = datetime.combine(day, at, tz)
    if candidate <= now + timedelta(minutes=30):
        if day == now.date():
            candidate = _next_daytime(now, tz, quiet)
        else:
            candidate = datetime.combine(day + timedelta(days=1), at, tz)
    return CallTime("vague", proposal=candidate)


def _check(moment: datetime, now: datetime, quiet: str) -> CallTime:
    if moment < now - timedelta(minutes=1):
        return CallTime("past", proposal=_next_daytime(now, moment.tzinfo, quiet))
    if in_quiet_hours(moment.time(), quiet):
        day = moment.date() if moment.hour >= 12 else moment.date()
        proposal = datetime.combine(day if moment.hour < 12 else day + timedelta(days=1),
                                    DEFAULT_PROPOSAL, moment.tzinfo)
        if proposal <= now:
            proposal = datetime.combine(now.date() + timedelta(days=1), DEFAULT_PROPOSAL,
                                        moment.tzinfo)
        return CallTime("night", proposal=proposal)
    return CallTime("ok", at=moment)


def spoken(moment: datetime, now_ts: float) -> str:
    """"jeudi 27 novembre à 14h30" / "demain à 10h" / "aujourd'hui à 16h"."""
    from bot.messages import raw

    words = raw("when")
    now = datetime.fromtimestamp(now_ts, moment.tzinfo)
    hour = f"{moment.hour}h{moment.minute:02d}" if moment.minute else f"{moment.hour}h"
    delta = (moment.date() - now.date()).days
    if delta == 0:
        day = words["today"]
    elif delta == 1:
        day = words["tomorrow"]
    else:
        day = f"{WEEKDAYS[moment.weekday()]} {moment.day} {words['months'][moment.month - 1]}"
    return words["format"].format(day=day, hour=hour)
