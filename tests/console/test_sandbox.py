"""The sandbox of ``make run`` without credentials: both providers' APIs, one listing, a page.

The real Twilio and Telegram client libraries talk to the sandbox (as the channels
do under ``make run``); the console's page reads its listing. The whole loop
(``python -m bot run``, a risk message, the worker's alert) is in test_make_run.py.
"""

from __future__ import annotations

import re
import uuid
from typing import Iterator

import pytest
import requests
from aiohttp.test_utils import TestClient, TestServer

from bot import sandbox
from bot.console.app import make_app
from bot.console.sandbox import PATH, add_page
from bot.console.store import ConsoleStore
from tests.console.test_console import RecordingTakeover, Recorder

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory) -> Iterator[str]:
    process, url = sandbox.start(tmp_path_factory.mktemp("sandbox"))
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_sandbox_only_without_any_provider_credential():
    assert sandbox.wanted({})
    assert sandbox.wanted({"TWILIO_API_URL": "http://x", "TELEGRAM_API_URL": "http://y",
                           "TWILIO_ACCOUNT_SID": "  "})
    for name in sandbox.CREDENTIALS:
        assert not sandbox.wanted({name: "real"}), name  # real credentials: no sandbox


async def test_the_real_clients_send_to_the_sandbox_and_its_listing_has_both(
        sandbox_url, redis_client, prefix, monkeypatch):
    from channels import telegram_send
    from channels.sms import SmsOutput, SmsSettings
    from channels.telegram import TelegramOutput, TelegramSettings

    requests.post(f"{sandbox_url}/twilio/_reset", timeout=5)
    requests.post(f"{sandbox_url}/telegram/_reset", timeout=5)
    for name, value in sandbox.environment(sandbox_url).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    sms = SmsOutput(SmsSettings.from_env(), redis_client, prefix)
    await sms.send_text_message("sms:+33600000101", "Alerte URGENT : Jeanne, suicide.")
    await TelegramOutput(TelegramSettings.from_env()).send_text_with_buttons(
        "telegram:4242", "Voulez-vous qu'on vous appelle ?",
        [{"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}])
    await sms._client.http_client.close()
    await telegram_send._BOTS.pop(sandbox.TELEGRAM_TOKEN).shutdown()

    listing = requests.get(f"{sandbox_url}/_messages", timeout=5).json()
    assert [(m["channel"], m["to"], m["text"], m["buttons"]) for m in listing] == [
        ("sms", "+33600000101", "Alerte URGENT : Jeanne, suicide.", []),
        ("telegram", "4242", "Voulez-vous qu'on vous appelle ?", ["Oui", "Non"]),
    ]
    assert listing[0]["ts"] <= listing[1]["ts"]
    # Each stand-in keeps its own controls, as the tests' doubles do.
    (twilio,) = requests.get(f"{sandbox_url}/twilio/_messages", timeout=5).json()
    assert twilio["from"] == sandbox.TWILIO_FROM and twilio["sid"].startswith("SM")
    methods = [c["method"] for c in requests.get(f"{sandbox_url}/telegram/_calls",
                                                 timeout=5).json()]
    assert "sendMessage" in methods


def test_made_up_credentials_open_nothing_else(sandbox_url):
    wrong = requests.post(
        f"{sandbox_url}/twilio/2010-04-01/Accounts/{sandbox.TWILIO_SID}/Messages.json",
        data={"To": "+33600000000", "From": sandbox.TWILIO_FROM, "Body": "x"},
        auth=(sandbox.TWILIO_SID, "not-the-token"), timeout=5)
    assert wrong.status_code == 401
    assert requests.post(f"{sandbox_url}/telegram/bot1:wrong/getMe",
                         timeout=5).status_code == 401


async def _console(redis_client, prefix: str, sandbox_at: str = "") -> TestServer:
    """The console in-process, with the sandbox's page when ``sandbox_at`` is given."""
    app = make_app(redis_client, prefix, RecordingTakeover(
        redis_client, prefix, "http://127.0.0.1:9", Recorder()))
    if sandbox_at:
        add_page(app, sandbox_at)
    await ConsoleStore(redis_client, prefix).add_user("ana", "Ana Martin", "listener",
                                                      PASSWORD)
    server = TestServer(app)
    await server.start_server()
    return server


async def _logged_in(server: TestServer) -> TestClient:
    client = TestClient(server)
    await client.start_server()
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
    logged = await client.post("/login", data={"csrf": token, "login": "ana",
                                               "password": PASSWORD, "next": "/queue"},
                               allow_redirects=False)
    assert logged.status == 302
    return client


@pytest.fixture
async def console_prefix(redis_client):
    prefix = f"{uuid.uuid4().hex[:8]}s"
    yield prefix
    async for key in redis_client.scan_iter(match=f"{prefix}*", count=1000):
        await redis_client.delete(key)


async def test_the_console_page_lists_what_was_sent(sandbox_url, redis_client,
                                                    console_prefix):
    requests.post(f"{sandbox_url}/twilio/_reset", timeout=5)
    sent = requests.post(
        f"{sandbox_url}/twilio/2010-04-01/Accounts/{sandbox.TWILIO_SID}/Messages.json",
        data={"To": "+33600000101", "From": sandbox.TWILIO_FROM,
              "Body": "Alerte <b>URGENT</b> : Jeanne"},
        auth=(sandbox.TWILIO_SID, sandbox.TWILIO_TOKEN), timeout=5)
    assert sent.status_code == 201
    server = await _console(redis_client, console_prefix, sandbox_url)
    try:
        anonymous = TestClient(server)
        await anonymous.start_server()
        refused = await anonymous.get(PATH, allow_redirects=False)
        assert refused.status == 302 and "/login" in refused.headers["Location"]
        client = await _logged_in(server)
        page = await client.get(PATH)
        text = await page.text()
        assert page.status == 200
        assert "Messages envoyés (bac à sable)" in text
        assert "+33600000101" in text
        assert "Alerte &lt;b&gt;URGENT&lt;/b&gt; : Jeanne" in text  # shown as text
    finally:
        await server.close()


async def test_no_sandbox_page_with_real_credentials_and_a_clear_word_when_it_stopped(
        redis_client, console_prefix):
    server = await _console(redis_client, console_prefix)  # real credentials: no page
    try:
        assert (await (await _logged_in(server)).get(PATH)).status == 404
    finally:
        await server.close()
    server = await _console(redis_client, f"{console_prefix}b", "http://127.0.0.1:9")
    try:
        page = await (await _logged_in(server)).get(PATH)
        assert page.status == 200
        assert "Bac à sable injoignable" in await page.text()
    finally:
        await server.close()
