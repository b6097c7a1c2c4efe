"""The circle of care answers through the real webhooks (no model): signed Twilio
requests and secret-checked Telegram updates to the real SmsInput and TelegramInput
blueprints, served by a process of their own (tests/support/ladder_webhooks.py) with
Rasa replaced by a recorder. The worker walks the ladder on the same Redis, and the
service's clock (the webhooks' too) is the test's."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, Iterator

import pytest
import redis as syncredis
import requests
from twilio.request_validator import RequestValidator

from bot.checkins.ladder import episode_of
from bot.people import circle
from bot.safety import cases
from bot.safety import roster as roster_mod
from tests.support.fakes import Clock
from tests.support.ladder import (
    Outbox, circle_of, enrol, phone, ts, worker, write_roster,
)
from tests.support.paths import ROOT
from tests.support.servers import _free_port
from tests.support.settings import (
    TELEGRAM_SECRET, TELEGRAM_TOKEN, TEST_REDIS_URL, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN,
)

DAY = (2026, 11, 25)
_update_ids = itertools.count(7_000_000)


class SharedClock(Clock):
    """The test's clock, also written where the webhooks' process reads it."""

    def __init__(self, ts: float, path: Path) -> None:
        self.path = path
        super().__init__(ts)

    @property
    def ts(self) -> float:
        return self._ts

    @ts.setter
    def ts(self, value: float) -> None:
        self._ts = value
        self.path.write_text(repr(value), encoding="ascii")


@pytest.fixture(scope="module")
def hooks(telegram_double, tmp_path_factory) -> Iterator[Dict[str, Any]]:
    """The webhooks' process on a free port, under a key prefix of its own."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    prefix = f"{uuid.uuid4().hex[:8]}h"
    clock_file = tmp_path_factory.mktemp("ladder_clock") / "now"
    env = dict(os.environ, TWILIO_ACCOUNT_SID=TWILIO_SID, TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
               TWILIO_FROM_NUMBER=TWILIO_FROM, PUBLIC_URL=url,
               TWILIO_API_URL="http://127.0.0.1:9", TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
               TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET, TELEGRAM_API_URL=telegram_double,
               LIEN_KEY_PREFIX=prefix, REDIS_URL=TEST_REDIS_URL)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.ladder_webhooks", "--port", str(port),
         "--clock", str(clock_file)], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, "the webhooks' process ended"
            try:
                if requests.get(f"{url}/webhooks/sms/", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the webhooks did not start"
            time.sleep(0.2)
        yield {"url": url, "prefix": prefix, "clock_file": clock_file}
    finally:
        process.terminate()
        process.wait(timeout=30)
        client = syncredis.Redis.from_url(TEST_REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)


@pytest.fixture
async def world(hooks, redis_client, tmp_path, monkeypatch):
    """Marie (renforcée) and her circle on the webhooks' prefix; the service's clock
    (webhooks included) is the test's, at 08:10 in Paris."""
    monkeypatch.setenv("ROSTER_FILE", str(tmp_path / "roster.yml"))
    monkeypatch.delenv("QUIET_HOURS", raising=False)
    phones = write_roster(tmp_path / "roster.yml")
    clock = SharedClock(ts(*DAY, 8, 10), hooks["clock_file"])
    box = Outbox()
    prefix = hooks["prefix"]
    sync = syncredis.Redis.from_url(TEST_REDIS_URL)
    yield SimpleNamespace(redis=redis_client, prefix=prefix, clock=clock, box=box,
                          phones=phones, url=hooks["url"], sync=sync,
                          worker=worker(redis_client, prefix, clock, box))
    sync.close()
    roster_mod.roster.cache_clear()


def _sms(w, number: str, body: str, sid: str = "") -> requests.Response:
    """A signed SMS from ``number`` as Twilio posts it."""
    params = {"MessageSid": sid or f"SM{uuid.uuid4().hex}", "From": number,
              "To": TWILIO_FROM, "Body": body, "NumMedia": "0"}
    return _signed(w, "/webhooks/sms/webhook", params)


def _signed(w, path: str, params: Dict[str, str]) -> requests.Response:
    url = f"{w.url}{path}"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    return requests.post(url, data=params, headers={"X-Twilio-Signature": signature},
                         timeout=30)


def _telegram(w, chat_id: str, text: str) -> requests.Response:
    update = {"update_id": next(_update_ids), "message": {
        "message_id": 1, "date": int(w.clock()), "text": text,
        "chat": {"id": int(chat_id), "type": "private"},
        "from": {"id": int(chat_id), "is_bot": False, "first_name": "Paul"}}}
    return requests.post(f"{w.url}/webhooks/telegram/webhook", json=update, timeout=30,
                         headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})


def _twiml(reply: requests.Response) -> str:
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/xml")
    return reply.text


async def _at(w, hour, minute, second=0):
    w.clock.ts = ts(*DAY, hour, minute, second)
    for _ in range(3):
        await w.worker.tick()


def _asks(w, address):
    return [t for t in w.box.to(address) if "AIDE" in t and "OUI" not in t]


def _dialogue(w, address):
    """What reached the dialogue (Rasa) from an address."""
    got = w.sync.lrange(f"{w.prefix}:test:dialogue", 0, -1)
    return [m["text"] for m in map(json.loads, got) if m["sender_id"] == address]


async def _marie(w, *names, telegram=False):
    """Marie and her circle; the worker asks each to agree, each answers "oui" by SMS
    (or Telegram): the answer is the webhook's own reply, not the dialogue's."""
    marie = await enrol(w.redis, w.prefix, w.clock())
    c = await circle_of(w.redis, w.prefix, marie, w.clock(), *names, telegram=telegram)
    await w.worker.tick()
    for name, address in c.items():
        number = address.partition(":")[2]
        if telegram:
            reply = _telegram(w, number, "oui").json()
            assert reply["method"] == "sendMessage" and f"Merci {name}" in reply["text"]
        else:
            assert f"Merci {name}" in _twiml(_sms(w, number, "Oui"))
    return marie, c


async def _to_the_circle(w):
    for moment in ((9, 30, 5), (10, 15, 10), (11, 0, 10)):
        await _at(w, *moment)


async def test_a_contacts_ok_by_sms_is_answered_in_twiml_and_never_reaches_the_dialogue(
        world):
    w = world
    marie, c = await _marie(w, "Paul", "Lise")
    await _to_the_circle(w)
    assert len(_asks(w, c["Paul"])) == 1
    w.clock.ts = ts(*DAY, 11, 4)
    sid = f"SM{uuid.uuid4().hex}"
    reply = _twiml(_sms(w, c["Paul"][4:], "ok", sid=sid))
    assert "Merci Paul" in reply and "Marie" in reply and "<Message>" in reply
    assert _twiml(_sms(w, c["Paul"][4:], "ok", sid=sid)).count("<Message>") == 0  # a retry
    episode = await episode_of(w.redis, w.prefix, marie)
    assert episode["confirmed_by_name"] == "Paul"
    assert float(episode["confirmed_ts"]) == ts(*DAY, 11, 4)
    for moment in ((11, 20, 15), (12, 0, 15), (13, 0)):
        await _at(w, *moment)
    assert _asks(w, c["Lise"]) == [] and await cases.queue(w.redis, w.prefix) == []
    assert _dialogue(w, c["Paul"]) == [] and _dialogue(w, c["Lise"]) == []


async def test_a_contacts_aide_by_sms_pages_on_call_at_once(world):
    w = world
    marie, c = await _marie(w, "Paul")
    await _to_the_circle(w)
    w.clock.ts = ts(*DAY, 11, 6)
    reply = _twiml(_sms(w, c["Paul"][4:], "Elle ne répond pas, j'ai besoin d'aide"))
    assert "15" in reply
    await _at(w, 11, 6)
    assert [(x["level"], x["category"]) for x in await cases.queue(w.redis, w.prefix)] == [
        ("high", "no_news")]
    assert len(w.box.to(f"sms:{w.phones['oncall']}")) == 1
    assert _dialogue(w, c["Paul"]) == []


async def test_stop_by_sms_and_the_contact_is_never_asked(world):
    w = world
    marie, c = await _marie(w, "Paul", "Lise")
    assert "plus" in _twiml(_sms(w, c["Paul"][4:], "STOP"))
    await _to_the_circle(w)
    assert _asks(w, c["Paul"]) == [] and len(_asks(w, c["Lise"])) == 1
    await _at(w, 11, 20, 15)
    assert _asks(w, c["Paul"]) == [] and _dialogue(w, c["Paul"]) == []


async def test_a_contacts_answers_on_telegram_are_the_webhooks_reply(world):
    w = world
    marie, c = await _marie(w, "Paul", telegram=True)
    await _to_the_circle(w)
    assert [ch for ch, to, t in w.box.sent if to == c["Paul"] and "AIDE" in t] == [
        "telegram"]
    w.clock.ts = ts(*DAY, 11, 5)
    reply = _telegram(w, c["Paul"].partition(":")[2], "OK").json()
    assert reply["method"] == "sendMessage" and str(reply["chat_id"]) == c["Paul"][9:]
    assert "Merci Paul" in reply["text"] and "Marie" in reply["text"]
    assert (await episode_of(w.redis, w.prefix, marie))["confirmed_by_name"] == "Paul"
    assert _dialogue(w, c["Paul"]) == []


async def _undelivered(w, marie):
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "MessageStatus": "undelivered",
              "To": marie.partition(":")[2], "From": TWILIO_FROM, "ErrorCode": "30003"}
    assert _signed(w, "/webhooks/sms/status", params).status_code == 204


async def test_an_undelivered_sms_to_the_person_goes_to_the_circle_at_once(world):
    w = world
    marie, c = await _marie(w, "Paul", "Lise")
    await _at(w, 9, 30, 5)
    w.clock.ts = ts(*DAY, 9, 40)
    await _undelivered(w, marie)
    await _at(w, 9, 40, 5)
    (ask,) = _asks(w, c["Paul"])  # not 90 minutes later: now
    assert "9 h 30" in ask
    await _at(w, 10, 0, 10)
    assert len(_asks(w, c["Lise"])) == 1
    await _at(w, 10, 40, 10)
    assert len(w.box.to(f"sms:{w.phones['oncall']}")) == 1


async def test_after_an_undelivered_sms_the_person_gets_no_reask(world):
    w = world
    marie, c = await _marie(w, "Paul", "Lise", "Jean")
    await _at(w, 9, 30, 5)
    w.clock.ts = ts(*DAY, 9, 40)
    await _undelivered(w, marie)
    for moment in ((9, 40, 5), (10, 0, 10), (10, 15, 10), (10, 20, 15)):
        await _at(w, *moment)
    assert w.box.to(marie) == []  # her number does not take SMS
    assert [len(_asks(w, c[n])) for n in ("Paul", "Lise", "Jean")] == [1, 1, 1]


async def test_someone_followed_and_a_contact_is_a_contact_only_while_asked(world):
    w = world
    number = phone()
    jean = await enrol(w.redis, w.prefix, w.clock(), watch="standard", first_name="Jean",
                       address=number)
    marie = await enrol(w.redis, w.prefix, w.clock())
    await circle.add_contact(w.redis, w.prefix, marie, "Jean", "voisin", w.clock(),
                             phone=number)
    await w.worker.tick()  # the agreement request goes to Jean's number
    assert any("OUI" in t for t in w.box.to(jean))
    assert "Merci Jean" in _twiml(_sms(w, number, "oui"))  # asked to agree: a contact
    assert _dialogue(w, jean) == []
    assert "<Message>" not in _twiml(_sms(w, number, "ok"))  # not asked: his dialogue
    assert len(_dialogue(w, jean)) == 1
    await _to_the_circle(w)
    assert len(_asks(w, jean)) == 1
    chat = _twiml(_sms(w, number, "bonjour, il fait beau aujourd'hui"))
    assert "<Message>" not in chat and "beau" in _dialogue(w, jean)[-1]  # not a keyword
    assert "Merci Jean" in _twiml(_sms(w, number, "OK"))  # being asked: a contact
    assert len(_dialogue(w, jean)) == 2
    assert (await episode_of(w.redis, w.prefix, marie))["confirmed_by_name"] == "Jean"
