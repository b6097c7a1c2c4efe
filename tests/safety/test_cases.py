"""The listener queue: escalations become cases, on-call staff are alerted."""

from __future__ import annotations

import asyncio
import uuid
from typing import List

import pytest
import requests

from bot.safety import cases
from bot.safety import roster as roster_mod
from bot.safety.escalation import Escalation, record_escalation
from bot.worker.loop import Worker
from bot.worker.settings import WorkerSettings
from tests.support.fakes import Clock, NoCheckins
from tests.support.settings import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN

T0 = 1_800_000_000.0


@pytest.fixture
async def world(redis_client, twilio_double, monkeypatch, tmp_path):
    """A private prefix, a roster of three tiers with fresh numbers, the Twilio double."""
    for name, value in (("TWILIO_ACCOUNT_SID", TWILIO_SID), ("TWILIO_AUTH_TOKEN", TWILIO_TOKEN),
                        ("TWILIO_FROM_NUMBER", TWILIO_FROM), ("TWILIO_API_URL", twilio_double),
                        ("CONSOLE_URL", "https://lien.example.org")):
        monkeypatch.setenv(name, value)
    phones = [f"+3365{uuid.uuid4().int % 10**7:07d}" for _ in range(3)]
    roster = tmp_path / "roster.yml"
    roster.write_text(
        "tiers:\n" + "".join(
            f"  - name: t{i}\n    members:\n      - {{name: M{i}, phone: '{p}'}}\n"
            for i, p in enumerate(phones))
        + "ladder:\n  critical: [0, 5, 10]\n  high: [0, 15, 30]\n", encoding="utf-8")
    monkeypatch.setenv("ROSTER_FILE", str(roster))
    roster_mod.roster.cache_clear()
    prefix = f"{uuid.uuid4().hex[:8]}q"

    def received(index: int) -> List[str]:
        messages = requests.get(f"{twilio_double}/_messages", timeout=10).json()
        return [m["body"] for m in messages if m["to"] == phones[index]]

    yield redis_client, prefix, received
    roster_mod.roster.cache_clear()
    async for key in redis_client.scan_iter(match=f"{prefix}:*", count=1000):
        await redis_client.delete(key)


async def _escalate(redis, prefix, sender, category="suicide", level="critical",
                    text="jveux en finir", ts=T0):
    created, escalation_id = await record_escalation(
        redis, Escalation(sender_id=sender, category=category, level=level, channel="sms",
                          text=text, created_ts=ts), prefix)
    return escalation_id


def _worker(redis, prefix, clock) -> Worker:
    return Worker(redis, prefix, NoCheckins(), WorkerSettings(lease_seconds=30), now=clock)


async def test_cases_are_ordered_by_level_then_waiting_time(world):
    redis, prefix, _ = world
    clock = Clock(T0)
    await _escalate(redis, prefix, "sms:+33611100001", "human_request", "request", ts=T0 - 900)
    await _escalate(redis, prefix, "sms:+33611100002", "violence", "high", ts=T0 - 600)
    await _escalate(redis, prefix, "sms:+33611100003", "no_news", "watch", ts=T0 - 1200)
    await _escalate(redis, prefix, "sms:+33611100004", "suicide", "critical", ts=T0 - 60)
    await _escalate(redis, prefix, "sms:+33611100005", "medical", "critical", ts=T0 - 300)
    await cases.ensure_group(redis, prefix)
    assert await cases.consume(redis, prefix, "w1", clock()) == 5
    order = [(c["person_id"][-2:], c["level"]) for c in await cases.queue(redis, prefix)]
    assert order == [("05", "critical"), ("04", "critical"), ("02", "high"),
                     ("03", "watch"), ("01", "request")]


async def test_a_new_message_joins_the_open_case_and_can_raise_it(world):
    redis, prefix, _ = world
    clock = Clock(T0)
    person = "sms:+33611100010"
    await cases.ensure_group(redis, prefix)
    await _escalate(redis, prefix, person, "human_request", "request")
    await cases.consume(redis, prefix, "w1", clock())
    await _escalate(redis, prefix, person, "suicide", "critical")
    await cases.consume(redis, prefix, "w1", clock())
    (case,) = await cases.queue(redis, prefix)
    assert case["level"] == "critical" and case["category"] == "suicide"
    assert case["messages"] == "2" and len(case["escalations"].split(",")) == 2
    await cases.resolve_case(redis, prefix, case["id"], "rappelée", "3114 transféré", clock())
    assert await cases.queue(redis, prefix) == []
    await _escalate(redis, prefix, person, "medical", "critical")
    await cases.consume(redis, prefix, "w1", clock())
    (again,) = await cases.queue(redis, prefix)
    assert again["id"] != case["id"]


async def test_an_escalation_read_twice_makes_one_case(world):
    redis, prefix, _ = world
    clock = Clock(T0)
    await cases.ensure_group(redis, prefix)
    await _escalate(redis, prefix, "sms:+33611100020")
    # The first consumer dies after reading, before acknowledging.
    await redis.xreadgroup(cases.GROUP, "dead", {f"{prefix}:escalations": ">"}, count=10)
    assert await cases.consume(redis, prefix, "w2", clock(), min_idle_ms=0) == 1
    assert await cases.consume(redis, prefix, "w2", clock(), min_idle_ms=0) == 0
    assert len(await cases.queue(redis, prefix)) == 1
    pending = await redis.xpending(f"{prefix}:escalations", cases.GROUP)
    assert pending["pending"] == 0


async def test_a_critical_case_alerts_at_once_then_widens_until_claimed(world):
    redis, prefix, received = world
    clock = Clock(T0)
    person = "sms:+33611100030"
    await redis.hset(f"{prefix}:person:{person}", "first_name", "Odette")
    await _escalate(redis, prefix, person, text="jveux en finir ce soir")
    worker = _worker(redis, prefix, clock)
    await worker.tick()
    (case,) = await cases.queue(redis, prefix)
    alert = received(0)
    assert len(alert) == 1
    assert alert[0] == (f"Lien : cas URGENT (idées suicidaires) pour Odette. Prise en "
                        f"charge : https://lien.example.org/cases/{case['id']}")
    assert "finir" not in alert[0] and "+336111" not in alert[0]
    assert received(1) == []
    clock.ts += 4 * 60
    await worker.tick()
    assert received(1) == []  # not yet
    clock.ts += 61
    await worker.tick()
    assert len(received(1)) == 1 and received(1)[0].startswith("Lien, RAPPEL : cas URGENT")
    assert len(received(0)) == 1  # each tier once
    assert await cases.claim_case(redis, prefix, case["id"], "listener-1", clock())
    clock.ts += 10 * 60
    await worker.tick()
    assert received(2) == []  # claimed: the ladder stops


async def test_killed_between_the_case_and_the_alert_the_alert_goes_out_once(world):
    redis, prefix, received = world
    clock = Clock(T0)
    await _escalate(redis, prefix, "sms:+33611100040", "violence", "high")
    await cases.ensure_group(redis, prefix)
    await cases.consume(redis, prefix, "dead-worker", clock())  # case written, then death
    survivor = _worker(redis, prefix, clock)
    await survivor.tick()
    await survivor.tick()
    assert len(received(0)) == 1 and "prioritaire (violences)" in received(0)[0]


async def test_watch_cases_and_requests_do_not_page_anyone(world):
    redis, prefix, received = world
    clock = Clock(T0)
    await _escalate(redis, prefix, "sms:+33611100050", "no_news", "watch")
    await _escalate(redis, prefix, "sms:+33611100051", "human_request", "request")
    worker = _worker(redis, prefix, clock)
    await worker.tick()
    assert len(await cases.queue(redis, prefix)) == 2
    # Only the referents' daily digest (tests/safety/test_digest.py) may mention them.
    assert not any(m.startswith(("Lien : cas", "Lien, RAPPEL")) for m in received(0))


async def test_a_cleared_no_news_makes_no_case(world):
    redis, prefix, _ = world
    escalation_id = await _escalate(redis, prefix, "sms:+33611100060", "no_news", "watch")
    await redis.hset(f"{prefix}:escalation:{escalation_id}", "status", "cleared")
    await _worker(redis, prefix, Clock(T0)).tick()
    assert await cases.queue(redis, prefix) == []


async def test_claim_takes_over_and_resolve_gives_back(world):
    redis, prefix, received = world
    clock = Clock(T0)
    person = "sms:+33611100070"
    await _escalate(redis, prefix, person)
    worker = _worker(redis, prefix, clock)
    await worker.tick()
    (case,) = await cases.queue(redis, prefix)
    assert await cases.claim_case(redis, prefix, case["id"], "ana", clock())
    assert not await cases.claim_case(redis, prefix, case["id"], "bob", clock())
    assert await redis.get(f"{prefix}:takeover:{person}") == b"ana"
    assert await cases.release_case(redis, prefix, case["id"], clock(), to="bob")
    assert await redis.get(f"{prefix}:takeover:{person}") == b"bob"
    assert await cases.resolve_case(redis, prefix, case["id"], "écoutée", "CCAS", clock())
    assert not await redis.exists(f"{prefix}:takeover:{person}")
    done = await cases.get_case(redis, prefix, case["id"])
    assert (done["status"], done["orientation"]) == ("resolved", "CCAS")
    escalation_id = done["escalations"]
    assert await redis.hget(f"{prefix}:escalation:{escalation_id}", "status") == b"resolved"


async def test_a_vanished_listener_gives_the_case_back_and_it_alerts_again(world):
    redis, prefix, received = world
    clock = Clock(T0)
    await _escalate(redis, prefix, "sms:+33611100080")
    worker = _worker(redis, prefix, clock)
    await worker.tick()
    (case,) = await cases.queue(redis, prefix)
    await cases.claim_case(redis, prefix, case["id"], "ana", clock(), lease_seconds=600)
    clock.ts += 601
    await worker.tick()
    assert (await cases.get_case(redis, prefix, case["id"]))["status"] == "pending"
    assert len(received(0)) == 2  # alerted again


class _Watched(Worker):
    """A worker that says when a round is over (and can act in the middle of one)."""

    def __init__(self, *args, during_first_round=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rounds = 0
        self.round_done = asyncio.Event()
        self.during_first_round = during_first_round

    async def tick(self) -> int:
        handled = await super().tick()
        self.rounds += 1
        if self.rounds == 1 and self.during_first_round is not None:
            await self.during_first_round()  # after this round read the stream
        self.round_done.set()
        return handled


async def _wait_for_case(redis, prefix, timeout=5.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        found = await cases.queue(redis, prefix)
        if found:
            return found
        await asyncio.sleep(0.02)
    return []


async def test_an_idle_worker_wakes_up_for_a_new_escalation(world):
    redis, prefix, received = world
    stop = asyncio.Event()
    worker = _Watched(redis, prefix, NoCheckins(), WorkerSettings(poll_seconds=30),
                      now=Clock(T0))
    task = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.wait_for(worker.round_done.wait(), 10)
        assert await cases.queue(redis, prefix) == []
        await asyncio.sleep(0.2)  # well into the 30 s wait
        await _escalate(redis, prefix, "sms:+33611100090")
        # Only the wake-up can pass this: the poll would end 30 s later.
        (case,) = await _wait_for_case(redis, prefix)
        assert case["level"] == "critical"
        deadline = asyncio.get_running_loop().time() + 5
        while not received(0) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        assert len(received(0)) == 1
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_an_escalation_written_during_a_round_is_not_missed(world):
    redis, prefix, _ = world

    async def escalate_now() -> None:
        await _escalate(redis, prefix, "sms:+33611100091", "violence", "high")

    stop = asyncio.Event()
    worker = _Watched(redis, prefix, NoCheckins(), WorkerSettings(poll_seconds=30),
                      now=Clock(T0), during_first_round=escalate_now)
    task = asyncio.create_task(worker.run(stop))
    try:
        (case,) = await _wait_for_case(redis, prefix, timeout=10)
        assert case["category"] == "violence"
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_stop_ends_a_long_idle_wait(world):
    redis, prefix, _ = world
    stop = asyncio.Event()
    worker = _Watched(redis, prefix, NoCheckins(), WorkerSettings(poll_seconds=30),
                      now=Clock(T0))
    task = asyncio.create_task(worker.run(stop))
    await asyncio.wait_for(worker.round_done.wait(), 10)
    await asyncio.sleep(0.2)
    stop.set()
    await asyncio.wait_for(task, 5)  # not 30 s
    assert worker.rounds == 1
    # The cancelled read left the client usable.
    assert await redis.ping()


async def test_an_unanswered_direct_question_raises_the_watch_case(world):
    """The uncertain band asked "pensez-vous à mourir ?": silence escalates, an answer does not."""
    redis, prefix, _ = world
    silent, answered, no_news = "sms:+33611100011", "sms:+33611100012", "sms:+33611100013"
    for person in (silent, answered):
        await _escalate(redis, prefix, person, "suicide", "watch", "plus la force", ts=T0)
    await _escalate(redis, prefix, no_news, "no_news", "watch", "", ts=T0)
    # The tracker store's index: the question was the last thing (silent), or
    # the person wrote again two minutes later (answered).
    await redis.zadd(f"{prefix}:trk:index", {silent: T0 + 1, answered: T0 + 120,
                                             no_news: T0 + 1})
    await cases.ensure_group(redis, prefix)
    assert await cases.consume(redis, prefix, "w1", T0 + 5) == 3
    keys = cases.CaseKeys(prefix)
    assert await cases.raise_unanswered_questions(redis, prefix, T0 + 600, 1800) == 0
    assert await cases.raise_unanswered_questions(redis, prefix, T0 + 1900, 1800) == 1
    levels = {c["person_id"]: c["level"] for c in await cases.queue(redis, prefix)}
    assert levels == {silent: "high", answered: "watch", no_news: "watch"}
    silent_case = next(c for c in await cases.queue(redis, prefix) if c["person_id"] == silent)
    assert await redis.zscore(keys.alerts("due"), f"case:{silent_case['id']}:0") is not None
    # Raised once only.
    assert await cases.raise_unanswered_questions(redis, prefix, T0 + 4000, 1800) == 0
