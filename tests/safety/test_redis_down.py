"""A risk message sent while Redis is down is never lost (issue 12, item 2).

A real Rasa server with the SMS channel runs on a redis-server the test starts;
the test kills it. A signed risk SMS still gets its emergency number at once, in
the webhook's own TwiML, and its escalation goes to the fsynced spool; a harmless
SMS is told it was received and is kept on disk. When Redis answers again, the
channel writes the escalation and processes the kept message by itself.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
import redis as syncredis
import requests
from twilio.request_validator import RequestValidator

from bot.cli.supervisor import service_environment, start_services, stop_services, wait_until_ready
from tests.safety.test_redis_restart import REDIS_SERVER, PrivateRedis
from tests.support.paths import ROOT
from tests.support.servers import _free_port
from tests.support.settings import (
    AUTH, TELEGRAM_SECRET, TELEGRAM_TOKEN, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN,
)

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server not installed")


def _sms(url: str, number: str, body: str) -> requests.Response:
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": number, "To": TWILIO_FROM,
              "Body": body, "NumMedia": "0"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    return requests.post(url, data=params, headers={"X-Twilio-Signature": signature},
                         timeout=60)


def _telegram(url: str, chat_id: int, text: str) -> requests.Response:
    update = {"update_id": uuid.uuid4().int % 10**9, "message": {
        "message_id": 1, "date": int(time.time()), "text": text,
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Marie"}}}
    return requests.post(url, json=update, timeout=60,
                         headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})


def test_redis_down_risk_answered_and_spooled_then_replayed(trained_model, twilio_double,
                                                            telegram_double, tmp_path):
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    private = PrivateRedis(redis_dir, persist=True)
    private.start()
    var_dir = tmp_path / "var"
    rasa_port, action_port = _free_port(), _free_port()
    env = service_environment(private.url, action_port)
    env.update(
        LIEN_VAR_DIR=str(var_dir), LIEN_KEY_PREFIX="down",
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        TWILIO_ACCOUNT_SID=TWILIO_SID, TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        TWILIO_FROM_NUMBER=TWILIO_FROM, TWILIO_API_URL=twilio_double,
        PUBLIC_URL=f"http://127.0.0.1:{rasa_port}", TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
        TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET, TELEGRAM_API_URL=telegram_double)
    processes = start_services(env, ROOT / "var" / "test" / "log-redis-down", rasa_port,
                               action_port, trained_model)
    webhook = f"http://127.0.0.1:{rasa_port}/webhooks/sms/webhook"
    spool = var_dir / "spool"
    try:
        wait_until_ready(f"http://127.0.0.1:{rasa_port}", action_port, timeout=400,
                         processes=processes, token=AUTH["token"])
        number = f"+3361{uuid.uuid4().int % 10**7:07d}"
        assert _sms(webhook, number, "bonjour").status_code == 200  # Redis up: normal
        private.kill()

        risk = _sms(webhook, number, "jveux en finir ce soir")
        assert risk.status_code == 200, risk.text
        assert re.search(r"<Message>[^<]*3114", risk.text), risk.text
        spooled = [json.loads(line) for line in
                   (spool / "escalations.jsonl").read_text(encoding="utf-8").splitlines()]
        assert [(e["sender_id"], e["category"]) for e in spooled] == [
            (f"sms:{number}", "suicide")]
        # (the Telegram escalation is checked after the replay, below)

        chat_id = uuid.uuid4().int % 10**9
        telegram = _telegram(f"http://127.0.0.1:{rasa_port}/webhooks/telegram/webhook",
                             chat_id, "je vais me foutre en l'air")
        assert telegram.status_code == 200, telegram.text
        answer = telegram.json()
        assert answer["method"] == "sendMessage" and answer["chat_id"] == chat_id
        assert "3114" in answer["text"]

        harmless = _sms(webhook, number, "il fait beau aujourd'hui")
        assert harmless.status_code == 200 and "Bien re" in harmless.text, harmless.text
        inbound = (spool / "inbound.jsonl").read_text(encoding="utf-8")
        assert "il fait beau" in inbound

        private.start()  # back, with its AOF
        client = syncredis.Redis.from_url(private.url, decode_responses=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ids = client.zrange(f"down:person:sms:{number}:escalations", 0, -1)
            if ids and not (spool / "inbound.jsonl").exists():
                break
            time.sleep(0.5)
        assert ids, "the spooled escalation was not replayed"
        assert client.zrange(f"down:person:telegram:{chat_id}:escalations", 0, -1)
        record = client.hgetall(f"down:escalation:{ids[0]}")
        assert record["category"] == "suicide"
        assert not (spool / "escalations.jsonl").exists()
        assert not (spool / "inbound.jsonl").exists(), "the kept message was not processed"
        for _ in range(60):
            tracker = requests.get(
                f"http://127.0.0.1:{rasa_port}/conversations/sms:{number}/tracker",
                params=AUTH, timeout=30).json()
            said = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
            if "il fait beau aujourd'hui" in said:
                break
            time.sleep(0.5)
        assert "il fait beau aujourd'hui" in said, said
    finally:
        stop_services(processes)
        if private.process.poll() is None:
            private.kill()
