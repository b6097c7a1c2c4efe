"""What a person asks of their presence messages, read from their own words.

"plutôt vers 8h le matin" → morning at 08:00; "pas le soir" → no evening
message; "je pars chez ma fille une semaine" → a pause of seven days.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time as dtime, timedelta
from typing import Dict, Optional, Tuple

from bot.people.registry import DEFAULT_QUIET, in_quiet_hours, zone
from bot.core.french_time import day_in, fold

_HOUR = re.compile(r"\b(\d{1,2})\s*(?:h|heures?|:)\s*(\d{2})?\b")
_NEGATED = re.compile(
    r"\b(?:pas|plus|aucun|arretez|arreter|stop|sans)\b[^.,;!?]{0,25}?\b(matin|soir)\b")
_ONLY = re.compile(r"\b(?:seulement|juste|uniquement|que)\b[^.,;!?]{0,25}?\b(matin|soir)\b")
_SLOT = {"matin": "morning", "soir": "evening"}
_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
            "sept": 7, "huit": 8, "dix": 10, "quinze": 15, "quelques": 3}
DEFAULT_PAUSE_DAYS = 7
MAX_PAUSE_DAYS = 92


def time_change(text: str, quiet: str = DEFAULT_QUIET) -> Tuple[Dict[str, str], str]:
    """The new times ({"morning": "08:00"}, "" for none) and a status.

    Status: ``ok``, ``quiet`` (an hour in the quiet hours) or ``unclear``.
    """
    folded = fold(text)
    changes: Dict[str, str] = {}
    for match in _NEGATED.finditer(folded):
        changes[_SLOT[match.group(1)]] = ""
    only = _ONLY.search(folded)
    if only:
        kept = _SLOT[only.group(1)]
        changes[{"morning": "evening", "evening": "morning"}[kept]] = ""
    hour = _HOUR.search(folded)
    if hour:
        h, m = int(hour.group(1)), int(hour.group(2) or 0)
        if h > 23 or m > 59:
            return {}, "unclear"
        mentioned = [s for w, s in _SLOT.items() if re.search(rf"\b{w}\b", folded)
                     and changes.get(s) != ""]
        slot = mentioned[0] if mentioned else ("morning" if h < 13 else "evening")
        if slot == "evening" and h < 12 and h + 12 <= 21:
            h += 12  # "le soir à 7h"
        if in_quiet_hours(dtime(h, m), quiet):
            return {}, "quiet"
        changes[slot] = f"{h:02d}:{m:02d}"
    if not changes:
        return {}, "unclear"
    return changes, "ok"


def pause_until(text: str, now_ts: float, tz_name: str) -> date:
    """The local day messages resume on (a week when no length is said)."""
    folded = fold(text)
    today = datetime.fromtimestamp(now_ts, zone(tz_name)).date()
    span = re.search(r"\b(\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|dix|quinze|"
                     r"quelques)\s+(jours?|semaines?|mois|nuits?)\b", folded)
    if span:
        amount = _NUMBERS.get(span.group(1)) or int(span.group(1))
        unit = span.group(2)
        days = amount * (7 if unit.startswith("semaine") else 30 if unit == "mois" else 1)
        return today + timedelta(days=max(1, min(days, MAX_PAUSE_DAYS)))
    if re.search(r"\bsemaine prochaine\b", folded):
        return today + timedelta(days=7 - today.weekday() + 7)
    if re.search(r"\b(week[ -]?end)\b", folded):
        return today + timedelta(days=(7 - today.weekday()) or 7)
    until = re.search(r"\bjusqu ?(?:a|au|a la|aux)?\s+(.+)$", folded)
    if until:
        day, _ = day_in(until.group(1), today)
        if day is not None and today < day <= today + timedelta(days=MAX_PAUSE_DAYS):
            return day + timedelta(days=1)  # "jusqu'à lundi": back on Tuesday
    if re.search(r"\bsemaine\b", folded):
        return today + timedelta(days=7)
    return today + timedelta(days=DEFAULT_PAUSE_DAYS)


def describe_times(morning: str, evening: str, words: Dict[str, str]) -> str:
    """"le matin à 8h, et plus de message le soir" (wording from the data file)."""
    def hour(hhmm: str) -> str:
        h, m = hhmm.split(":")
        return f"{int(h)}h{m}" if m != "00" else f"{int(h)}h"

    parts = []
    parts.append(words["morning"].format(hour=hour(morning)) if morning
                 else words["no_morning"])
    parts.append(words["evening"].format(hour=hour(evening)) if evening
                 else words["no_evening"])
    return words["join"].join(parts)


def resume_ts(day: date, tz_name: str) -> float:
    """Midnight of the resume day, local."""
    return datetime.combine(day, dtime(0, 0), zone(tz_name)).timestamp()


def optional(value: Optional[str]) -> str:
    """None → ""."""
    return value or ""
