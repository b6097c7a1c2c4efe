"""Check-ins and the next call, end to end: real Rasa, actions, worker, Redis, doubles."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis as syncredis
import requests

from tests.channels.test_sms import Phone
from tests.support.paths import ROOT
from tests.support.settings import AUTH, TEST_REDIS_URL, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN

pytestmark = pytest.mark.e2e
PARIS = ZoneInfo("Europe/Paris")


def _bot_texts(messages):
    return " ".join(m.get("text", "") for m in messages)


def test_someone_new_is_asked_consent_and_nothing_is_scheduled_before_yes(chat, sync_redis,
                                                                         prefix):
    welcome = chat.say("bonjour")
    assert welcome[0]["buttons"][0]["payload"] == "/opt_in"
    person = f"{prefix}:person:{chat.sender}"
    assert sync_redis.hget(person, "status") == "pending"
    assert sync_redis.zscore(f"{prefix}:checkins:due", f"{chat.sender}|morning") is None
    reply = chat.texts("oui")
    assert "matin" in " ".join(reply)
    assert sync_redis.hget(person, "status") == "active"
    assert sync_redis.hget(person, "consent_how").startswith("oui par message")
    assert sync_redis.zscore(f"{prefix}:checkins:due", f"{chat.sender}|morning") is not None
    # Once enrolled, a greeting is a greeting.
    assert "buttons" not in chat.say("salut")[0]


def test_no_to_the_consent_question_schedules_nothing(chat, sync_redis, prefix):
    chat.say("bonjour")
    reply = chat.texts("non")
    assert "rien" in " ".join(reply) or "aucun" in " ".join(reply) or "START" in " ".join(reply)
    assert sync_redis.hget(f"{prefix}:person:{chat.sender}", "status") == "pending"
    assert sync_redis.zscore(f"{prefix}:checkins:due", f"{chat.sender}|morning") is None


def test_booking_the_next_call_in_french(chat, sync_redis, prefix):
    chat.say("bonjour")
    chat.say("oui")
    ask = chat.texts("je voudrais fixer le prochain appel")
    assert ask and "?" in ask[-1]
    proposal = " ".join(chat.texts("demain matin"))
    assert "demain" in proposal and "10h" in proposal
    booked = " ".join(chat.texts("oui"))
    assert "demain" in booked and "10h" in booked
    call_id = sync_redis.hget(f"{prefix}:person:{chat.sender}", "next_call_id")
    call = sync_redis.hgetall(f"{prefix}:call:{call_id}")
    tomorrow = datetime.now(PARIS).date() + timedelta(days=1)
    assert datetime.fromtimestamp(float(call["at_ts"]), PARIS) == datetime.combine(
        tomorrow, datetime.min.time(), PARIS).replace(hour=10)
    # Moving it: cancelled, then a new moment.
    moved = chat.texts("je ne pourrai pas finalement, on peut décaler l'appel ?")
    assert "annul" in " ".join(moved)
    assert sync_redis.hget(f"{prefix}:call:{call_id}", "status") == "cancelled"
    rebooked = chat.texts("après-demain à 15h")
    assert "à 15h" in " ".join(rebooked)


def test_the_night_and_the_past_are_refused_in_the_conversation(chat):
    chat.say("je voudrais fixer le prochain appel")
    night = " ".join(chat.texts("demain à 3h du matin"))
    assert "nuit" in night or "tard" in night
    past = " ".join(chat.texts("hier à 14h"))
    assert "passé" in past or "derrière" in past


def test_risk_in_the_middle_of_booking_is_answered_first(chat, sync_redis, prefix):
    chat.say("je voudrais fixer le prochain appel")
    reply = chat.texts("jveux en finir")
    assert "3114" in reply[0]
    ids = sync_redis.zrange(f"{prefix}:person:{chat.sender}:escalations", 0, -1)
    assert len(ids) == 1
    # The form is gone: a time now is not booked silently.
    assert sync_redis.hget(f"{prefix}:person:{chat.sender}", "next_call_id") is None


def test_times_and_pauses_by_message(chat, sync_redis, prefix):
    chat.say("bonjour")
    chat.say("oui")
    changed = " ".join(chat.texts("pas de message le soir"))
    assert "plus de message le soir" in changed
    person = f"{prefix}:person:{chat.sender}"
    assert sync_redis.hget(person, "evening") == ""
    assert sync_redis.zscore(f"{prefix}:checkins:due", f"{chat.sender}|evening") is None
    morning = " ".join(chat.texts("plutôt vers 8h le matin"))
    assert "le matin à 8h" in morning and sync_redis.hget(person, "morning") == "08:00"
    paused = " ".join(chat.texts("je pars chez ma fille une semaine"))
    back = datetime.now(PARIS).date() + timedelta(days=7)
    assert f"{back.day} " in paused
    assert sync_redis.hget(person, "status") == "paused"


def test_goodbye_offers_the_next_call_once(chat):
    chat.say("bonjour")
    chat.say("oui")
    offer = chat.say("au revoir")
    assert offer[0]["buttons"][0]["payload"] == "/schedule_call"
    assert "buttons" not in chat.say("au revoir")[0]


def _enrol(redis_url, prefix, number, morning):
    from bot.people.registry import Keys, at_local

    client = syncredis.Redis.from_url(redis_url, decode_responses=True)
    person = f"sms:{number}"
    client.hset(Keys(prefix).person(person), mapping={
        "first_name": "Odette", "channel": "sms", "address": number,
        "timezone": "Europe/Paris", "morning": morning, "evening": "", "status": "active",
        "consent_at": "2027-01-01", "register": "vous"})
    client.sadd(Keys(prefix).index, person)
    day = datetime(2027, 2, 10).date()
    client.zadd(Keys(prefix).due, {f"{person}|morning": at_local(day, morning, "Europe/Paris")})
    return client, person


def test_two_worker_processes_send_one_morning_message_through_rasa(servers, sync_redis,
                                                                    prefix):
    phone = Phone(servers)
    worker_prefix = f"{prefix}w{uuid.uuid4().hex[:4]}"
    client, person = _enrol(TEST_REDIS_URL, worker_prefix, phone.number, "10:00")
    env = dict(os.environ, REDIS_URL=TEST_REDIS_URL, LIEN_KEY_PREFIX=worker_prefix,
               RASA_URL=servers["rasa"], WORKER_POLL_SECONDS="0.2",
               LIEN_CLOCK_START="2027-02-10T09:59:58+01:00")
    workers = [subprocess.Popen([sys.executable, "-m", "bot", "worker"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(2)]
    try:
        received = phone.wait_for(1, timeout=40)
        time.sleep(3)
        received = phone.received()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=20)
    assert len(received) == 1, received
    assert received[0].startswith("Bonjour Odette")
    assert client.get(f"{worker_prefix}:checkin:sent:{person}:morning:2027-02-10"
                      ).startswith("sent:")
    # The answer lands in context: "bof" after the morning message.
    phone.text("bof")
    replies = phone.wait_for(2)
    assert len(replies) >= 2
    tracker = requests.get(f"{servers['rasa']}/conversations/{person}/tracker", params=AUTH,
                           timeout=30).json()
    actions = [e.get("name") for e in tracker["events"] if e["event"] == "action"]
    assert "action_checkin" in actions and "utter_mood_bad" in actions
    today = datetime.now(PARIS).date().isoformat()
    assert sync_redis.hget(f"{prefix}:mood:{person}", today) == "bad"
    for key in client.scan_iter(match=f"{worker_prefix}:*"):
        client.delete(key)


async def test_a_direct_check_in_joins_the_conversation_at_the_reply(servers, sync_redis,
                                                                     prefix, monkeypatch):
    import redis.asyncio as aioredis

    from bot.delivery import DirectDelivery

    monkeypatch.setenv("TWILIO_ACCOUNT_SID", TWILIO_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
    monkeypatch.setenv("TWILIO_FROM_NUMBER", TWILIO_FROM)
    monkeypatch.setenv("TWILIO_API_URL", servers["twilio"])
    phone = Phone(servers)
    person = f"sms:{phone.number}"
    client = aioredis.from_url(TEST_REDIS_URL)
    delivery = DirectDelivery(client, prefix)
    await delivery.send(person, {"channel": "sms"}, "EXTERNAL_checkin_evening",
                        "Bonsoir Odette ! Comment s'est passée votre journée ?")
    await delivery.close()
    await client.close()
    assert phone.wait_for(1) == ["Bonsoir Odette ! Comment s'est passée votre journée ?"]
    phone.text("bof")
    assert len(phone.wait_for(2)) >= 2
    tracker = requests.get(f"{servers['rasa']}/conversations/{person}/tracker", params=AUTH,
                           timeout=30).json()
    bot = [e.get("text") for e in tracker["events"] if e["event"] == "bot"]
    assert bot[0] == "Bonsoir Odette ! Comment s'est passée votre journée ?"
    actions = [e.get("name") for e in tracker["events"] if e["event"] == "action"]
    assert actions.index("action_checkin") < actions.index("utter_mood_bad")
    assert not sync_redis.exists(f"{prefix}:checkin:unrecorded:{person}")


def test_an_undelivered_sms_raises_no_news(servers, sync_redis, prefix):
    from twilio.request_validator import RequestValidator

    number = f"+3361{uuid.uuid4().int % 10**7:07d}"
    person = f"sms:{number}"
    sync_redis.hset(f"{prefix}:person:{person}", mapping={"status": "active",
                                                         "referent": "ccas"})
    url = f"{servers['rasa']}/webhooks/sms/status"
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "MessageStatus": "undelivered",
              "To": number, "From": TWILIO_FROM, "ErrorCode": "30003"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    reply = requests.post(url, data=params, headers={"X-Twilio-Signature": signature},
                          timeout=30)
    assert reply.status_code in (200, 204)
    case = sync_redis.hget(f"{prefix}:person:{person}", "no_news_id")
    record = sync_redis.hgetall(f"{prefix}:escalation:{case}")
    assert record["category"] == "no_news" and record["level"] == "watch"


async def test_a_newcomer_who_did_not_say_hello_is_asked_consent_by_sms(servers, sync_redis,
                                                                       prefix, redis_client):
    from bot.delivery import RasaDelivery
    from bot.worker.loop import Worker
    from bot.worker.settings import WorkerSettings

    phone = Phone(servers)
    person = f"sms:{phone.number}"
    phone.text("je me sens un peu seule ces temps ci")
    # Their story is answered first, then consent is asked in the same exchange.
    first = phone.wait_for(2)
    time.sleep(1.0)
    first = phone.received()
    assert len(first) >= 2 and "1. Oui" in first[-1]
    assert sum("1. Oui" in body for body in first) == 1
    assert sync_redis.hget(f"{prefix}:person:{person}", "status") == "pending"
    delivery = RasaDelivery(servers["rasa"])
    later = time.time() + 130
    worker = Worker(redis_client, prefix, delivery, WorkerSettings(quiet_hours="00:00-00:00"),
                    now=lambda: later)
    await worker.ask_consent()
    await delivery.close()
    # The worker does not ask a second time.
    time.sleep(1.0)
    assert phone.received() == first
    phone.text("1")
    for _ in range(50):
        if sync_redis.hget(f"{prefix}:person:{person}", "status") == "active":
            break
        time.sleep(0.2)
    assert sync_redis.hget(f"{prefix}:person:{person}", "status") == "active"
    assert sync_redis.zscore(f"{prefix}:checkins:due", f"{person}|morning") is not None
