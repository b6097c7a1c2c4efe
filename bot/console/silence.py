"""Silence is a signal, as the console shows it: the ladder's episode after a
check-in nobody answered, the circle of care, and "vu en personne, tout va bien".

Only what staff need to act: the step the ladder reached, who is asked (first
names only) and since when; a contact's number is always masked. The watch
level is shown, never why it was chosen.
"""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List, Mapping, Optional

from bot.checkins import ladder
from bot.checkins.missed import clear_no_news
from bot.core.phone import mask
from bot.people import circle

SEEN = "seen_in_person"  # the case's outcome when a listener saw the person
ACTIVE = ("open", "escalated")


def masked_address(address: str) -> str:
    """A contact's address as staff see it: +33••••••••78, or Telegram ••56."""
    channel, _, value = address.partition(":")
    if channel == "sms":
        return mask(value)
    return f"Telegram ••{value[-2:]}" if value else ""


def contact_row(contact: circle.Contact) -> Dict[str, Any]:
    """One contact of the circle: first name, relationship, masked address, hours,
    agreement (never the full number).
    """
    return {"id": contact.id, "first_name": contact.first_name,
            "relation": contact.relation, "channel": contact.channel,
            "contact": masked_address(contact.address), "hours": contact.hours,
            "status": contact.status, "weekly": contact.weekly}


def _ts(value: Optional[str]) -> Optional[float]:
    try:
        return float(value or 0) or None
    except ValueError:
        return None


def _asked(episode: Dict[str, str]) -> List[str]:
    try:
        asked = json.loads(episode.get("asked") or "[]")
    except ValueError:
        return []
    return [str(i) for i in asked] if isinstance(asked, list) else []


def episode_row(episode: Dict[str, str],
                contacts: List[circle.Contact]) -> Optional[Dict[str, Any]]:
    """The ladder's episode as staff see it (None when there never was one):
    status, step, the first names of the contacts asked, the one asked now, and
    since when.
    """
    if not episode.get("status"):
        return None
    names = {c.id: c.first_name for c in contacts}
    status, step = episode.get("status", ""), episode.get("step", "")
    asking = names.get(episode.get("asking", ""), "") \
        if status == "open" and step == "circle" else ""
    return {
        "status": status, "step": step, "active": status in ACTIVE,
        "asked": [names[i] for i in _asked(episode) if i in names],
        "asking": asking, "asked_ts": _ts(episode.get("asked_ts")),
        "first_asked_ts": _ts(episode.get("first_asked_ts")),
        "checkin_ts": _ts(episode.get("checkin_ts")),
        "started_ts": _ts(episode.get("started_ts")),
        "escalated_ts": _ts(episode.get("escalated_ts")),
        "closed_ts": _ts(episode.get("closed_ts")),
        "confirmed_by": episode.get("confirmed_by_name", "") if status == "confirmed" else "",
        "help_from": names.get(episode.get("help_from", ""), ""),
    }


async def circle_rows(redis: Any, prefix: str, person_id: str) -> List[Dict[str, Any]]:
    """The person's circle of care, in the order its contacts are asked."""
    return [contact_row(c) for c in await circle.contacts(redis, prefix, person_id)]


async def person_silence(redis: Any, prefix: str, person_id: str,
                         person: Mapping[str, object]) -> Dict[str, Any]:
    """What a person's page shows of silence: the watch level (never its reason),
    whether the circle is told at a silence (standard level), the last sign of
    life, the ladder's episode and the circle of care.
    """
    contacts = await circle.contacts(redis, prefix, person_id)
    episode = await ladder.episode_of(redis, prefix, person_id)
    watch = str(person.get("watch") or "")
    return {"watch": watch if watch in ladder.WATCH_LEVELS else "standard",
            "circle_on_silence": person.get("circle_on_silence") == "1",
            "last_sign_ts": _ts(str(person.get("last_sign_ts") or "")),
            "ladder": episode_row(episode, contacts),
            "circle": [contact_row(c) for c in contacts]}


async def episode_view(redis: Any, prefix: str, person_id: str) -> Optional[Dict[str, Any]]:
    """The person's current (or last) episode, as staff see it."""
    episode = await ladder.episode_of(redis, prefix, person_id)
    if not episode:
        return None
    return episode_row(episode, await circle.contacts(redis, prefix, person_id))


async def seen_and_resolve(redis: Any, prefix: str, takeover: Any, person_id: str,
                           case_id: str, listener: str, orientation: str = "none") -> bool:
    """A listener saw the person and all is well: the ladder ends (everyone asked
    is thanked), the case closes through the takeover (the assistant resumes),
    and the missed check-ins are cleared (the next silence raises a case again).
    """
    await ladder.seen_in_person(redis, prefix, person_id, listener, time.time())
    try:
        return await takeover.resolve(case_id, SEEN, orientation)
    finally:
        await clear_no_news(redis, prefix, person_id, time.time())
