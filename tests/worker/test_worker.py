"""The scheduler worker on the real Redis with a controllable clock."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Dict, List, Optional
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis

from bot.checkins.answers import note_answer
from bot.people.registry import Keys, Person, import_persons, set_status
from bot.worker.loop import Worker
from bot.worker.settings import WorkerSettings
from tests.support.fakes import Clock
from tests.support.paths import ROOT

PARIS = ZoneInfo("Europe/Paris")


def _ts(*args: int) -> float:
    return datetime(*args, tzinfo=PARIS).timestamp()


class Delivery:
    """Records what would go to the person; can hang mid-send."""

    def __init__(self) -> None:
        self.sent: List[Dict[str, str]] = []
        self.hang: Optional[asyncio.Event] = None
        self.started = asyncio.Event()

    async def send(self, person_id, person, intent, text) -> None:
        self.started.set()
        if self.hang is not None:
            await self.hang.wait()
        self.sent.append({"to": person_id, "intent": intent, "text": text})

    async def delivered_since(self, person_id, intent, since) -> Optional[bool]:
        return any(s["to"] == person_id and s["intent"] == intent for s in self.sent)

    async def close(self) -> None:
        pass


@pytest.fixture
async def world(redis_client):
    """A private key prefix: schedules of other tests never interfere."""
    prefix = f"{uuid.uuid4().hex[:8]}w"
    yield redis_client, prefix
    async for key in redis_client.scan_iter(match=f"{prefix}:*", count=1000):
        await redis_client.delete(key)


async def _enrol(redis, prefix, now, n=1, **fields) -> List[str]:
    persons = []
    for i in range(n):
        values = dict(first_name=f"Marie{i}", channel="sms", address=f"+3361300{i:04d}",
                      consent_at="2026-11-01", consent_how="oral", status="active")
        values.update(fields)
        persons.append(Person(**values))
    await import_persons(redis, prefix, persons, now)
    return [p.id for p in persons]


def _worker(redis, prefix, delivery, clock, **settings) -> Worker:
    return Worker(redis, prefix, delivery, WorkerSettings(**settings), now=clock)


async def test_a_morning_message_fires_exactly_once_with_two_workers(world):
    redis, prefix = world
    clock = Clock(_ts(2026, 11, 25, 8, 0))
    ids = await _enrol(redis, prefix, clock(), n=30)
    delivery = Delivery()
    second = aioredis.from_url("redis://127.0.0.1:6379/0")
    workers = [_worker(redis, prefix, delivery, clock, batch=7),
               _worker(second, prefix, delivery, clock, batch=7)]
    clock.ts = _ts(2026, 11, 25, 9, 30, 5)
    for _ in range(6):
        await asyncio.gather(*(w.tick() for w in workers))
    await second.close()
    morning = [s for s in delivery.sent if s["intent"] == "EXTERNAL_checkin_morning"]
    assert sorted(s["to"] for s in morning) == sorted(ids)
    assert workers[0].stats.sent > 0 and workers[1].stats.sent > 0
    # Rescheduled for tomorrow morning, not again today.
    score = await redis.zscore(Keys(prefix).due, f"{ids[0]}|morning")
    assert score == _ts(2026, 11, 26, 9, 30)


async def test_a_worker_killed_mid_send_leads_to_exactly_one_message(world):
    redis, prefix = world
    clock = Clock(_ts(2026, 11, 25, 9, 0))
    [person] = await _enrol(redis, prefix, clock())
    delivery = Delivery()
    delivery.hang = asyncio.Event()
    clock.ts = _ts(2026, 11, 25, 9, 30, 1)
    doomed = _worker(redis, prefix, delivery, clock, lease_seconds=60)
    task = asyncio.create_task(doomed.tick())
    await asyncio.wait_for(delivery.started.wait(), 5)
    task.cancel()  # the process dies while the provider is being called
    with pytest.raises(asyncio.CancelledError):
        await task
    delivery.hang = None
    survivor = _worker(redis, prefix, delivery, clock, lease_seconds=60, settle_seconds=90)
    assert await survivor.tick() == 0  # leased by the dead worker: nobody touches it
    clock.ts += 61  # the lease expires...
    assert await survivor.tick() == 1
    assert survivor.stats.skipped == {"settling": 1}  # ...but its request may still run
    clock.ts += 30
    assert await survivor.tick() == 1
    assert [s["to"] for s in delivery.sent] == [person]
    assert survivor.stats.sent == 1


async def test_a_worker_killed_after_the_hand_off_sends_nothing_more(world):
    redis, prefix = world
    clock = Clock(_ts(2026, 11, 25, 9, 0))
    [person] = await _enrol(redis, prefix, clock())
    delivery = Delivery()
    clock.ts = _ts(2026, 11, 25, 9, 30, 1)
    doomed = _worker(redis, prefix, delivery, clock, lease_seconds=60)

    async def handed_off_then_died(*args):
        delivery.sent.append({"to": person, "intent": args[2], "text": args[3]})
        raise asyncio.CancelledError

    original = delivery.send
    delivery.send = handed_off_then_died
    with pytest.raises(asyncio.CancelledError):
        await doomed.handle(*(await doomed.claim())[0], await _person(redis, prefix, person))
    delivery.send = original
    clock.ts += 91
    survivor = _worker(redis, prefix, delivery, clock, lease_seconds=60)
    await survivor.tick()
    assert len(delivery.sent) == 1 and survivor.stats.skipped == {"recovered": 1}


async def _person(redis, prefix, person_id):
    raw = await redis.hgetall(Keys(prefix).person(person_id))
    return {k.decode(): v.decode() for k, v in raw.items()}


async def test_daylight_saving_keeps_the_local_time(world):
    redis, prefix = world
    clock = Clock(_ts(2026, 3, 27, 20, 0))
    [person] = await _enrol(redis, prefix, clock(), evening="")
    delivery = Delivery()
    worker = _worker(redis, prefix, delivery, clock)
    sent_at = []
    for day in (28, 29, 30):
        # One minute before 09:30 local: nothing; at 09:30 local: the message.
        clock.ts = _ts(2026, 3, day, 9, 29)
        await worker.tick()
        assert len(delivery.sent) == len(sent_at)
        clock.ts = _ts(2026, 3, day, 9, 30)
        await worker.tick()
        assert len(delivery.sent) == len(sent_at) + 1
        sent_at.append(datetime.fromtimestamp(clock.ts, PARIS).strftime("%H:%M"))
    assert sent_at == ["09:30", "09:30", "09:30"]


@pytest.mark.parametrize("status", ["opted_out", "paused", "pending"])
async def test_nothing_goes_to_a_person_who_is_not_active(world, status):
    redis, prefix = world
    clock = Clock(_ts(2026, 11, 25, 8, 0))
    [person] = await _enrol(redis, prefix, clock())
    await set_status(redis, prefix, person, status, clock(),
                     paused_until=_ts(2026, 12, 1, 0, 0) if status == "paused" else None)
    delivery = Delivery()
    worker = _worker(redis, prefix, delivery, clock)
    for hour in (9, 18, 23):
        clock.ts = _ts(2026, 11, 25, hour, 31)
        await worker.tick()
    assert delivery.sent == []


async def test_a_pause_ends_by_itself(world):
    redis, prefix = world
    clock = Clock(_ts(2026, 11, 25, 8, 0))
    [person] = await _enrol(redis, prefix, clock(), evening="")
    await set_status(redis, prefix, person, "paused", clock(),
                     paused_until=_ts(2026, 11, 27, 0, 0))
    delivery = Delivery()
    worker = _worker(redis, prefix, delivery, clock)
    for day in (25, 26, 27):
        clock.ts = _ts(2026, 11, day, 9, 30)
        await worker.tick()
    assert len(delivery.sent) == 1
    assert (await _person(redis, prefix, person))["status"] == "active"


async def test_nothing_while_a_listener_is_talking_with_them(world):
    redis, prefix = world
    clock = Clock(_ts(2026, 11, 25, 8, 0))
    [person] = await _enrol(redis, prefix, clock())
    await redis.set(Keys(prefix).takeover(person), "listener-1")
    delivery = Delivery()
    clock.ts = _ts(2026, 11, 25, 9, 31)
    worker = _worker(redis, prefix, delivery, clock)
    await worker.tick()
    assert delivery.sent == [] and worker.stats.skipped == {"takeover": 1}


async def test_after_an_outage_only_the_grace_window_is_caught_up(world):
    redis, prefix = world
    clock = Clock(_ts(2026, 11, 25, 8, 0))
    await _enrol(redis, prefix, clock(), n=2)
    delivery = Delivery()
    worker = _worker(redis, prefix, delivery, clock, grace_seconds=90 * 60)
    clock.ts = _ts(2026, 11, 25, 10, 45)  # 75 minutes late: still sent
    await worker.tick()
    assert len(delivery.sent) == 2
    await _enrol(redis, prefix, _ts(2026, 11, 25, 8, 0), n=1, address="+33613999999")
    clock.ts = _ts(2026, 11, 25, 15, 0)  # no "bonjour" at 15:00
    await worker.tick()
    assert len(delivery.sent) == 2 and worker.stats.skipped.get("late") == 1


async def test_quiet_hours_are_respected_even_for_a_late_item(world):
    redis, prefix = world
    clock = Clock(_ts(2026, 11, 25, 8, 0))
    await _enrol(redis, prefix, clock(), morning="", evening="20:55")
    delivery = Delivery()
    worker = _worker(redis, prefix, delivery, clock)
    clock.ts = _ts(2026, 11, 25, 21, 5)  # within grace, but quiet hours began at 21:00
    await worker.tick()
    assert delivery.sent == [] and worker.stats.skipped == {"quiet": 1}


async def test_messages_are_personal_and_never_the_same_two_days_running(world):
    redis, prefix = world
    clock = Clock(_ts(2026, 11, 20, 8, 0))
    [person] = await _enrol(redis, prefix, clock(), evening="")
    delivery = Delivery()
    worker = _worker(redis, prefix, delivery, clock)
    for day in range(20, 30):
        clock.ts = _ts(2026, 11, day, 9, 30)
        await worker.tick()
    texts = [s["text"] for s in delivery.sent]
    assert len(texts) == 10 and all("Marie0" in t for t in texts)
    assert all(a != b for a, b in zip(texts, texts[1:]))
    assert len(set(texts)) >= 4


async def test_yesterdays_answer_is_recalled(world):
    redis, prefix = world
    clock = Clock(_ts(2026, 11, 25, 8, 0))
    [person] = await _enrol(redis, prefix, clock(), evening="")
    delivery = Delivery()
    worker = _worker(redis, prefix, delivery, clock)
    clock.ts = _ts(2026, 11, 25, 9, 30)
    await worker.tick()
    await note_answer(redis, prefix, person, "mood_bad", _ts(2026, 11, 25, 9, 40))
    clock.ts = _ts(2026, 11, 26, 9, 30)
    await worker.tick()
    assert "difficile" in delivery.sent[-1]["text"] or "pas très fort" in delivery.sent[-1]["text"]
    mood = await redis.hgetall(Keys(prefix).mood(person))
    assert mood == {b"2026-11-25": b"bad"}


async def test_the_days_mood_keeps_the_worst_answer(world):
    redis, prefix = world
    person = "sms:+33613111111"
    at = _ts(2026, 11, 25, 9, 40)
    await note_answer(redis, prefix, person, "mood_good", at)
    await note_answer(redis, prefix, person, "need_food", at + 60)
    await note_answer(redis, prefix, person, "mood_good", at + 120)
    assert await redis.hget(Keys(prefix).mood(person), "2026-11-25") == b"need"
    # An unknown address that writes is enrolled as pending: nothing scheduled.
    assert await redis.hget(Keys(prefix).person(person), "status") == b"pending"


async def test_no_news_after_two_silent_check_ins_and_cleared_by_an_answer(world):
    redis, prefix = world
    clock = Clock(_ts(2026, 11, 25, 8, 0))
    [person] = await _enrol(redis, prefix, clock(), referent="ccas-lyon")
    delivery = Delivery()
    worker = _worker(redis, prefix, delivery, clock, answer_window_seconds=3 * 3600)
    keys = Keys(prefix)
    clock.ts = _ts(2026, 11, 25, 9, 30)
    await worker.tick()                       # morning message
    clock.ts = _ts(2026, 11, 25, 12, 31)
    await worker.tick()                       # no answer in 3 hours: one missed
    assert (await _person(redis, prefix, person))["missed"] == "1"
    assert await redis.zcard(f"{prefix}:person:{person}:escalations") == 0
    clock.ts = _ts(2026, 11, 25, 18, 30)
    await worker.tick()                       # evening message
    clock.ts = _ts(2026, 11, 25, 21, 31)
    await worker.tick()                       # second silence: a no-news case
    fields = await _person(redis, prefix, person)
    escalation = await redis.hgetall(f"{prefix}:escalation:{fields['no_news_id']}")
    assert escalation[b"category"] == b"no_news" and escalation[b"level"] == b"watch"
    assert escalation[b"status"] == b"pending" and escalation[b"referent"] == b"ccas-lyon"
    clock.ts = _ts(2026, 11, 26, 0, 31)
    await worker.tick()                       # nothing more: one case per episode
    assert await redis.zcard(f"{prefix}:person:{person}:escalations") == 1
    assert await redis.xlen(f"{prefix}:escalations") == 1
    await note_answer(redis, prefix, person, "mood_good", _ts(2026, 11, 26, 8, 0))
    escalation = await redis.hgetall(f"{prefix}:escalation:{fields['no_news_id']}")
    assert escalation[b"status"] == b"cleared"
    fields = await _person(redis, prefix, person)
    assert fields["missed"] == "0" and "no_news_id" not in fields
    assert await redis.zscore(keys.awaiting, person) is None


async def test_an_answer_in_time_counts_nothing_missed(world):
    redis, prefix = world
    clock = Clock(_ts(2026, 11, 25, 8, 0))
    [person] = await _enrol(redis, prefix, clock())
    delivery = Delivery()
    worker = _worker(redis, prefix, delivery, clock)
    for hour, minute in ((9, 30), (18, 30)):
        clock.ts = _ts(2026, 11, 25, hour, minute)
        await worker.tick()
        await note_answer(redis, prefix, person, "mood_good", clock.ts + 600)
        clock.ts += 4 * 3600
        await worker.tick()
    assert (await _person(redis, prefix, person))["missed"] == "0"


async def test_a_failed_hand_off_is_retried_within_the_window(world):
    from bot.core.ports import DeliveryError

    redis, prefix = world
    clock = Clock(_ts(2026, 11, 25, 8, 0))
    await _enrol(redis, prefix, clock())
    delivery = Delivery()
    failures = {"left": 1}
    original = delivery.send

    async def flaky(*args):
        if failures["left"]:
            failures["left"] -= 1
            raise DeliveryError("rasa answered 503")
        await original(*args)

    delivery.send = flaky
    worker = _worker(redis, prefix, delivery, clock, retry_seconds=60)
    clock.ts = _ts(2026, 11, 25, 9, 30)
    await worker.tick()
    assert delivery.sent == []
    clock.ts += 61
    await worker.tick()
    assert len(delivery.sent) == 1


async def test_changed_times_move_the_next_message(world):
    from bot.people.registry import save_schedule

    redis, prefix = world
    clock = Clock(_ts(2026, 11, 25, 7, 0))
    [person] = await _enrol(redis, prefix, clock())
    await redis.hset(Keys(prefix).person(person), mapping={"morning": "08:15", "evening": ""})
    await save_schedule(redis, prefix, person, clock())
    delivery = Delivery()
    worker = _worker(redis, prefix, delivery, clock)
    clock.ts = _ts(2026, 11, 25, 8, 15)
    await worker.tick()
    clock.ts = _ts(2026, 11, 25, 18, 31)
    await worker.tick()
    assert [s["intent"] for s in delivery.sent] == ["EXTERNAL_checkin_morning"]


@pytest.mark.slow
def test_the_wave_benchmark_runs_end_to_end(tmp_path):
    """A tiny `make bench` wave: real worker processes hand everything over once."""
    import json
    import subprocess
    import sys

    root = ROOT
    result = subprocess.run(
        [sys.executable, "-m", "tools.bench_checkins", "--people", "300", "--rate", "50",
         "--rate-seconds", "2"],
        cwd=root, capture_output=True, text=True, timeout=300,
        env=dict(__import__("os").environ, LIEN_VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "bench" / "checkins.json").read_text())
    assert report["unlimited"]["sent"] == 300
    assert report["limited"]["sent"] == 100
    assert "msg/s" in result.stdout


async def test_someone_new_is_asked_consent_once_a_little_after_their_first_message(world):
    redis, prefix = world
    newcomer = "sms:+33613222222"
    first = _ts(2026, 11, 25, 10, 0)
    await note_answer(redis, prefix, newcomer, "feel_lonely", first)
    delivery = Delivery()
    clock = Clock(first + 119)
    worker = _worker(redis, prefix, delivery, clock)
    await worker.tick()
    assert delivery.sent == []
    clock.ts = first + 121
    await worker.tick()
    await worker.tick()
    assert [(s["to"], s["intent"]) for s in delivery.sent] == [(newcomer,
                                                                 "EXTERNAL_welcome")]
    # Someone who was already asked (they said "bonjour") is not asked again.
    greeted = "sms:+33613222223"
    await note_answer(redis, prefix, greeted, "greet", first)
    await redis.hset(Keys(prefix).person(greeted), "consent_asked_ts", str(first))
    clock.ts = first + 200
    await worker.tick()
    assert len(delivery.sent) == 1


async def test_consent_is_not_asked_at_night(world):
    redis, prefix = world
    night = _ts(2026, 11, 25, 22, 30)
    await note_answer(redis, prefix, "sms:+33613222224", "mood_bad", night)
    delivery = Delivery()
    clock = Clock(night + 300)
    worker = _worker(redis, prefix, delivery, clock)
    await worker.tick()
    assert delivery.sent == []
    clock.ts = _ts(2026, 11, 26, 9, 0)  # postponed until the morning
    await worker.tick()
    assert [s["intent"] for s in delivery.sent] == ["EXTERNAL_welcome"]
