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
    from bot.safety.escalation import escalation_for_message, record_escalation
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


# -- a typed yes or no to an offer's buttons ---------------------------------------
OFFER_CALL = [{"title": "Oui, fixons-le", "payload": "/schedule_call"},
              {"title": "Non merci", "payload": "/deny"}]
OFFER_HUMAN = [{"title": "Oui, je veux parler à quelqu'un", "payload": "/request_human"},
               {"title": "Non, continuons", "payload": "/deny"}]


def test_typed_yes_and_no_pick_the_offered_buttons():
    from channels.common import yes_no_payload

    for yes in ("oui", "Ouais", "OK", "d'accord", "D’accord !", "oui merci", "volontiers",
                "ok ça marche", "dac"):
        assert yes_no_payload(yes, OFFER_CALL) == "/schedule_call", yes
        assert yes_no_payload(yes, OFFER_HUMAN) == "/request_human", yes
    for no in ("non", "nan", "Non merci.", "non merci, ça ira", "pas maintenant",
               "pas pour le moment", "une autre fois"):
        assert yes_no_payload(no, OFFER_CALL) == "/deny", no


def test_anything_else_stays_text_and_only_yes_no_offers_are_mapped():
    from channels.common import yes_no_payload

    # A moment, a story, a risk: the NLU reads them.
    for text in ("oui demain 15h", "non je veux mourir", "bof", "2", "", "ouistiti"):
        assert yes_no_payload(text, OFFER_CALL) is None, text
    consent = [{"title": "Oui", "payload": "/opt_in"}, {"title": "Non", "payload": "/opt_out"}]
    assert yes_no_payload("non", consent) is None  # STOP stays a deliberate word
    assert yes_no_payload("oui", []) is None and yes_no_payload("oui", None) is None


async def test_sms_maps_yes_to_the_latest_buttons_only(redis_client, prefix, monkeypatch):
    from channels.sms import SmsInput, SmsOutput, SmsSettings

    sent = []

    async def fake_send(self, recipient, text, parts=None):
        sent.append(text)

    monkeypatch.setattr(SmsOutput, "_send", fake_send)
    output = SmsOutput(SmsSettings.from_env(), redis_client, prefix)
    reader = SmsInput.__new__(SmsInput)
    reader.redis, reader.prefix = redis_client, prefix
    person = f"sms:+3361{uuid.uuid4().int % 10**7:07d}"
    await output.send_text_with_buttons(person, "On fixe le prochain appel ?", OFFER_CALL)
    assert await reader._map_reply(person, "ouais") == "/schedule_call"
    assert await reader._map_reply(person, "non merci") == "/deny"
    assert await reader._map_reply(person, "2") == "/deny"
    assert await reader._map_reply(person, "oui demain 15h") == "oui demain 15h"
    # A later message without choices: "oui" and "1" answer that one, not the offer.
    await output.send_text_message(person, "Bonsoir ! Avez-vous passé une bonne journée ?")
    assert await reader._map_reply(person, "oui") == "oui"
    assert await reader._map_reply(person, "1") == "1"
    assert len(sent) == 2
