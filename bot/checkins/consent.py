"""Consent at the first contact: someone new whose first messages did not lead to
the consent question is asked by the worker (through Rasa: the question has
buttons), outside quiet hours, and never while a case about them is open.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.keys import person_case
from bot.core.ports import DeliveryError, JobContext
from bot.core.records import as_person
from bot.core.redisx import hash_of, pop_due
from bot.people.registry import Keys, in_quiet_hours, zone


async def ask_consent(ctx: JobContext) -> int:
    """Worker job: ask the consent question of people who are due for it."""
    keys = Keys(ctx.prefix)
    now = ctx.now()
    count = 0
    async for person_id in pop_due(ctx.redis, keys.consent_due, now, 100):
        person = as_person(hash_of(await ctx.redis.hgetall(keys.person(person_id))))
        local = datetime.fromtimestamp(now, zone(person.get("timezone", ""))).time()
        if person.get("status") != "pending" or person.get("consent_asked_ts"):
            continue
        if in_quiet_hours(local, ctx.settings.quiet_hours):
            await ctx.redis.zadd(keys.consent_due, {person_id: now + 3600})
            continue
        if await ctx.redis.exists(person_case(ctx.prefix, person_id)):
            continue  # someone in difficulty is not asked for paperwork now
        try:
            await ctx.rasa_delivery().send(person_id, person, "EXTERNAL_welcome", "")
        except DeliveryError:
            await ctx.redis.zadd(keys.consent_due, {person_id: now + 300})
            continue
        await ctx.redis.hset(keys.person(person_id), "consent_asked_ts", f"{now:.0f}")
        count += 1
    return count
