"""The escalation record: structure, idempotency, and the spool when Redis is down."""

from __future__ import annotations

import uuid

import pytest
import redis.asyncio as aioredis

from bot.safety.escalation import (
    Escalation,
    escalation_for_message,
    record_escalation,
    record_or_spool,
    replay_spool,
    risk_from_parse_data,
)


def _escalation(**overrides):
    fields = dict(
        sender_id=f"sms:+3361234{uuid.uuid4().int % 10000:04d}",
        category="suicide",
        level="critical",
        channel="sms",
        source="lexicon",
        intent="risk_suicide",
        pattern="suicide_en_finir",
        message_id=uuid.uuid4().hex,
        text="jveux en finir",
    )
    fields.update(overrides)
    return Escalation(**fields)


async def test_record_writes_hash_stream_and_person_index(redis_client, prefix):
    escalation = _escalation()
    created, escalation_id = await record_escalation(redis_client, escalation, prefix)
    assert created and escalation_id == escalation.id
    record = await redis_client.hgetall(f"{prefix}:escalation:{escalation_id}")
    record = {k.decode(): v.decode() for k, v in record.items()}
    assert record["status"] == "pending"
    assert record["sender_id"] == escalation.sender_id
    assert record["category"] == "suicide" and record["level"] == "critical"
    assert record["text"] == "jveux en finir"
    assert record["created_at"].endswith("+00:00")
    entries = await redis_client.xrange(f"{prefix}:escalations")
    assert any(e[1][b"id"] == escalation_id.encode() for e in entries)
    members = await redis_client.zrange(
        f"{prefix}:person:{escalation.sender_id}:escalations", 0, -1
    )
    assert members == [escalation_id.encode()]


async def test_the_same_message_is_recorded_once(redis_client, prefix):
    first = _escalation()
    second = _escalation(sender_id=first.sender_id, message_id=first.message_id)
    assert (await record_escalation(redis_client, first, prefix))[0] is True
    created, existing_id = await record_escalation(redis_client, second, prefix)
    assert created is False and existing_id == first.id
    members = await redis_client.zrange(
        f"{prefix}:person:{first.sender_id}:escalations", 0, -1
    )
    assert len(members) == 1


def test_unknown_level_is_refused():
    with pytest.raises(ValueError):
        _escalation(level="urgent")


def test_risk_from_parse_data_reads_intent_and_level():
    parse = {
        "text": "il me frappe",
        "intent": {"name": "risk_violence", "confidence": 1.0},
        "entities": [{"entity": "risk_level", "value": "critical",
                      "source": "lexicon", "pattern": "violence_frappe"}],
    }
    assert risk_from_parse_data(parse) == {
        "category": "violence", "level": "critical", "source": "lexicon",
        "pattern": "violence_frappe", "confidence": "1.0",
    }
    assert risk_from_parse_data({"intent": {"name": "greet"}}) is None
    classifier_only = {"intent": {"name": "risk_medical", "confidence": 0.7}}
    assert risk_from_parse_data(classifier_only)["level"] == "high"
    built = escalation_for_message("s", parse, "rest", "m1", "action")
    assert built.category == "violence" and built.text == "il me frappe"


async def test_redis_down_spools_then_replays(redis_client, prefix, tmp_path):
    spool = tmp_path / "spool" / "escalations.jsonl"
    dead = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    escalation = _escalation()
    created, escalation_id = await record_or_spool(
        dead, escalation, prefix, spool, attempts=2
    )
    assert created and spool.exists()
    assert await redis_client.exists(f"{prefix}:escalation:{escalation_id}") == 0
    assert await replay_spool(redis_client, prefix, spool) == 1
    assert await redis_client.exists(f"{prefix}:escalation:{escalation_id}") == 1
    assert not spool.exists()
    # Replaying again is harmless.
    assert await replay_spool(redis_client, prefix, spool) == 0
