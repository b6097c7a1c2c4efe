"""GDPR: one person's export holds only their data; erasure and the retention purge."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from typing import Any, List, Tuple

import pytest

from bot.safety import cases
from bot.checkins.answers import note_answer
from bot.calls.booking import book_call
from bot.safety.escalation import Escalation, record_escalation
from bot.console.store import ConsoleStore
from bot.people.registry import Keys, Person, enrol_self, import_persons
from bot.people.privacy import erase, export, purge_expired
from bot.worker.loop import Worker
from channels.common import publish_if_taken_over
from channels.sms import SmsInput
from tests.support.fakes import NoCheckins
from tests.support.paths import ROOT

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


def _forms(e164: str) -> List[str]:
    """A French number as it may be written: E.164, national, spaced, dotted..."""
    national = "0" + e164[3:]
    pairs = " ".join(national[i:i + 2] for i in range(0, 10, 2))
    return [e164, e164[1:], national, pairs, pairs.replace(" ", "."), national[1:]]


_DIGIT_RUNS = re.compile(rb"\+?\d[\d .\-()]{7,}\d")


def _mentions(value: Any, e164: str, name: str) -> bool:
    """Whether a key or value holds the person: their first name or their number in
    any format (any run of digits and separators whose digits contain the national
    significant number)."""
    if isinstance(value, (int, float)):
        value = repr(value).encode()
    if isinstance(value, str):
        value = value.encode()
    if name.encode() in value or any(form.encode() in value for form in _forms(e164)):
        return True
    significant = e164[3:].encode()
    return any(significant in re.sub(rb"\D", b"", run) for run in _DIGIT_RUNS.findall(value))


async def _everything(redis: Any) -> List[Tuple[bytes, List[Any]]]:
    """Every key of the whole database (every prefix) with every piece of its value."""
    found = []
    async for key in redis.scan_iter(count=1000):
        kind = await redis.type(key)
        parts: List[Any] = []
        if kind == b"string":
            parts = [await redis.get(key)]
        elif kind == b"hash":
            for field, value in (await redis.hgetall(key)).items():
                parts += [field, value]
        elif kind == b"list":
            parts = await redis.lrange(key, 0, -1)
        elif kind == b"set":
            parts = list(await redis.smembers(key))
        elif kind == b"zset":
            parts = [member for member, _ in await redis.zrange(key, 0, -1, withscores=True)]
        elif kind == b"stream":
            for entry_id, fields in await redis.xrange(key):
                parts.append(entry_id)
                for field, value in fields.items():
                    parts += [field, value]
            for group in await redis.xinfo_groups(key):
                parts.append(group["name"])
                for consumer in await redis.xinfo_consumers(key, group["name"]):
                    parts.append(consumer["name"])
        found.append((key, [p for p in parts if p is not None]))
    return found


async def _leftovers(redis: Any, e164: str, name: str) -> List[str]:
    return [key.decode() for key, parts in await _everything(redis)
            if _mentions(key, e164, name) or any(_mentions(p, e164, name) for p in parts)]


async def test_erasure_leaves_no_trace_in_any_key_or_value(world):
    """Every place Lien writes a person: registry, schedules and leases, consent,
    conversation and its lock, escalations and cases, calls, takeover, console
    reference, SMS buttons, delivery reports and messages waiting for an answer."""
    redis, prefix = world
    number = f"+3361{uuid.uuid4().int % 10**7:07d}"
    name = f"Odette{uuid.uuid4().hex[:6]}"
    odette = f"sms:{number}"
    national = "0" + number[3:]
    # Wrote in first (self-enrolment: the consent question is scheduled)...
    assert await enrol_self(redis, prefix, odette, NOW - 3600)
    assert await redis.zscore(Keys(prefix).consent_due, odette)
    # ... then enrolled by a social worker, answered, escalated, booked a call.
    assert await _person(redis, prefix, number, name) == odette
    marcel = await _person(redis, prefix, f"+3362{uuid.uuid4().int % 10**7:07d}", "Marcel")
    await cases.ensure_group(redis, prefix)
    await cases.consume(redis, prefix, "w", NOW)
    # A check-in leased by a worker, one already sent, one sent directly.
    keys = Keys(prefix)
    await redis.zadd(keys.due, {f"{odette}|morning": NOW - 60, f"{marcel}|morning": NOW - 60})
    worker = Worker(redis, prefix, NoCheckins(), now=lambda: NOW)
    assert f"{odette}|morning" in [m for m, _ in await worker.claim()]
    await redis.set(keys.sent(odette, "evening", "2027-01-15"), "sent:1", ex=3600)
    await redis.set(keys.unrecorded(odette), json.dumps({"text": f"Bonjour {name}"}))
    # A listener took the case; the person's messages go to the console, live.
    case_id = (await redis.get(f"{prefix}:person:{odette}:case")).decode()
    assert await cases.claim_case(redis, prefix, case_id, "ana", NOW)
    assert await publish_if_taken_over(redis, prefix, odette,
                                       f"c'est {name}, mon numéro {national}", "sms")
    await ConsoleStore(redis, prefix).remember(odette)
    # Rasa's lock, left by a server that died mid-message (Rasa sets no expiry).
    await redis.set(f"{prefix}:lock:{odette}",
                    json.dumps({"conversation_id": odette, "tickets": []}))
    # SMS: the buttons of the last question, an undelivered report (a no-news
    # case), and a message received but not yet answered.
    await redis.set(f"{prefix}:sms:buttons:{odette}", json.dumps([{"title": "Oui"}]))
    sms = SmsInput.__new__(SmsInput)
    sms.redis, sms.prefix = redis, prefix
    await sms._record_delivery({"MessageSid": f"SM{uuid.uuid4().hex}", "To": national,
                                "MessageStatus": "undelivered", "ErrorCode": "30003"})
    await sms._record_delivery({"MessageSid": f"SM{uuid.uuid4().hex}", "To": number,
                                "MessageStatus": "delivered"})
    other_sid = f"SM{uuid.uuid4().hex}"
    await sms._record_delivery({"MessageSid": other_sid, "To": marcel[4:],
                                "MessageStatus": "delivered"})
    await redis.hset(sms.pending_key, f"SM{uuid.uuid4().hex}", json.dumps(
        {"sender_id": odette, "text": f"rappelez-moi au {national}", "received": NOW}))
    await redis.hset(sms.pending_key, other_sid, json.dumps(
        {"sender_id": marcel, "text": "bonjour", "received": NOW}))
    before = await _leftovers(redis, number, name)
    assert {f"{prefix}:consent:due", f"{prefix}:sms:pending", f"{prefix}:lock:{odette}",
            f"{prefix}:checkins:leased"} <= set(before)
    assert any(key.startswith(f"{prefix}:sms:status:") for key in before)

    assert await erase(redis, prefix, odette) > 0

    leftovers = await _leftovers(redis, number, name)
    assert leftovers == [], leftovers
    kept = await export(redis, prefix, marcel)
    assert kept["person"]["first_name"] == "Marcel" and kept["escalations"]
    assert await redis.hexists(sms.pending_key, other_sid)
    assert await redis.hget(f"{prefix}:sms:status:{other_sid}", "to") == marcel.encode()
    assert await redis.zscore(keys.due, f"{marcel}|morning") is None  # leased, not lost
    assert await redis.zscore(keys.leased, f"{marcel}|morning")


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
