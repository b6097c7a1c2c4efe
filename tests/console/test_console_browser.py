"""A listener in a real browser (headless Debian Chromium driven by Playwright).

Everything is real: the console process (``python -m bot console``), the Rasa and
action servers, Redis, the worker's case and alert round, and the Twilio and
Telegram doubles that the real client libraries talk to.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import time
import uuid

import pytest
import requests

from bot.safety import cases
from bot.safety import roster as roster_mod
from bot.console.store import ConsoleStore
from bot.delivery import DirectDelivery
from bot.worker.loop import Worker
from bot.worker.settings import WorkerSettings
from tests.channels.test_sms import Phone
from tests.support.servers import add_console_user, start_console
from tests.support.settings import (
    AUTH, TELEGRAM_TOKEN, TEST_PREFIX, TEST_REDIS_URL, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN,
)

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or \
    shutil.which("chromium-browser") or ""
PASSWORD = "un mot de passe solide"


@pytest.fixture
def on_call(servers, monkeypatch, tmp_path):
    """A roster whose tier 1 is one phone and one Telegram chat of this test."""
    phone = f"+3367{uuid.uuid4().int % 10**7:07d}"
    chat_id = str(700000000 + uuid.uuid4().int % 10**8)
    roster = tmp_path / "roster.yml"
    roster.write_text(
        "tiers:\n  - name: t\n    members:\n"
        f"      - {{name: Astreinte, phone: '{phone}', telegram: '{chat_id}'}}\n"
        "ladder:\n  critical: [0]\n  high: [0]\n", encoding="utf-8")
    env = {"TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
           "TWILIO_FROM_NUMBER": TWILIO_FROM, "TWILIO_API_URL": servers["twilio"],
           "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_API_URL": servers["telegram"],
           "ROSTER_FILE": str(roster)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    roster_mod.roster.cache_clear()
    yield {"phone": phone, "chat_id": chat_id, "env": env}
    roster_mod.roster.cache_clear()


@pytest.fixture
def console(servers, on_call, tmp_path):
    """The console as a process, on a free port, with its own listener account."""
    env = dict(os.environ, **on_call["env"], REDIS_URL=TEST_REDIS_URL,
               LIEN_KEY_PREFIX=TEST_PREFIX, RASA_URL=servers["rasa"])
    login = f"ecoute{uuid.uuid4().hex[:6]}"
    add_console_user(env, login, "listener", PASSWORD, "Nadia Roux")
    process, url = start_console(env, tmp_path / "console.log")
    yield {"url": url, "login": login}
    process.terminate()
    process.wait(timeout=15)


async def _until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.2)
    return await predicate()


@pytest.mark.skipif(not CHROMIUM and not os.environ.get("CI"),
                    reason="Debian's chromium is installed by .ci/run (under CI this fails)")
async def test_a_listener_works_a_risk_sms_in_the_browser(servers, on_call, console,
                                                          redis_client):
    from playwright.async_api import async_playwright, expect

    person = Phone(servers)
    person_id = f"sms:{person.number}"
    delivery = DirectDelivery(redis_client, TEST_PREFIX)
    worker = Worker(redis_client, TEST_PREFIX, delivery, WorkerSettings())
    stop = asyncio.Event()

    async def cases_round() -> None:  # the worker's case and alert round, nothing else
        while not stop.is_set():
            await worker.work_cases()
            await asyncio.sleep(0.2)

    # Earlier tests' cases (and escalations not yet made cases) would sit above
    # this one: turn the backlog into cases, then start from an empty queue.
    await cases.ensure_group(redis_client, TEST_PREFIX)
    while await cases.consume(redis_client, TEST_PREFIX, "backlog", time.time(),
                              min_idle_ms=0):
        pass
    for leftover in await cases.queue(redis_client, TEST_PREFIX, 1000):
        await cases.resolve_case(redis_client, TEST_PREFIX, leftover["id"], "test", "", time.time())
    rounds = asyncio.create_task(cases_round())
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=["--no-sandbox"])
        page = await browser.new_page()
        try:
            # Log in.
            await page.goto(f"{console['url']}/queue")
            await expect(page).to_have_url(re.compile(r"/login\?next=(%2F|/)queue$"))
            await page.fill("input[name=login]", console["login"])
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await expect(page).to_have_url(f"{console['url']}/queue")

            # A signed risk SMS reaches the webhook; the assistant answers with 3114.
            reply = await asyncio.to_thread(person.text, "jveux en finir avec tout ça")
            assert reply.status_code == 200
            answer = await asyncio.to_thread(person.wait_for, 1)
            assert "3114" in answer[0]
            await asyncio.sleep(1)
            n0 = len(await asyncio.to_thread(person.received))

            # The case comes to the top of the queue, live, without reloading.
            first_row = page.locator("#queue tbody tr").first
            await expect(first_row).to_contain_text("idées suicidaires", timeout=20000)
            await expect(first_row).to_have_class(re.compile(r"level-(critical|high)"))
            await expect(first_row).to_contain_text(person.number[-2:])
            await expect(page.locator("#queue")).not_to_contain_text(person.number)
            case_id = await first_row.get_attribute("data-case")
            assert case_id

            # The alert reached the on-call phone (Twilio) and chat (Telegram).
            def sms_alerts():
                messages = requests.get(f"{servers['twilio']}/_messages", timeout=10).json()
                return [m["body"] for m in messages
                        if m["to"] == on_call["phone"] and case_id in m["body"]]

            def telegram_alerts():
                calls = requests.get(f"{servers['telegram']}/_calls", timeout=10).json()
                return [c["params"]["text"] for c in calls
                        if str(c["params"].get("chat_id")) == on_call["chat_id"]
                        and case_id in c["params"].get("text", "")]

            sms = await _until(lambda: asyncio.to_thread(sms_alerts))
            telegram = await _until(lambda: asyncio.to_thread(telegram_alerts))
            assert len(sms) == 1 and len(telegram) == 1
            assert "idées suicidaires" in sms[0] and "finir" not in sms[0]

            # Claim: the person is told, in one line, that someone is with them.
            await first_row.locator("a").click()
            await page.click("#claim")
            await expect(page.locator(".flash.ok")).to_contain_text("Vous avez pris le cas")
            told = await asyncio.to_thread(person.wait_for, n0 + 1)
            assert told[n0].startswith("Nadia, de l'équipe Lien, est maintenant avec vous")

            # Reply: the Twilio double receives it.
            await page.fill("#reply-text", "Je suis là. Voulez-vous me dire ce qui se passe ?")
            await page.click("#send")
            await expect(page.locator(".flash.ok")).to_contain_text("Message envoyé")
            got = await asyncio.to_thread(person.wait_for, n0 + 2)
            assert got[n0 + 1] == "Je suis là. Voulez-vous me dire ce qui se passe ?"

            # The person answers: it shows up live in the conversation, the bot stays quiet.
            await asyncio.to_thread(person.text, "ma femme est partie <b>hier</b>")
            await expect(page.locator("#transcript")).to_contain_text(
                "ma femme est partie <b>hier</b>", timeout=20000)
            assert len(await asyncio.to_thread(person.received)) == n0 + 2

            # Resolve: the assistant answers again and offers the next call.
            await page.select_option("#outcome", "oriented")
            await page.select_option("#orientation", "ccas")
            await page.click("#resolve")
            await expect(page.locator(".flash.ok")).to_contain_text("Cas clos")
            back = await asyncio.to_thread(person.wait_for, n0 + 3)
            assert len(back) > n0 + 2
            await page.goto(f"{console['url']}/queue")
            await expect(page.locator("#queue")).not_to_contain_text(person.number[-4:])
        finally:
            await browser.close()
            stop.set()
            await rounds
            await delivery.close()
    store = ConsoleStore(redis_client, TEST_PREFIX)
    actions = {(e["login"], e["action"]) for e in await store.audit_log(500)
               if e["target"] == case_id or e["action"] == "login"}
    assert {(console["login"], a) for a in ("login", "view_case", "claim", "reply",
                                             "resolve")} <= actions
    tracker = requests.get(f"{servers['rasa']}/conversations/{person_id}/tracker", params=AUTH,
                           timeout=30).json()
    texts = [e.get("text") for e in tracker["events"] if e["event"] in ("user", "bot")]
    assert texts.index("Je suis là. Voulez-vous me dire ce qui se passe ?") < \
        texts.index("ma femme est partie <b>hier</b>")
