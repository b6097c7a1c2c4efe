"""People as the views show them: one record, or several in brief in one round trip."""

from __future__ import annotations

from typing import Any, Dict, List

from aiohttp import web

from bot.console.helpers import as_text
from bot.console.keys import PREFIX, REDIS, STORE
from bot.core.phone import mask
from bot.core.records import Person, as_person
from bot.people.registry import DEFAULT_TZ, Keys, get_person


def person_summary(person_id: str, person: Person, ref: str) -> Dict[str, Any]:
    """One person in brief, under their reference (never their id)."""
    channel, _, address = person_id.partition(":")
    return {
        "ref": ref, "first_name": person.get("first_name", ""), "channel": channel,
        "contact": mask(address) if channel == "sms" else (channel and "Telegram"),
        "status": person.get("status", ""), "referent": person.get("referent", ""),
        "register": person.get("register", "vous"),
        "missed": int(person.get("missed") or 0), "no_news": bool(person.get("no_news_id")),
        "next_call_ts": float(person.get("next_call_ts") or 0) or None,
        "timezone": person.get("timezone") or DEFAULT_TZ,
    }


async def person_record(request: web.Request, person_id: str) -> Person:
    """One person's record."""
    return await get_person(request.app[REDIS], request.app[PREFIX], person_id)


async def people_brief(request: web.Request, person_ids: List[str],
                       known_only: bool = False) -> List[Dict[str, Any]]:
    """Several people in brief, read in one round trip (the queue polls every 2 s)."""
    redis, prefix = request.app[REDIS], request.app[PREFIX]
    async with redis.pipeline(transaction=False) as pipe:
        for person_id in person_ids:
            pipe.hgetall(Keys(prefix).person(person_id))
        raw_people = await pipe.execute()
    if known_only:
        pairs = [(i, r) for i, r in zip(person_ids, raw_people) if r]
        person_ids, raw_people = [i for i, _ in pairs], [r for _, r in pairs]
    refs = await request.app[STORE].remember_all(person_ids)
    return [person_summary(person_id,
                           as_person({as_text(k): as_text(v) for k, v in raw_person.items()}),
                           ref)
            for person_id, raw_person, ref in zip(person_ids, raw_people, refs)]
