"""Human takeover end to end: the case, the alert, the listener on the SMS channel."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import requests

from bot.safety import cases
from bot.safety import roster as roster_mod
from bot.safety.takeover import Takeover
from bot.delivery import DirectDelivery
from bot.worker.loop import Worker
from bot.worker.settings import WorkerSettings
from tests.channels.test_sms import Phone
from tests.support.settings import AUTH, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN

pytestmark = pytest.mark.e2e


@pytest.fixture
def on_call(servers, monkeypatch, tmp_path):
    for name, value in (("TWILIO_ACCOUNT_SID", TWILIO_SID), ("TWILIO_AUTH_TOKEN", TWILIO_TOKEN),
                        ("TWILIO_FROM_NUMBER", TWILIO_FROM),
                        ("TWILIO_API_URL", servers["twilio"])):
        monkeypatch.setenv(name, value)
    phone = f"+3366{uuid.uuid4().int % 10**7:07d}"
    roster = tmp_path / "roster.yml"
    roster.write_text(f"tiers:\n  - name: t\n    members:\n      - {{name: A, phone: '{phone}'}}\n"
                      "ladder:\n  critical: [0]\n  high: [0]\n", encoding="utf-8")
    monkeypatch.setenv("ROSTER_FILE", str(roster))
    roster_mod.roster.cache_clear()
    yield phone
    roster_mod.roster.cache_clear()


def _sms_to(servers, number):
    messages = requests.get(f"{servers['twilio']}/_messages", timeout=10).json()
    return [m["body"] for m in messages if m["to"] == number]


def _wait(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


async def test_a_listener_takes_over_and_hands_back(servers, on_call, prefix, redis_client):
    person = Phone(servers)
    person_id = f"sms:{person.number}"
    person.text("jveux en finir")
    assert "3114" in person.wait_for(1)[0]
    await asyncio.sleep(1)
    n0 = len(person.received())  # the risk answer may take two SMS
    delivery = DirectDelivery(redis_client, prefix)
    worker = Worker(redis_client, prefix, delivery, WorkerSettings())
    for _ in range(20):
        await worker.work_cases()
        mine = [c for c in await cases.queue(redis_client, prefix, 1000)
                if c["person_id"] == person_id]
        if mine:
            break
        await asyncio.sleep(0.2)
    (case,) = mine
    assert case["level"] in ("critical", "high") and case["status"] == "pending"
    # The worker pages for every case of this test run: keep this case's alerts.
    mine_only = lambda: [m for m in _sms_to(servers, on_call) if case["id"] in m]  # noqa: E731
    alert = _wait(mine_only)
    assert len(alert) == 1 and "idées suicidaires" in alert[0] and "finir" not in alert[0]

    takeover = Takeover(redis_client, prefix, servers["rasa"], delivery, AUTH["token"])
    assert await takeover.claim(case["id"], "ana", "Ana")
    received = person.wait_for(n0 + 1)
    assert received[n0].startswith("Ana, de l'équipe Lien, est maintenant avec vous")
    # The bot is silent; the message reaches the console and the conversation.
    person.text("merci d'etre la")
    live = []
    for _ in range(75):
        live = [e for e in await takeover.live(person_id) if e["from"] == "person"]
        if live:
            break
        await asyncio.sleep(0.2)
    assert live[-1]["text"] == "merci d'etre la"
    await asyncio.sleep(1.5)
    assert len(person.received()) == n0 + 1
    # Risk during the takeover still alerts.
    person.text("jveux mourir")
    for _ in range(30):
        await worker.work_cases()
        if len(mine_only()) == 2:
            break
        await asyncio.sleep(0.2)
    during = mine_only()
    assert len(during) == 2 and "cas suivi par ana" in during[1]
    assert len(person.received()) == n0 + 1  # still only the listener speaks
    # The listener's reply goes out by SMS and is in the conversation.
    assert await takeover.reply(case["id"], "ana", "Je suis là. On en parle ?")
    assert person.wait_for(n0 + 2)[n0 + 1] == "Je suis là. On en parle ?"
    tracker = requests.get(f"{servers['rasa']}/conversations/{person_id}/tracker", params=AUTH,
                           timeout=30).json()
    texts = [e.get("text") for e in tracker["events"] if e["event"] in ("user", "bot")]
    assert texts.index("merci d'etre la") < texts.index("Je suis là. On en parle ?")
    assert not await takeover.reply(case["id"], "bob", "intrus")  # not Bob's case
    # Resolved: the bot is back and offers the next call.
    assert await takeover.resolve(case["id"], "écoutée", "3114 transféré")
    back = person.wait_for(n0 + 3)
    after = " ".join(back[n0 + 2:])
    assert "prochain appel" in after or "rappelle" in after
    person.text("je vais un peu mieux")
    assert len(person.wait_for(len(back) + 1)) > len(back)
    await delivery.close()

