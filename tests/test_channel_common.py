"""ProcessedOnce: a provider message is claimed, released or done, against real Redis."""

import uuid

from channels.common import DONE, IN_PROGRESS, NEW, ProcessedOnce


async def test_claim_release_done(redis_client, prefix):
    once = ProcessedOnce(redis_client, prefix, "test:once", lease=30)
    message_id = uuid.uuid4().hex
    assert await once.claim(message_id) == NEW
    assert await once.claim(message_id) == IN_PROGRESS
    await once.release(message_id)
    assert await once.claim(message_id) == NEW
    await once.done(message_id)
    assert await once.claim(message_id) == DONE
    assert 0 < await redis_client.ttl(once.key(message_id)) <= 86400


async def test_an_expired_lease_lets_the_message_run_again(redis_client, prefix):
    once = ProcessedOnce(redis_client, prefix, "test:once", lease=1)
    message_id = uuid.uuid4().hex
    assert await once.claim(message_id) == NEW
    await redis_client.pexpire(once.key(message_id), 1)
    import asyncio

    await asyncio.sleep(0.05)
    assert await once.claim(message_id) == NEW


async def test_a_lexicon_risk_is_escalated_on_arrival_once(redis_client):
    from bot.escalation import escalation_for_message, record_escalation
    from channels.common import escalate_on_arrival

    prefix = f"{uuid.uuid4().hex[:8]}e"
    sender = f"sms:+3367{uuid.uuid4().int % 10**7:07d}"
    try:
        assert not await escalate_on_arrival(redis_client, prefix, sender,
                                             "bonjour, mort de rire", "sms", "SM1")
        assert await escalate_on_arrival(redis_client, prefix, sender,
                                         "jveux en finir ce soir", "sms", "SM2")
        (escalation_id,) = await redis_client.zrange(f"{prefix}:person:{sender}:escalations",
                                                     0, -1)
        record = {k.decode(): v.decode() for k, v in (await redis_client.hgetall(
            f"{prefix}:escalation:{escalation_id.decode()}")).items()}
        assert (record["category"], record["recorded_by"], record["message_id"],
                record["channel"]) == ("suicide", "channel", "SM2", "sms")
        assert record["level"] in ("critical", "high")
        # The NLU path writes the same message later: nothing new.
        parse = {"text": "jveux en finir ce soir",
                 "intent": {"name": "risk_suicide", "confidence": 1.0},
                 "entities": [{"entity": "risk_level", "value": record["level"],
                               "source": "lexicon"}]}
        created, again = await record_escalation(redis_client, escalation_for_message(
            sender, parse, "sms", "SM2", "tracker_store"), prefix)
        assert not created and again == escalation_id.decode()
        assert await redis_client.xlen(f"{prefix}:escalations") == 1
    finally:
        async for key in redis_client.scan_iter(match=f"{prefix}:*"):
            await redis_client.delete(key)


async def test_an_early_escalation_with_redis_down_is_spooled_not_raised(monkeypatch,
                                                                         tmp_path):
    from channels.common import escalate_on_arrival

    class Broken:
        async def eval(self, *args):
            raise ConnectionError("redis down")

    monkeypatch.setenv("LIEN_VAR_DIR", str(tmp_path))
    assert await escalate_on_arrival(Broken(), "x", "sms:+33600000000", "je veux mourir",
                                     "sms", "SM3")
    spooled = (tmp_path / "spool" / "escalations.jsonl").read_text(encoding="utf-8")
    assert '"message_id": "SM3"' in spooled and '"recorded_by": "channel"' in spooled
