"""SMS end to end: signed Twilio webhooks in, replies out to the Twilio double."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.support.settings import AUTH, TWILIO_FROM, TWILIO_TOKEN

pytestmark = pytest.mark.e2e
WEBHOOK = "/webhooks/sms/webhook"


class Phone:
    """A person texting Lien through (a double of) Twilio."""

    def __init__(self, servers):
        self.rasa = servers["rasa"]
        self.twilio = servers["twilio"]
        self.number = f"+3361{uuid.uuid4().int % 10**7:07d}"

    def post(self, params, signature=None, headers=None):
        url = f"{self.rasa}{WEBHOOK}"
        if signature is None:
            signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
        all_headers = {"X-Twilio-Signature": signature}
        all_headers.update(headers or {})
        return requests.post(url, data=params, headers=all_headers, timeout=60)

    def text(self, body, sid=None, **extra):
        params = {"MessageSid": sid or f"SM{uuid.uuid4().hex}", "From": self.number,
                  "To": TWILIO_FROM, "Body": body, "NumMedia": "0"}
        params.update(extra)
        return self.post(params)

    def received(self):
        messages = requests.get(f"{self.twilio}/_messages", timeout=10).json()
        return [m["body"] for m in messages if m["to"] == self.number]

    def wait_for(self, count, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received()
            if len(got) >= count:
                return got
            time.sleep(0.1)
        return self.received()


@pytest.fixture
def phone(servers):
    """A new person with a French mobile number."""
    return Phone(servers)


def test_a_signed_sms_gets_a_reply_by_sms(phone):
    reply = phone.text("bonjour")
    assert reply.status_code == 200 and "<Response>" in reply.text
    answers = phone.wait_for(1)
    # Someone new: the welcome asks for consent, its choices numbered.
    assert answers[0].startswith(("Bonjour", "Bienvenue")) and "1. Oui" in answers[-1]


def test_a_risk_sms_gets_the_number_and_is_recorded(phone, sync_redis, prefix):
    assert phone.text("jveux en finir").status_code == 200
    answers = phone.wait_for(1)
    assert re.search(r"(?<!\d)3114(?!\d)", answers[0]), answers
    ids = sync_redis.zrange(f"{prefix}:person:sms:{phone.number}:escalations", 0, -1)
    assert len(ids) == 1  # the webhook's early write and the NLU's are one escalation
    assert sync_redis.hget(f"{prefix}:escalation:{ids[0]}", "channel") == "sms"
    # Caught by the lexicon as the webhook arrived, before the dialogue ran.
    assert sync_redis.hget(f"{prefix}:escalation:{ids[0]}", "recorded_by") == "channel"


def test_forged_and_missing_signatures_are_refused(phone, sync_redis, prefix):
    params = {"MessageSid": "SMforged", "From": phone.number, "Body": "bonjour"}
    assert phone.post(params, signature="forged").status_code == 403
    assert phone.post(params, signature="").status_code == 403
    time.sleep(0.5)
    assert phone.received() == []
    assert sync_redis.llen(f"{prefix}:trk:sms:{phone.number}:cur") == 0


def test_the_same_message_sid_twice_gets_one_reply(phone):
    sid = f"SM{uuid.uuid4().hex}"
    assert phone.text("merci beaucoup", sid=sid).status_code == 200
    assert phone.text("merci beaucoup", sid=sid).status_code == 200
    time.sleep(1.0)
    assert len(phone.wait_for(1)) == 1


@pytest.mark.parametrize(
    "body",
    ["", "   ", "😢😢😢", "je me sens seule " * 100, "Body with\u0000nul"],
)
def test_odd_bodies_never_fail(phone, body):
    assert phone.text(body).status_code == 200


def test_wrong_content_type_and_missing_fields(phone, servers):
    url = f"{servers['rasa']}{WEBHOOK}"
    assert requests.post(url, json={"Body": "x"}, timeout=10).status_code == 415
    assert requests.post(url, data=b"\xff\xfe\x00", timeout=10,
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "X-Twilio-Signature": "x"}).status_code in (400, 403)
    unsigned_missing = {"Body": "bonjour"}
    assert phone.post(unsigned_missing).status_code == 400


def _enrolled(phone, sync_redis, prefix) -> None:
    """An enrolled person: the consent question does not follow their first message."""
    sync_redis.hset(f"{prefix}:person:sms:{phone.number}",
                    mapping={"status": "active", "channel": "sms", "address": phone.number})


def test_provider_errors_are_retried_without_duplicates(phone, servers, sync_redis, prefix):
    _enrolled(phone, sync_redis, prefix)
    requests.post(f"{servers['twilio']}/_fail", json={"status": 500, "count": 1}, timeout=5)
    phone.text("je vais bien")
    assert len(phone.wait_for(1)) == 1
    requests.post(f"{servers['twilio']}/_fail", json={"status": 429, "count": 2}, timeout=5)
    phone.text("merci")
    time.sleep(0.5)
    assert len(phone.wait_for(2, timeout=20)) == 2


def test_buttons_become_numbers_and_digits_map_back(phone, sync_redis, prefix):
    phone.text("xkcd bloup")
    phone.text("zorglub wiz")
    answers = phone.wait_for(2)
    assert "1. " in answers[-1] and "2. " in answers[-1], answers
    phone.text("1")
    deadline = time.monotonic() + 10
    categories = []
    while time.monotonic() < deadline and "human_request" not in categories:
        ids = sync_redis.zrange(f"{prefix}:person:sms:{phone.number}:escalations", 0, -1)
        categories = [sync_redis.hget(f"{prefix}:escalation:{i}", "category") for i in ids]
        time.sleep(0.2)
    assert "human_request" in categories


def test_stop_keywords_opt_out_once_and_start_resumes(phone, sync_redis, prefix):
    person = f"{prefix}:person:sms:{phone.number}"
    phone.text("STOP")
    assert len(phone.wait_for(1)) == 1
    assert sync_redis.hget(person, "status") == "opted_out"
    phone.text("Arrêt")
    time.sleep(1.5)
    assert len(phone.received()) == 1, "the opt-out is confirmed once"
    # A risk message from an opted-out number is still a risk.
    phone.text("je veux mourir")
    answers = phone.wait_for(2)
    # The reply's first SMS gives the number.
    assert re.search(r"(?<!\d)3114(?!\d)", answers[1]), answers
    phone.text("start")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and sync_redis.hget(person, "status") != "active":
        time.sleep(0.1)
    assert sync_redis.hget(person, "status") == "active"


def test_media_only_gets_a_kind_reply(phone):
    phone.text("", NumMedia="1", MediaUrl0="http://127.0.0.1:9/photo.jpg")
    (answer,) = phone.wait_for(1)
    assert answer and "3114" not in answer


def test_delivery_status_marks_the_person_unreachable(phone, servers, sync_redis, prefix):
    url = f"{servers['rasa']}/webhooks/sms/status"
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "MessageStatus": "undelivered",
              "To": phone.number, "From": TWILIO_FROM, "ErrorCode": "30003"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    assert requests.post(url, data=params, headers={"X-Twilio-Signature": "no"},
                         timeout=10).status_code == 403
    assert requests.post(url, data=params, headers={"X-Twilio-Signature": signature},
                         timeout=10).status_code == 204
    person = f"{prefix}:person:sms:{phone.number}"
    assert sync_redis.hget(person, "unreachable") == "1"
    assert sync_redis.hget(person, "last_delivery_error") == "30003"
    params["MessageStatus"] = "delivered"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)
    assert sync_redis.hget(person, "unreachable") is None


def test_a_check_in_reaches_the_person_by_sms(phone, servers, sync_redis, prefix):
    _enrolled(phone, sync_redis, prefix)
    phone.text("je vais bien")
    phone.wait_for(1)
    reply = requests.post(
        f"{servers['rasa']}/conversations/sms:{phone.number}/trigger_intent",
        params={"output_channel": "latest", **AUTH},
        json={"name": "EXTERNAL_checkin_morning",
              "entities": {"checkin_text": "Bonjour Odette ! Comment allez-vous ?"}},
        timeout=60)
    assert reply.status_code == 200
    received = phone.wait_for(2)
    assert received[1:] == ["Bonjour Odette ! Comment allez-vous ?"]


def test_an_unanswered_message_left_by_a_dead_process_is_replayed(phone, sync_redis, prefix):
    sid = f"SM{uuid.uuid4().hex}"
    sync_redis.hset(f"{prefix}:sms:pending", sid, json.dumps(
        {"sender_id": f"sms:{phone.number}", "text": "bonjour",
         "received": time.time() - 600}))
    # Replays run at start-up and, at most once a minute, on incoming traffic.
    other = Phone({"rasa": phone.rasa, "twilio": phone.twilio})
    deadline = time.monotonic() + 70
    while time.monotonic() < deadline and not phone.received():
        other.text("bonjour")
        time.sleep(2)
    assert phone.received(), "the pending message was never answered"
    assert not sync_redis.hexists(f"{prefix}:sms:pending", sid)
