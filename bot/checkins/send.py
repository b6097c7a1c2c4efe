"""The check-in wave: claim due check-ins, decide, send each once.

- Due check-ins are **claimed atomically** (``bot.core.redisx.LeasedQueue``: a
  batch moves from ``{p}:checkins:due`` to ``{p}:checkins:leased`` with a lease
  and an owner). A worker that dies leaves its lease to expire; the next claim
  puts the item back and another worker takes it.
- Before sending, the worker takes the **idempotency key** of the person, slot
  and local day (``SET NX``): ``sending:<ts>:<wall ts>:<worker>`` then
  ``sent:<ts>``. A key left in ``sending`` by a dead worker is checked against
  the conversation (did Rasa get the check-in after that moment?) before
  anything is re-sent: sending twice is worse than once.
- A check-in is sent only within the **grace window** after its planned local
  time (no "bonjour" at 15:00 after an outage), never in the quiet hours, never
  to a person who is pending, paused, opted out, or talking with a listener.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta
from typing import Any, List, Optional, Tuple, cast

from bot.checkins.missed import count_missed
from bot.checkins.wording import compose_remembered
from bot.core.ports import DeliveryError, JobContext, RedisClient
from bot.core.records import Person, WavePerson, read_field
from bot.core.redisx import LeasedQueue, hash_of, s
from bot.people.registry import Keys, at_local, in_quiet_hours, local_date, next_due, zone
from bot.checkins import ladder

logger = logging.getLogger(__name__)

SENT_TTL = 3 * 86400


def checkin_queue(redis: RedisClient, prefix: str) -> LeasedQueue:
    """The leased queue of due check-ins."""
    keys = Keys(prefix)
    return LeasedQueue(redis, keys.due, keys.leased, keys.lease_due, keys.lease_owner)


def planned_at(person: Person, slot: str, due: float) -> Optional[float]:
    """The check-in's planned moment on the local day of ``due`` (None: no time set)."""
    hhmm = read_field(person, slot) or ""
    if not hhmm:
        return None
    tz_name = person.get("timezone", "")
    return at_local(local_date(due, tz_name), hhmm, tz_name)


def next_at(person: Person, slot: str, after: float, now: float) -> Optional[float]:
    """The next occurrence of the slot after ``after`` (and not before now)."""
    hhmm = read_field(person, slot) or ""
    if not hhmm:
        return None
    return next_due(hhmm, person.get("timezone", ""), max(after, now))


async def send_wave(ctx: Any) -> int:
    """Claim one batch of due check-ins and handle them; return how many."""
    claimed = await ctx.claim()
    if not claimed:
        return 0
    keys = Keys(ctx.prefix)
    # One round trip for what every decision needs.
    async with ctx.redis.pipeline(transaction=False) as pipe:
        for member, _due in claimed:
            person_id = member.rpartition("|")[0]
            pipe.hgetall(keys.person(person_id))
            pipe.exists(keys.takeover(person_id))
        found = await pipe.execute()
    people: List[WavePerson] = []
    for index in range(len(claimed)):
        person = cast(WavePerson, hash_of(found[2 * index]))
        if person:
            person["_takeover"] = "1" if found[2 * index + 1] else ""
        people.append(person)
    semaphore = asyncio.Semaphore(ctx.settings.concurrency)

    async def one(item: Tuple[str, float], person: WavePerson) -> None:
        async with semaphore:
            try:
                await ctx.handle(item[0], item[1], person)
            except Exception:  # noqa: BLE001 - one person never stops the wave
                ctx.stats.failed += 1
                logger.exception("check-in %s failed; it will be retried",
                                 item[0].rpartition("|")[2])

    await asyncio.gather(*(one(item, person) for item, person in zip(claimed, people)))
    return len(claimed)


async def _skip_reason(ctx: Any, keys: Keys, person_id: str, person: WavePerson,
                       planned: float, now: float) -> Optional[str]:
    status = person.get("status", "")
    if status == "paused" and float(person.get("paused_until") or 0) <= now \
            and person.get("paused_until"):
        await ctx.redis.hset(keys.person(person_id), "status", "active")
        await ctx.redis.hdel(keys.person(person_id), "paused_until")
        status = "active"
    if status != "active":
        return status or "pending"
    if person.get("_takeover") if "_takeover" in person else \
            await ctx.redis.exists(keys.takeover(person_id)):
        return "takeover"
    if now - planned > ctx.settings.grace_seconds:
        return "late"
    if in_quiet_hours(datetime.fromtimestamp(now, zone(person.get("timezone", ""))).time(),
                      ctx.settings.quiet_hours):
        return "quiet"
    return None


async def handle(ctx: Any, member: str, due: float, person: WavePerson) -> str:
    """Decide, then send one check-in; return what happened."""
    keys = Keys(ctx.prefix)
    person_id, _, slot = member.rpartition("|")
    now = ctx.now()

    def following(after: float) -> Optional[float]:
        return next_at(person, slot, after, ctx.now())

    if not person:
        await ctx.complete(member, None)
        ctx.stats.skip("unknown")
        return "unknown"
    planned = planned_at(person, slot, due)
    if planned is None:
        await ctx.complete(member, None)
        ctx.stats.skip("no_time")
        return "no_time"
    reason = await _skip_reason(ctx, keys, person_id, person, planned, now)
    if reason:
        await ctx.complete(member, following(planned))
        ctx.stats.skip(reason)
        return reason
    if now < planned - 1:
        # The times changed while it was queued: put it back where it belongs.
        await ctx.complete(member, planned)
        ctx.stats.skip("early")
        return "early"
    day = local_date(planned, person.get("timezone", ""))
    key = keys.sent(person_id, slot, day.isoformat())
    intent = f"EXTERNAL_checkin_{slot}"
    # The scheduling clock, and the wall clock Rasa stamps its events with.
    mark = f"sending:{now:.3f}:{time.time():.3f}:{ctx.token}"
    if not await ctx.redis.set(key, mark, nx=True, ex=SENT_TTL):
        previous = s(await ctx.redis.get(key))
        if previous.startswith("sent") or previous.endswith(f":{ctx.token}"):
            await ctx.complete(member, following(planned))
            ctx.stats.skip("duplicate")
            return "duplicate"
        parts = previous.split(":", 3)
        since = float(parts[1]) if len(parts) == 4 else now
        wall_since = float(parts[2]) if len(parts) == 4 else time.time()
        if now < since + ctx.settings.settle_seconds:
            # A dead worker's request may still be running in Rasa: look at the
            # conversation only once it has surely finished or given up.
            await ctx.complete(member, since + ctx.settings.settle_seconds)
            ctx.stats.skip("settling")
            return "settling"
        delivered = await ctx.delivery.delivered_since(person_id, intent, wall_since)
        if delivered is not False:
            # Sent by a worker that died before saying so (or unknowable):
            # sending twice is worse than once.
            await ctx.redis.set(key, f"sent:{since:.3f}:recovered", ex=SENT_TTL)
            await ctx.complete(member, following(planned))
            # The check-in went: its ladder after a silence starts from when it went.
            await ladder.start_after_checkin(ctx.redis, ctx.prefix, person_id, person, since)
            ctx.stats.skip("recovered")
            return "recovered"
        await ctx.redis.set(key, mark, ex=SENT_TTL)
    text, variant = await compose(ctx, person_id, person, slot, day)
    await ctx.pacer.wait()
    try:
        await ctx.delivery.send(person_id, person, intent, text)
    except DeliveryError as error:
        await ctx.redis.delete(key)
        await ctx.complete(member, min(now + ctx.settings.retry_seconds,
                                       planned + ctx.settings.grace_seconds + 1))
        ctx.stats.failed += 1
        logger.warning("check-in not delivered, retry later: %s", error)
        return "retry"
    sent_at = ctx.now()
    async with ctx.redis.pipeline(transaction=True) as pipe:
        # The last check-in still unanswered counts as missed (below).
        pipe.zrem(keys.awaiting, person_id)
        pipe.set(key, f"sent:{sent_at:.3f}", ex=SENT_TTL)
        pipe.hset(keys.person(person_id), mapping={
            f"last_variant_{slot}": str(variant),
            f"last_checkin_{slot}_day": day.isoformat(),
            "last_checkin_ts": f"{sent_at:.3f}",
            "last_checkin_slot": slot,
        })
        pipe.zadd(keys.awaiting, {person_id: sent_at + ctx.settings.answer_window_seconds})
        await ctx.checkins.complete(member, ctx.token, following(planned), client=pipe)
        previous_unanswered = (await pipe.execute())[0]
    # Someone whose watch level re-asks: the ladder after a silence starts now.
    await ladder.start_after_checkin(ctx.redis, ctx.prefix, person_id, person, sent_at)
    if previous_unanswered:
        await count_missed(ctx, person_id, person)
    ctx.stats.sent += 1
    return "sent"


async def compose(ctx: JobContext, person_id: str, person: Person, slot: str,
                  day: Any) -> Tuple[str, int]:
    """The check-in's wording: yesterday's mood, no wording of the last week."""
    yesterday = (day - timedelta(days=1)).isoformat()
    mood = None
    if person.get("mood_days"):  # only people who ever answered have a mood
        mood = s(await ctx.redis.hget(Keys(ctx.prefix).mood(person_id), yesterday)) or None
    last_day = read_field(person, f"last_checkin_{slot}_day") or ""
    last = read_field(person, f"last_variant_{slot}") or ""
    # Yesterday's variant is avoided, and (compose_remembered) any wording
    # the person got in the last week; a name they shared may come back.
    last_variant = int(last) if last.isdigit() and last_day == yesterday else None
    return await compose_remembered(ctx.redis, ctx.prefix, person_id, person, slot,
                                    day, mood, last_variant, ctx.now())


__all__: List[str] = ["SENT_TTL", "checkin_queue", "send_wave", "handle", "compose"]
