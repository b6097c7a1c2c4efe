"""The ladder after a silence is durable and exactly once: workers that die mid-step,
two workers at once, an answer that crosses a step in flight; and the ladder file
is validated (the worker refuses to start on a bad one)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from types import SimpleNamespace

import pytest
import redis.asyncio as aioredis

from bot.checkins import ladder
from bot.core.keys import LadderKeys
from bot.safety import cases
from bot.safety import roster as roster_mod
from tests.support.fakes import Clock
from tests.support.ladder import (
    THANKS, Outbox, agree, answer, circle_of, enrol, ts, worker, write_roster,
)
from tests.support.paths import ROOT
from tests.support.settings import TEST_REDIS_URL

DAY = (2026, 11, 25)


@pytest.fixture
async def world(redis_client, tmp_path, monkeypatch):
    """Marie (renforcée) and her circle, Paul then Lise, who agreed; her check-in went
    at 09:30:05; two workers on one clock and one outbox."""
    monkeypatch.setenv("ROSTER_FILE", str(tmp_path / "roster.yml"))
    monkeypatch.delenv("QUIET_HOURS", raising=False)
    phones = write_roster(tmp_path / "roster.yml")
    prefix = f"{uuid.uuid4().hex[:8]}d"
    clock = Clock(ts(*DAY, 8, 10))
    box = Outbox()
    first = worker(redis_client, prefix, clock, box, name="w1")
    try:
        marie = await enrol(redis_client, prefix, clock())
        contacts = await circle_of(redis_client, prefix, marie, clock(), "Paul", "Lise")
        await first.tick()
        await agree(redis_client, prefix, contacts, clock())
        clock.ts = ts(*DAY, 9, 30, 5)
        await first.tick()
        yield SimpleNamespace(redis=redis_client, prefix=prefix, clock=clock, box=box,
                              phones=phones, w1=first, marie=marie, c=contacts,
                              w2=worker(redis_client, prefix, clock, box, name="w2"))
    finally:
        roster_mod.roster.cache_clear()
        async for key in redis_client.scan_iter(match=f"{prefix}:*", count=1000):
            await redis_client.delete(key)


async def _at(w, who, hour, minute, second=0):
    w.clock.ts = ts(*DAY, hour, minute, second)
    for _ in range(3):
        await who.tick()


def _asks(w, name):
    return [t for t in w.box.to(w.c[name]) if "AIDE" in t and "OUI" not in t]


async def _cases(w):
    return [(c["level"], c["category"]) for c in await cases.queue(w.redis, w.prefix)]


def _everything_once(w):
    """Over the whole ladder: one re-ask, each contact asked once, one page."""
    assert len(w.box.to(w.marie)) == 1
    assert (len(_asks(w, "Paul")), len(_asks(w, "Lise"))) == (1, 1)
    assert len(w.box.to(f"sms:{w.phones['oncall']}")) == 1


async def test_a_step_a_dead_worker_claimed_is_done_once_after_its_lease(world):
    w = world
    w.clock.ts = ts(*DAY, 10, 15, 10)
    steps = ladder.queue(w.redis, w.prefix)
    claimed = await steps.claim(w.clock(), w.clock() + 120, 100, "dead-worker")
    assert [m.rpartition("|")[2] for m, _ in claimed] == ["reask"]  # and never completed
    await _at(w, w.w2, 10, 16)
    assert w.box.to(w.marie) == []  # leased by the dead worker: nobody takes it yet
    await _at(w, w.w2, 10, 17, 15)
    assert len(w.box.to(w.marie)) == 1
    for moment in ((11, 2, 20), (11, 22, 25), (11, 42, 30), (12, 2, 30), (14, 0)):
        await _at(w, w.w2, *moment)
    _everything_once(w)
    assert await _cases(w) == [("high", "no_news")]


async def test_a_worker_killed_right_after_a_send_sends_nothing_twice(world, monkeypatch):
    w = world
    for moment in ((10, 15, 10),):
        await _at(w, w.w1, *moment)
    real, killed = ladder.send_once, []

    async def then_die(*args, **kwargs):
        result = await real(*args, **kwargs)
        if not killed:
            killed.append(args[1])
            raise ConnectionError("the worker's process is killed here")
        return result

    monkeypatch.setattr(ladder, "send_once", then_die)
    w.clock.ts = ts(*DAY, 11, 0, 10)
    await w.w1.job("ladder")
    assert len(killed) == 1 and len(_asks(w, "Paul")) == 1
    for moment in ((11, 1), (11, 2, 15), (11, 21), (11, 22, 20), (12, 0, 15), (12, 2, 20),
                   (14, 0)):
        await _at(w, w.w2, *moment)
    _everything_once(w)  # Paul not asked again, Lise asked all the same, the deadline
    assert await _cases(w) == [("high", "no_news")]


class _DiesBeforeScheduling:
    """A Redis client whose process dies when the ladder schedules the deadline (after
    the ask is sent and recorded, before the next steps are written)."""

    def __init__(self, redis, prefix):
        self._redis, self._due = redis, LadderKeys(prefix).due

    def __getattr__(self, name):
        return getattr(self._redis, name)

    async def zadd(self, key, mapping, *args, **kwargs):
        if key == self._due and any(m.endswith("|deadline") for m in mapping):
            raise ConnectionError("the worker's process is killed here")
        return await self._redis.zadd(key, mapping, *args, **kwargs)


async def test_a_worker_killed_before_scheduling_the_next_steps_skips_nothing(world):
    w = world
    await _at(w, w.w1, 10, 15, 10)
    doomed = worker(_DiesBeforeScheduling(w.redis, w.prefix), w.prefix, w.clock, w.box,
                    name="doomed")
    w.clock.ts = ts(*DAY, 11, 0, 10)
    await doomed.job("ladder")
    assert len(_asks(w, "Paul")) == 1
    await _at(w, w.w2, 11, 2, 15)  # the lease passed: the survivor takes the step
    assert _asks(w, "Lise") == []  # Paul still has his 20 minutes
    for moment in ((11, 22, 20), (12, 2, 20), (14, 0)):
        await _at(w, w.w2, *moment)
    _everything_once(w)
    assert await _cases(w) == [("high", "no_news")]


async def test_two_workers_at_once_send_each_message_once(world):
    w = world
    second = aioredis.from_url(TEST_REDIS_URL)
    try:
        other = worker(second, w.prefix, w.clock, w.box, name="w3")
        for moment in ((10, 15, 10), (11, 0, 10), (11, 20, 15), (12, 0, 15), (12, 0, 16),
                       (12, 0, 17), (14, 0)):
            w.clock.ts = ts(*DAY, *moment)
            for _ in range(2):
                await asyncio.gather(w.w1.tick(), other.tick())
    finally:
        await second.close()
    _everything_once(w)
    assert await _cases(w) == [("high", "no_news")]


async def test_an_answer_that_crosses_the_reask_in_flight_wins(world):
    w = world
    w.box.hang_for = w.marie
    w.clock.ts = ts(*DAY, 10, 15, 10)
    step = asyncio.create_task(w.w1.job("ladder"))
    await asyncio.wait_for(w.box.started.wait(), 5)
    await answer(w.redis, w.prefix, w.marie, ts(*DAY, 10, 15, 11))
    w.box.release.set()
    await step
    for moment in ((10, 16), (11, 0, 10), (11, 1), (11, 20, 15), (12, 0, 15), (14, 0)):
        await _at(w, w.w1, *moment)
    assert _asks(w, "Paul") == [] and _asks(w, "Lise") == []
    assert await _cases(w) == []


async def test_an_answer_that_crosses_a_step_claimed_but_not_run_wins(world):
    w = world
    await _at(w, w.w1, 10, 15, 10)
    w.clock.ts = ts(*DAY, 11, 0, 10)
    claimed = await ladder.queue(w.redis, w.prefix).claim(w.clock(), w.clock() + 120, 100,
                                                          "slow-worker")
    assert [m.rpartition("|")[2] for m, _ in claimed] == ["circle"]
    await answer(w.redis, w.prefix, w.marie, ts(*DAY, 11, 0, 30))
    for moment in ((11, 2, 15), (11, 20, 15), (12, 0, 15), (14, 0)):
        await _at(w, w.w2, *moment)
    assert _asks(w, "Paul") == [] and _asks(w, "Lise") == [] and await _cases(w) == []
    assert THANKS not in w.box.to(w.c["Paul"])  # never asked: nothing to thank for


async def test_a_contact_asked_while_the_person_answers_is_thanked(world):
    w = world
    await _at(w, w.w1, 10, 15, 10)
    w.box.hang_for = w.c["Paul"]
    w.clock.ts = ts(*DAY, 11, 0, 10)
    step = asyncio.create_task(w.w1.job("ladder"))
    await asyncio.wait_for(w.box.started.wait(), 5)
    await answer(w.redis, w.prefix, w.marie, w.clock())
    assert await w.w2.job("ladder") == 1  # the thanks step, due at once, another worker
    w.box.release.set()
    await step
    for moment in ((11, 1), (11, 20, 15), (12, 0, 15), (14, 0)):
        await _at(w, w.w2, *moment)
    assert len(_asks(w, "Paul")) == 1 and _asks(w, "Lise") == []
    assert w.box.to(w.c["Paul"])[-1] == THANKS


# -- the ladder file -----------------------------------------------------------------
GOOD = {"renforcee": {"reask_after": 45, "circle_after": 45, "contact_wait": 20,
                      "confirm_within": 60, "circle": "always"},
        "standard": {"contact_wait": 60, "confirm_within": 120, "circle": "chosen"}}


def _levels(**changes):
    levels = {name: dict(spec) for name, spec in GOOD.items()}
    for path, value in changes.items():
        level, _, key = path.partition("__")
        if value is _DROP:
            levels[level].pop(key) if key else levels.pop(level)
        else:
            levels[level][key] = value
    return {"levels": levels}


_DROP = object()


def test_the_shipped_ladder_is_read_as_the_issue_says():
    levels = ladder.ladder()
    strong = levels["renforcee"]
    assert (strong.reask_after, strong.circle_after, strong.contact_wait,
            strong.confirm_within) == (45, 45, 20, 60)
    assert levels["standard"].reask_after is None and levels["standard"].circle == "chosen"
    assert ladder.check_ladder(_levels())["renforcee"] == strong


@pytest.mark.parametrize("changes, names", [
    ({"standard": _DROP}, "standard"),
    ({"renforcee": _DROP}, "renforcee"),
    ({"renforcee__contact_wait": 0}, "contact_wait"),
    ({"renforcee__reask_after": -45}, "reask_after"),
    ({"standard__confirm_within": "deux heures"}, "confirm_within"),
    ({"renforcee__confirm_within": _DROP}, "confirm_within"),
    ({"renforcee__reask_afer": 45}, "reask_afer"),
    ({"standard__circle": "parfois"}, "circle"),
])
def test_a_bad_ladder_is_refused_and_says_where(changes, names):
    with pytest.raises(ladder.LadderError) as refused:
        ladder.check_ladder(_levels(**changes))
    assert names in str(refused.value)


def test_every_problem_is_named_at_once():
    with pytest.raises(ladder.LadderError) as refused:
        ladder.check_ladder(_levels(standard=_DROP, renforcee__circle_after=0,
                                    renforcee__typo=1))
    text = str(refused.value)
    assert "standard" in text and "circle_after" in text and "typo" in text


_SERVE = """
import asyncio, sys
from pathlib import Path
from bot.checkins import ladder
ladder.LADDER_FILE = Path(sys.argv[1])
from bot.worker.serve import serve
from bot.worker.settings import WorkerSettings
asyncio.run(serve(sys.argv[2], sys.argv[3], WorkerSettings(delivery="direct")))
"""


def test_the_worker_refuses_to_start_on_a_bad_ladder_file(tmp_path):
    bad = tmp_path / "ladder.yml"
    bad.write_text("levels:\n  renforcee: {reask_after: 45, circle_after: 0, "
                   "contact_wait: 20, confirm_within: 60}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "ROSTER_FILE"}
    try:
        run = subprocess.run([sys.executable, "-c", _SERVE, str(bad), TEST_REDIS_URL,
                              f"{uuid.uuid4().hex[:8]}s"], capture_output=True, text=True,
                             cwd=ROOT, env=env, timeout=60)
    except subprocess.TimeoutExpired:  # pragma: no cover - the failure this test is for
        pytest.fail("the worker started on a bad ladder file")
    assert run.returncode != 0
    assert "circle_after" in run.stderr and "standard" in run.stderr
    assert "ne démarre pas" in run.stderr
