"""The circle of care's worker jobs: agreement requests to new contacts, and the
weekly "tout va bien" a contact may ask for (HEBDO).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from bot.checkins.ladder import person_name, quiet_now, say, send_text
from bot.core.keys import CircleKeys, Keys
from bot.core.ports import JobContext
from bot.core.records import as_person
from bot.core.redisx import hash_of, pop_due, send_once
from bot.people import circle
from bot.people.registry import zone

WEEK = 7 * 86400
SENT_TTL = 30 * 86400


async def ask_agreements(ctx: JobContext) -> int:
    """Worker job: each new contact is asked to agree before anything else."""
    keys = CircleKeys(ctx.prefix)
    now = ctx.now()
    sent = 0
    async for member in pop_due(ctx.redis, keys.agreements_due, now, 100):
        person_id, _, contact_id = member.partition("|")
        contact = await circle.get_contact(ctx.redis, ctx.prefix, person_id, contact_id)
        if contact is None or contact.status != "pending":
            continue
        person = as_person(hash_of(await ctx.redis.hgetall(Keys(ctx.prefix).person(person_id))))
        if quiet_now(person.get("timezone", ""), now):
            await ctx.redis.zadd(keys.agreements_due, {member: now + 3600})
            continue
        text = say("agreement_request", contact=contact.first_name,
                   person=person_name(person))
        output = ctx.alert_output().output(contact.channel)
        try:
            await send_once(ctx.redis, keys.sent(person_id, f"agree:{contact_id}"),
                            partial(send_text, output, contact.address, text), now, SENT_TTL)
        except Exception:  # noqa: BLE001 - provider refused: try again in ten minutes
            await ctx.redis.zadd(keys.agreements_due, {member: now + 600})
            continue
        await circle.set_status(ctx.redis, ctx.prefix, person_id, contact, "asked", now)
        sent += 1
    return sent


async def weekly_reassurance(ctx: JobContext) -> int:
    """Worker job: a contact who asked (HEBDO) gets "tout va bien cette semaine"
    when the person answered this week, nothing otherwise.
    """
    keys = CircleKeys(ctx.prefix)
    now = ctx.now()
    sent = 0
    async for member in pop_due(ctx.redis, keys.weekly_due, now, 100):
        person_id, _, contact_id = member.partition("|")
        contact = await circle.get_contact(ctx.redis, ctx.prefix, person_id, contact_id)
        if contact is None or not contact.weekly or contact.status != "agreed":
            continue
        person = as_person(hash_of(await ctx.redis.hgetall(Keys(ctx.prefix).person(person_id))))
        await ctx.redis.zadd(keys.weekly_due, {member: now + WEEK})
        if float(person.get("last_sign_ts") or 0) < now - WEEK:
            continue  # no answer this week: the ladder speaks, not this message
        week = datetime.fromtimestamp(now, zone(person.get("timezone", ""))).strftime("%G-%V")
        text = say("weekly", person=person_name(person))
        output = ctx.alert_output().output(contact.channel)
        if await send_once(ctx.redis, keys.sent(person_id, f"weekly:{contact_id}:{week}"),
                           partial(send_text, output, contact.address, text), now, SENT_TTL):
            sent += 1
    return sent


