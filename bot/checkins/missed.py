"""Missed check-ins: an unanswered check-in counts as missed once its answer
window passes; N missed in a row (``MISSED_CHECKINS_ALERT``, default 2) raise a
``no_news`` escalation (level ``watch``); any answer clears it (the tracker store
calls ``clear_no_news``), and so does an SMS the provider could not deliver
(``channels/sms.py`` raises it at once).
"""

from __future__ import annotations

from typing import Optional

from bot.core.ports import JobContext, RedisClient
from bot.core.records import Person, as_person
from bot.core.redisx import hash_of, pop_due, s
from bot.people.registry import Keys
from bot.safety.escalation import Escalation, EscalationKeys, record_escalation
from bot.checkins import ladder


async def raise_no_news(redis: RedisClient, prefix: str, person_id: str, person: Person,
                        why: str, now: float) -> Optional[str]:
    """Open a ``no_news`` case (level watch) for the referent, once per episode."""
    keys = Keys(prefix)
    episode = f"{now:.0f}"
    if not await redis.hsetnx(keys.person(person_id), "no_news_episode", episode):
        return None
    escalation = Escalation(
        sender_id=person_id, category="no_news", level="watch",
        channel=person.get("channel", ""), source="checkin", intent="",
        message_id=f"no_news:{episode}", text="", recorded_by="worker",
        pattern=why, created_ts=now,
    )
    _, escalation_id = await record_escalation(redis, escalation, prefix)
    await redis.hset(keys.person(person_id), "no_news_id", escalation_id)
    await redis.hset(EscalationKeys(prefix).record(escalation_id), "referent",
                     person.get("referent", ""))
    return escalation_id


async def clear_no_news(redis: RedisClient, prefix: str, person_id: str, now: float) -> bool:
    """An answer: reset the missed count and clear an open ``no_news`` case."""
    keys = Keys(prefix)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zrem(keys.awaiting, person_id)
        pipe.hget(keys.person(person_id), "no_news_id")
        pipe.hdel(keys.person(person_id), "no_news_episode", "no_news_id")
        pipe.hset(keys.person(person_id), mapping={"missed": "0",
                                                  "last_answer_ts": f"{now:.3f}"})
        _, escalation_id, _, _ = await pipe.execute()
    if escalation_id:
        record = EscalationKeys(prefix).record(s(escalation_id))
        if s(await redis.hget(record, "status")) == "pending":
            await redis.hset(record, mapping={"status": "cleared",
                                              "cleared_ts": f"{now:.3f}",
                                              "cleared_by": "answer"})
        return True
    return False


async def count_missed(ctx: JobContext, person_id: str, person: Person) -> None:
    """One more missed check-in; the threshold raises ``no_news``."""
    missed = await ctx.redis.hincrby(Keys(ctx.prefix).person(person_id), "missed", 1)
    ctx.stats.missed += 1
    if missed >= ctx.settings.missed_threshold:
        await raise_no_news(ctx.redis, ctx.prefix, person_id, person,
                            f"missed:{missed}", ctx.now())
        ctx.stats.no_news += 1
        # A standard person whose social worker chose the circle of care: asked now.
        await ladder.ask_circle_now(ctx.redis, ctx.prefix, person_id, person, ctx.now(),
                                    "missed")


async def expire_unanswered(ctx: JobContext) -> int:
    """Worker job: check-ins whose answer window passed count as missed (once each)."""
    keys = Keys(ctx.prefix)
    now = ctx.now()
    count = 0
    async for person_id in pop_due(ctx.redis, keys.awaiting, now, 500):
        person = as_person(hash_of(await ctx.redis.hgetall(keys.person(person_id))))
        await count_missed(ctx, person_id, person)
        count += 1
    return count
