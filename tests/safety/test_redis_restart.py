"""Fault: Redis killed (SIGKILL) and restarted: with its AOF no case is lost; empty,
the worker recovers by itself.

A private redis-server (free port, temporary directory, ``--appendonly yes
--appendfsync always``, no RDB) holds cases opened through the real code path;
it is killed with SIGKILL and started again on the same directory and port.
Without persistence it comes back empty: the consumer group is gone too.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import redis as syncredis
import redis.asyncio as aioredis
import requests

from bot.safety import cases
from bot.safety import roster as roster_mod
from bot.safety.escalation import Escalation, EscalationKeys, record_escalation
from bot.worker.loop import Worker
from bot.worker.settings import WorkerSettings
from tests.support.fakes import Clock, NoCheckins
from tests.support.settings import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server not installed")

T0 = 1_800_000_000.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own, with an AOF fsynced at every write."""

    def __init__(self, directory: Path, persist: bool = True) -> None:
        self.directory = directory
        self.persist = persist
        self.port = _free_port()
        self.process: subprocess.Popen = None  # type: ignore[assignment]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--appendonly",
             "yes" if self.persist else "no",
             "--appendfsync", "always", "--save", "", "--daemonize", "no",
             "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = syncredis.Redis.from_url(self.url)
        deadline = time.monotonic() + 20
        while True:
            try:
                if client.ping():
                    # Ready means the AOF was loaded, not only the port open.
                    if client.info("persistence").get("loading") == 0:
                        break
            except (syncredis.ConnectionError, syncredis.BusyLoadingError):
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("private redis-server did not start")
            time.sleep(0.05)
        client.close()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


@pytest.fixture
def empty_redis(tmp_path):
    """A redis-server without persistence: a restart brings it back empty."""
    server = PrivateRedis(tmp_path, persist=False)
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


@pytest.fixture
def roster(twilio_double, monkeypatch, tmp_path):
    """Two tiers with fresh numbers, the Twilio double as the provider."""
    for name, value in (("TWILIO_ACCOUNT_SID", TWILIO_SID), ("TWILIO_AUTH_TOKEN", TWILIO_TOKEN),
                        ("TWILIO_FROM_NUMBER", TWILIO_FROM), ("TWILIO_API_URL", twilio_double),
                        ("CONSOLE_URL", "https://lien.example.org")):
        monkeypatch.setenv(name, value)
    phones = [f"+3366{uuid.uuid4().int % 10**7:07d}" for _ in range(2)]
    path = tmp_path / "roster.yml"
    path.write_text(
        "tiers:\n" + "".join(f"  - name: t{i}\n    members:\n      - {{name: M{i}, phone: '{p}'}}\n"
                             for i, p in enumerate(phones))
        + "ladder:\n  critical: [0, 5]\n  high: [0, 15]\n", encoding="utf-8")
    monkeypatch.setenv("ROSTER_FILE", str(path))
    roster_mod.roster.cache_clear()

    def received(index: int) -> List[str]:
        messages = requests.get(f"{twilio_double}/_messages", timeout=10).json()
        return [m["body"] for m in messages if m["to"] == phones[index]]

    yield received
    roster_mod.roster.cache_clear()


async def _escalate(redis, prefix, sender, category, level, ts) -> str:
    _, escalation_id = await record_escalation(redis, Escalation(
        sender_id=sender, category=category, level=level, channel="sms",
        text="un message", created_ts=ts, message_id=f"SM{uuid.uuid4().hex}"), prefix)
    return escalation_id


async def snapshot(redis: Any, prefix: str) -> Dict[str, Any]:
    """Every key of the prefix with its type, value and whether it expires."""
    out: Dict[str, Any] = {}
    async for key in redis.scan_iter(match=f"{prefix}:*", count=1000):
        kind = (await redis.type(key)).decode()
        if kind == "string":
            value: Any = await redis.get(key)
        elif kind == "hash":
            value = await redis.hgetall(key)
        elif kind == "zset":
            value = await redis.zrange(key, 0, -1, withscores=True)
        elif kind == "set":
            value = sorted(await redis.smembers(key))
        elif kind == "list":
            value = await redis.lrange(key, 0, -1)
        elif kind == "stream":
            value = await redis.xrange(key)
        else:  # pragma: no cover - Lien writes no other type
            value = kind
        out[key.decode()] = (kind, value, await redis.ttl(key) > 0)
    return out


async def group_state(redis: Any, prefix: str) -> Dict[str, Any]:
    """The consumer group: last delivered id, pending entries and who holds them."""
    stream = EscalationKeys(prefix).stream
    groups = [{k: g[k] for k in ("name", "consumers", "pending", "last-delivered-id")}
              for g in await redis.xinfo_groups(stream)]
    pending = [(p["message_id"], p["consumer"], p["times_delivered"])
               for p in await redis.xpending_range(stream, cases.GROUP, "-", "+", 100)]
    consumers = sorted((c["name"], c["pending"])
                       for c in await redis.xinfo_consumers(stream, cases.GROUP))
    return {"groups": groups, "pending": pending, "consumers": consumers}


async def test_cases_alerts_and_the_consumer_group_survive_a_redis_kill(private_redis,
                                                                          roster):
    received = roster
    prefix = f"{uuid.uuid4().hex[:8]}r"
    redis = aioredis.from_url(private_redis.url)
    assert (await redis.config_get("appendonly"))["appendonly"] == "yes"
    clock = Clock(T0)
    people = {name: f"sms:+3361{uuid.uuid4().int % 10**7:07d}"
              for name in ("Odette", "Marcel", "Lucie", "René", "Paul", "Jeanne")}
    for name, person_id in people.items():
        await redis.hset(f"{prefix}:person:{person_id}", mapping={"first_name": name})
    await _escalate(redis, prefix, people["Odette"], "suicide", "critical", T0 - 60)
    await _escalate(redis, prefix, people["Marcel"], "violence", "high", T0 - 120)
    await _escalate(redis, prefix, people["Lucie"], "no_news", "watch", T0 - 3600)
    await _escalate(redis, prefix, people["René"], "human_request", "request", T0 - 600)
    worker = Worker(redis, prefix, NoCheckins(), WorkerSettings(lease_seconds=30), now=clock)
    assert await worker.work_cases() >= 4
    assert len(received(0)) == 2  # Odette's and Marcel's first alerts
    # A consumer that read an escalation and died before writing its case...
    await _escalate(redis, prefix, people["Paul"], "medical", "critical", T0 - 30)
    await redis.xreadgroup(cases.GROUP, "dead", {EscalationKeys(prefix).stream: ">"},
                           count=10)
    # ... and an escalation nobody has read yet.
    await _escalate(redis, prefix, people["Jeanne"], "suicide", "critical", T0 - 10)

    before = await snapshot(redis, prefix)
    queue_before = [(c["id"], c["person_id"]) for c in await cases.queue(redis, prefix)]
    group_before = await group_state(redis, prefix)
    due_before = await redis.zrange(f"{prefix}:alerts:due", 0, -1, withscores=True)
    assert [person_id for _, person_id in queue_before] == [
        people["Odette"], people["Marcel"], people["Lucie"], people["René"]]
    assert len(due_before) == 2  # tier 2 of Odette's and of Marcel's cases, pending
    assert group_before["pending"] and group_before["pending"][0][1] == b"dead"
    await redis.close()

    private_redis.kill()
    private_redis.start()

    redis = aioredis.from_url(private_redis.url)
    try:
        assert await snapshot(redis, prefix) == before
        assert [(c["id"], c["person_id"]) for c in await cases.queue(redis, prefix)] \
            == queue_before
        assert await group_state(redis, prefix) == group_before
        assert await redis.zrange(f"{prefix}:alerts:due", 0, -1, withscores=True) \
            == due_before

        # The read-but-unwritten and the unread escalations become cases, once each.
        assert await cases.consume(redis, prefix, "survivor", clock(), min_idle_ms=0) == 2
        assert await cases.consume(redis, prefix, "survivor", clock(), min_idle_ms=0) == 0
        after = await cases.queue(redis, prefix)
        assert sorted(c["person_id"] for c in after) == sorted(people.values())
        assert len(after) == 6
        assert (await redis.xpending(EscalationKeys(prefix).stream, cases.GROUP)
                )["pending"] == 0

        # The pending alerts still go out: the new cases at once, tier 2 on time.
        worker = Worker(redis, prefix, NoCheckins(), WorkerSettings(lease_seconds=30),
                        now=clock)
        await worker.work_cases()
        firsts = received(0)
        assert len(firsts) == 4
        assert sum("Paul" in m for m in firsts) == 1 and sum("Jeanne" in m for m in firsts) == 1
        assert received(1) == []
        clock.ts = T0 + 245  # Odette's tier 2 was due at T0 + 240 (created T0 - 60)
        await worker.work_cases()
        assert len(received(1)) == 1 and "RAPPEL" in received(1)[0] \
            and "Odette" in received(1)[0]
    finally:
        await redis.close()


async def _round(worker: Worker) -> int:
    """One round of cases and alerts, as ``Worker.run`` does it: the first command on
    a connection the restart cut fails (run logs it and goes on), the next reconnects."""
    try:
        return await worker.work_cases()
    except syncredis.ConnectionError:
        return await worker.work_cases()


async def test_after_redis_comes_back_empty_new_escalations_still_become_cases_and_alerts(
        empty_redis, roster):
    received = roster
    prefix = f"{uuid.uuid4().hex[:8]}e"
    redis = aioredis.from_url(empty_redis.url)
    clock = Clock(T0)
    odette, lucie = (f"sms:+3361{uuid.uuid4().int % 10**7:07d}" for _ in range(2))
    await redis.hset(f"{prefix}:person:{odette}", mapping={"first_name": "Odette"})
    await _escalate(redis, prefix, odette, "suicide", "critical", T0 - 60)
    worker = Worker(redis, prefix, NoCheckins(), WorkerSettings(lease_seconds=30), now=clock)
    try:
        assert await worker.work_cases() >= 1
        assert sum("Odette" in m for m in received(0)) == 1

        empty_redis.kill()
        empty_redis.start()  # no AOF, no RDB: everything is gone, the group too

        channel = aioredis.from_url(empty_redis.url)  # the webhook's own client
        try:
            assert await channel.dbsize() == 0
            await channel.hset(f"{prefix}:person:{lucie}", mapping={"first_name": "Lucie"})
            escalation_id = await _escalate(channel, prefix, lucie, "suicide", "critical",
                                            T0 + 30)
        finally:
            await channel.close()
        clock.ts = T0 + 60
        await _round(worker)  # the same worker, never restarted
        await worker.work_cases()
        (case,) = await cases.queue(redis, prefix)
        assert case["person_id"] == lucie
        assert (await redis.hget(f"{prefix}:escalation:{escalation_id}", "case_id")
                ).decode() == case["id"]
        assert sum("Lucie" in m for m in received(0)) == 1
        assert (await redis.xpending(EscalationKeys(prefix).stream, cases.GROUP)
                )["pending"] == 0
    finally:
        await redis.close()
