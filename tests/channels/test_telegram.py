"""Telegram end to end: secret-checked updates in, replies out to the Bot API double."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
import uuid

import pytest
import requests

from tests.support.paths import ROOT
from tests.support.settings import AUTH, TELEGRAM_SECRET, TELEGRAM_TOKEN

pytestmark = pytest.mark.e2e
_update_ids = itertools.count(int(time.time()) % 10**6 * 1000)


class Chat:
    """A person writing to Lien on Telegram (through the Bot API double)."""

    def __init__(self, servers):
        self.rasa = servers["rasa"]
        self.api = servers["telegram"]
        self.chat_id = 10**9 + uuid.uuid4().int % 10**8

    def post(self, update, secret=TELEGRAM_SECRET):
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        return requests.post(f"{self.rasa}/webhooks/telegram/webhook", json=update,
                             headers=headers, timeout=60)

    def _base(self, **fields):
        update = {"update_id": next(_update_ids)}
        update.update(fields)
        return update

    def _message(self, **fields):
        message = {"message_id": 1, "date": int(time.time()),
                   "chat": {"id": self.chat_id, "type": "private"},
                   "from": {"id": self.chat_id, "is_bot": False, "first_name": "Jeanne"}}
        message.update(fields)
        return message

    def say(self, text, update_id=None):
        update = self._base(message=self._message(text=text))
        if update_id is not None:
            update["update_id"] = update_id
        return self.post(update)

    def press(self, data):
        """Press an inline button carrying ``data``; the callback query's id."""
        query_id = uuid.uuid4().hex[:10]
        update = self._base(callback_query={
            "id": query_id, "chat_instance": "ci", "data": data,
            "from": {"id": self.chat_id, "is_bot": False, "first_name": "Jeanne"},
            "message": self._message(text="Bienvenue")})
        assert self.post(update).status_code == 200
        return query_id

    def calls(self, method="sendMessage"):
        return [c["params"] for c in requests.get(f"{self.api}/_calls", timeout=10).json()
                if c["method"] == method
                and str(c["params"].get("chat_id", "")) in (str(self.chat_id), "")]

    def replies(self, count, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sent = [c for c in self.calls() if str(c["chat_id"]) == str(self.chat_id)]
            if len(sent) >= count:
                return sent
            time.sleep(0.1)
        return [c for c in self.calls() if str(c["chat_id"]) == str(self.chat_id)]


@pytest.fixture
def tg(servers):
    """A new Telegram user."""
    return Chat(servers)


def test_a_message_gets_a_reply(tg):
    assert tg.say("bonjour").status_code == 200
    assert tg.replies(1)[0]["text"]


def test_start_opens_with_the_consent_question_as_buttons(tg):
    tg.say("/start")
    (reply,) = tg.replies(1)
    keyboard = reply["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == ["/opt_in", "/opt_out"]


def test_a_button_press_is_answered_and_mapped(tg, servers, sync_redis, prefix):
    tg.say("/start")
    tg.replies(1)
    query_id = tg.press("/opt_in")
    tg.replies(2)
    answered = [c for c in requests.get(f"{servers['telegram']}/_calls", timeout=10).json()
                if c["method"] == "answerCallbackQuery"]
    # the double reads form fields as JSON: an id drawn all in digits comes back a number
    assert any(str(c["params"]["callback_query_id"]) == query_id for c in answered)
    assert sync_redis.hget(f"{prefix}:person:telegram:{tg.chat_id}", "status") == "active"


def test_a_risk_message_gets_the_number(tg, sync_redis, prefix):
    tg.say("g envie de mourir")
    reply = tg.replies(1)[0]["text"]
    assert re.search(r"(?<!\d)3114(?!\d)", reply), reply
    ids = sync_redis.zrange(f"{prefix}:person:telegram:{tg.chat_id}:escalations", 0, -1)
    assert sync_redis.hget(f"{prefix}:escalation:{ids[0]}", "channel") == "telegram"
    assert len(ids) == 1  # the webhook's early write and the NLU's are one escalation


def test_wrong_or_missing_secret_is_refused(tg):
    assert tg.post(tg._base(message=tg._message(text="x")), secret="nope").status_code == 403
    assert tg.post(tg._base(message=tg._message(text="x")), secret=None).status_code == 403
    time.sleep(0.5)
    assert tg.replies(0, timeout=0.1) == []


def test_the_same_update_twice_gets_one_reply(tg):
    update_id = next(_update_ids)
    tg.say("merci", update_id=update_id)
    tg.say("merci", update_id=update_id)
    time.sleep(1.0)
    assert len(tg.replies(1)) == 1


@pytest.mark.parametrize("kind", ["sticker", "voice", "photo", "document"])
def test_non_text_gets_a_kind_reply(tg, kind):
    payloads = {
        "sticker": {"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1,
                    "is_animated": False, "is_video": False, "type": "regular"},
        "voice": {"file_id": "f", "file_unique_id": "u", "duration": 3},
        "photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}],
        "document": {"file_id": "f", "file_unique_id": "u"},
    }
    assert tg.post(tg._base(message=tg._message(**{kind: payloads[kind]}))).status_code == 200
    assert tg.replies(1)[0]["text"]


def test_group_chats_are_ignored(tg):
    message = tg._message(text="je veux mourir")
    message["chat"] = {"id": -100123, "type": "group", "title": "famille"}
    assert tg.post(tg._base(message=message)).status_code == 200


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"update_id": "x"}', b"\xff\xfe"])
def test_broken_updates_never_fail(tg, body):
    reply = requests.post(f"{tg.rasa}/webhooks/telegram/webhook", data=body, timeout=30,
                          headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
                                   "Content-Type": "application/json"})
    assert reply.status_code in (200, 400)


def test_a_lost_button_answer_is_tried_again(tg, servers):
    requests.post(f"{servers['telegram']}/_fail",
                  json={"method": "answerCallbackQuery", "count": 1, "status": 502}, timeout=5)
    query_id = tg.press("/opt_in")
    answered = [c for c in requests.get(f"{servers['telegram']}/_calls", timeout=10).json()
                if c["method"] == "answerCallbackQuery"]
    # compared as text: the double reads form fields as JSON, and one id in about a hundred
    # is drawn all in digits (CI of 2026-12-07: '7800628970' came back 7800628970)
    assert [str(c["params"]["callback_query_id"]) for c in answered].count(query_id) == 1


def test_a_reply_lost_on_the_way_is_sent_again(tg, servers):
    requests.post(f"{servers['telegram']}/_fail",
                  json={"method": "sendMessage", "count": 2, "status": 502}, timeout=5)
    tg.say("g envie de mourir")
    replies = tg.replies(1, timeout=20)
    assert replies and re.search(r"(?<!\d)3114(?!\d)", replies[0]["text"]), replies


def test_flood_control_waits_and_sends(tg, servers):
    requests.post(f"{servers['telegram']}/_flood", json={"count": 1, "retry_after": 1},
                  timeout=5)
    tg.say("bonjour")
    assert len(tg.replies(1, timeout=20)) == 1


def test_set_webhook_command(servers):
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
               TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET, TELEGRAM_API_URL=servers["telegram"],
               PUBLIC_URL="https://lien.example.org")
    result = subprocess.run([sys.executable, "-m", "bot", "telegram", "set-webhook"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    calls = requests.get(f"{servers['telegram']}/_calls", timeout=10).json()
    hooks = [c["params"] for c in calls if c["method"] == "setWebhook"]
    assert hooks[-1]["url"] == "https://lien.example.org/webhooks/telegram/webhook"
    assert hooks[-1]["secret_token"] == TELEGRAM_SECRET


def test_a_check_in_reaches_the_person_on_telegram(tg, servers):
    tg.say("bonjour")
    tg.replies(1)
    reply = requests.post(
        f"{servers['rasa']}/conversations/telegram:{tg.chat_id}/trigger_intent",
        params={"output_channel": "latest", **AUTH},
        json={"name": "EXTERNAL_checkin_evening"}, timeout=60)
    assert reply.status_code == 200
    assert len(tg.replies(2)) == 2


def test_no_secret_is_ever_written_to_the_logs(tg, servers):
    """httpx logs request URLs, and a Bot API URL holds the bot token."""
    tg.say("bonjour")
    time.sleep(0.5)
    logs = (ROOT / "var" / "test" / "log").glob("*.log")
    for path in logs:
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in (TELEGRAM_TOKEN, TELEGRAM_TOKEN.split(":")[1], TELEGRAM_SECRET,
                       AUTH["token"]):
            assert secret not in text, (path.name, secret[:6])
