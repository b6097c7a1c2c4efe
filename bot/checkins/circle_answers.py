"""What a member of a circle of care answers (SMS or Telegram, routed here by the
channels before the dialogue): OUI to agree, OK for the all-clear, AIDE (or any
message that says something is wrong) for a case at once, STOP, HEBDO; "OK mais
je ne peux pas y aller" passes the ladder to the next contact.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Optional, Tuple

from bot.checkins.ladder import (
    close, episode_of, escalate, person_name, say, step_member, wording,
)
from bot.core.keys import CircleKeys, Keys, LadderKeys
from bot.core.records import as_person
from bot.core.redisx import hash_of
from bot.core.text import normalise_text
from bot.people import circle
from bot.safety.risk import load_lexicon


@lru_cache(maxsize=1)
def _folded_words() -> Tuple[Tuple[str, ...], Tuple[str, ...], FrozenSet[str], Dict[str, str]]:
    """How answers are read (bot/resources/ladder_fr.yml, ``answers``), folded as
    messages are ("personne" → "persone").
    """
    words = wording()["answers"]
    return (tuple(normalise_text(w) for w in words["help"]),
            tuple(normalise_text(w) for w in words["cannot"]),
            frozenset(normalise_text(str(w)) for w in words["ok_words"]),
            {normalise_text(k): v for k, v in words["keywords"].items()})


def keyword(text: str) -> Optional[str]:
    """What a contact's answer says: ok, help, cannot, yes, no, stop, weekly (None:
    something else). A message that says something is wrong (a help word, or
    anything the risk lexicon reads as risk) is help, even without the keyword; an
    OK is an all-clear only when nothing after it takes it back ("OK mais je ne
    peux pas y aller" is not one).
    """
    folded = normalise_text(text or "")
    padded = f" {folded} "
    help_words, cannot, ok_words, keywords = _folded_words()
    if any(f" {word} " in padded for word in help_words) or \
            load_lexicon().match(text or "") is not None:
        return "help"
    if any(f" {word} " in padded for word in cannot):
        return "cannot"
    if folded in keywords:
        return keywords[folded]
    words = folded.split()
    if words and words[0] in ("ok", "oui") and "ok" in words and set(words) <= ok_words:
        return "ok"
    if words and words[0] == "stop":
        return "stop"
    return None


async def contact_reply(redis: Any, prefix: str, address: str, text: str,
                        now: float, is_person: Optional[bool] = None) -> Optional[str]:
    """An SMS or Telegram message from ``address``: if it comes from a member of a
    circle of care, act on it and return the reply; None when it is not theirs to
    answer (a person's own message goes to the dialogue).

    Someone who is both followed and a contact is read as a contact only for the
    keywords, and only while they are being asked or asked to agree. ``is_person``
    (whether the address is a followed person) is looked up here when not given,
    and only for an address that is in a circle: every other message costs one
    read.
    """
    people = await circle.people_of(redis, prefix, address)
    if not people:
        return None
    if is_person is None:
        is_person = bool(await redis.exists(Keys(prefix).person(address)))
    word = keyword(text)
    if is_person and word is None:
        return None
    # The person this answer is about: the one whose open episode asked this address
    # last; else the one waiting for this contact's agreement; else the first.
    best = None
    for person_id in people:
        contact = next((c for c in await circle.contacts(redis, prefix, person_id)
                        if c.address == address), None)
        if contact is None:
            continue
        current = await episode_of(redis, prefix, person_id)
        asked = json.loads(current.get("asked") or "[]") if current else []
        rank = 0 if current.get("status") in ("open", "escalated") and contact.id in asked \
            else 1 if contact.status in ("pending", "asked") else 2
        candidate = (rank, -float(current.get("asked_ts") or 0), person_id, contact, current)
        if best is None or candidate[:3] < best[:3]:
            best = candidate
    if best is None:
        return None
    rank, _, person_id, contact, current = best
    if is_person and rank == 2:
        return None
    person = as_person(hash_of(await redis.hgetall(Keys(prefix).person(person_id))))
    name = person_name(person)
    if word == "stop" or (word == "no" and rank == 1):
        await circle.set_status(redis, prefix, person_id, contact, "stopped", now)
        return say("stopped", person=name)
    if rank == 1 and word in ("yes", "ok"):
        await circle.set_status(redis, prefix, person_id, contact, "agreed", now)
        return say("agreed", contact=contact.first_name, person=name)
    if rank == 0 and word == "ok":
        await confirm(redis, prefix, person_id, contact, now)
        return say("all_clear_thanks", contact=contact.first_name, person=name)
    if word == "help":
        # Inside a ladder or not: a contact saying something is wrong reaches on-call.
        if rank == 0:
            await redis.hset(LadderKeys(prefix).episode(person_id), mapping={
                "help_from": contact.id, "help_ts": f"{now:.3f}"})
        await escalate(redis, prefix, person_id, person, current if rank == 0 else {},
                       now, "contact_help", text=text)
        return say("help_received")
    if rank == 0 and word == "cannot":
        # This contact cannot go: the next one is asked now (the deadline holds).
        await redis.zadd(LadderKeys(prefix).due,
                         {step_member(person_id, current["episode"], "circle"): now})
        return say("cannot_thanks", contact=contact.first_name)
    if word == "weekly" and contact.status == "agreed":
        contact.weekly = True
        await circle.save(redis, prefix, person_id, contact)
        await redis.zadd(CircleKeys(prefix).weekly_due,
                         {f"{person_id}|{contact.id}": now + 7 * 86400}, nx=True)
        return say("weekly_on", person=name)
    if word == "weekly_off":
        contact.weekly = False
        await circle.save(redis, prefix, person_id, contact)
        return say("weekly_off")
    return say("help_text", person=name)


async def confirm(redis: Any, prefix: str, person_id: str, contact: circle.Contact,
                  now: float) -> bool:
    """A contact saw the person and all is well: the all-clear, recorded."""
    await redis.hset(LadderKeys(prefix).episode(person_id), mapping={
        "confirmed_by_name": contact.first_name, "confirmed_ts": f"{now:.3f}"})
    return await close(redis, prefix, person_id, "confirmed", contact.id, now)
