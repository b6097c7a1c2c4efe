"""GDPR: one person's export holds only their data; erasure and the retention purge."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bot import cases
from bot.answers import note_answer
from bot.calls import book_call
from bot.escalation import Escalation, record_escalation
from bot.persons import Person, import_persons
from bot.privacy import erase, export, purge_expired

ROOT = Path(__file__).resolve().parent.parent
NOW = 1_800_000_000.0


@pytest.fixture
async def world(redis_client):
    prefix = f"{uuid.uuid4().hex[:8]}p"
    yield redis_client, prefix
    async for key in redis_client.scan_iter(match=f"{prefix}:*", count=1000):
        await redis_client.delete(key)


async def _person(redis, prefix, number, name, ts=NOW):
    person = Person(first_name=name, channel="sms", address=number, consent_at="2026-11-01",
                    status="active")
    await import_persons(redis, prefix, [person], ts)
    person_id = person.id
    await note_answer(redis, prefix, person_id, "mood_bad", ts)
    await record_escalation(redis, Escalation(sender_id=person_id, category="suicide",
                                              level="critical", text=f"texte de {name}",
                                              created_ts=ts), prefix)
    await redis.rpush(f"{prefix}:trk:{person_id}:cur", json.dumps(
        {"event": "user", "text": f"message de {name}", "timestamp": ts}))
    await redis.zadd(f"{prefix}:trk:index", {person_id: ts})
    await book_call(redis, prefix, person_id, ts + 86400, "demain", ts)
    return person_id


async def test_an_export_holds_the_persons_data_and_nobody_elses(world):
    redis, prefix = world
    odette = await _person(redis, prefix, "+33618000001", "Odette")
    await _person(redis, prefix, "+33618000002", "Marcel")
    await cases.ensure_group(redis, prefix)
    await cases.consume(redis, prefix, "w", NOW)
    data = await export(redis, prefix, odette)
    assert data["person"]["first_name"] == "Odette"
    assert data["conversation"][0]["text"] == "message de Odette"
    assert data["escalations"][0]["text"] == "texte de Odette"
    assert data["cases"][0]["person_id"] == odette and len(data["calls"]) == 1
    assert list(data["moods"].values()) == ["bad"]
    assert "Marcel" not in json.dumps(data) and "+33618000002" not in json.dumps(data)


async def test_erasure_leaves_no_trace(world):
    redis, prefix = world
    odette = await _person(redis, prefix, "+33618000011", "Odette")
    marcel = await _person(redis, prefix, "+33618000012", "Marcel")
    await cases.ensure_group(redis, prefix)
    await cases.consume(redis, prefix, "w", NOW)
    assert await erase(redis, prefix, odette) > 0
    leftovers = []
    async for key in redis.scan_iter(match=f"{prefix}:*", count=1000):
        key = key.decode()
        kind = await redis.type(key)
        if "+33618000011" in key:
            leftovers.append(key)
        elif kind == b"hash":
            values = await redis.hvals(key)
            if any(b"+33618000011" in v or b"Odette" in v for v in values):
                leftovers.append(key)
        elif kind in (b"zset", b"set"):
            members = await (redis.zrange(key, 0, -1) if kind == b"zset" else
                             redis.smembers(key))
            if any(b"+33618000011" in m for m in members):
                leftovers.append(key)
        elif kind == b"stream":
            for _, fields in await redis.xrange(key):
                if any(b"+33618000011" in v or b"Odette" in v for v in fields.values()):
                    leftovers.append(key)
    assert leftovers == []
    assert (await export(redis, prefix, marcel))["person"]["first_name"] == "Marcel"


async def test_the_retention_purge_erases_only_people_no_longer_followed(world):
    redis, prefix = world
    long_ago = NOW - 100 * 86400
    old = await _person(redis, prefix, "+33618000021", "Ancien", ts=long_ago)
    recent = await _person(redis, prefix, "+33618000022", "Recent", ts=NOW - 10 * 86400)
    at_risk = await _person(redis, prefix, "+33618000023", "Suivi", ts=long_ago)
    enrolled = await _person(redis, prefix, "+33618000024", "Inscrite", ts=long_ago)
    await cases.ensure_group(redis, prefix)
    await cases.consume(redis, prefix, "w", NOW)
    for person in (old, recent, enrolled):
        case_id = (await redis.get(f"{prefix}:person:{person}:case")).decode()
        await cases.resolve_case(redis, prefix, case_id, "ok", "rien", NOW)
    for person in (old, recent, at_risk):
        await redis.hset(f"{prefix}:person:{person}", "status", "opted_out")
    await redis.hset(f"{prefix}:person:{old}", "status_changed_ts", str(long_ago))
    await redis.hset(f"{prefix}:person:{at_risk}", "status_changed_ts", str(long_ago))
    erased = await purge_expired(redis, prefix, NOW, retention_days=90)
    assert erased == [old]
    assert not await redis.exists(f"{prefix}:person:{old}")
    assert await redis.exists(f"{prefix}:person:{recent}")
    assert await redis.exists(f"{prefix}:person:{at_risk}")  # an open case is never purged
    assert await redis.exists(f"{prefix}:person:{enrolled}")  # still followed: kept


def test_the_export_and_erase_commands(sync_redis, prefix):
    person = "sms:+33618000031"
    sync_redis.hset(f"{prefix}:person:{person}", mapping={"first_name": "Lucie"})
    run = lambda *a: subprocess.run([sys.executable, "-m", "bot", "persons", *a],  # noqa: E731
                                    cwd=ROOT, capture_output=True, text=True, timeout=60)
    exported = run("export", person)
    assert exported.returncode == 0 and json.loads(exported.stdout)["person"]["first_name"] \
        == "Lucie"
    refused = run("erase", person)
    assert refused.returncode == 2 and sync_redis.exists(f"{prefix}:person:{person}")
    done = run("erase", person, "--yes")
    assert done.returncode == 0 and not sync_redis.exists(f"{prefix}:person:{person}")
    assert run("export", person).returncode == 1
