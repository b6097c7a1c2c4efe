"""Shared fixtures: real Redis, the real domain, a trained model, running servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, Iterator

import pytest
import redis as syncredis
import redis.asyncio as aioredis
import requests
from rasa.shared.core.domain import Domain

ROOT = Path(__file__).resolve().parent.parent
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Every test run writes under its own key prefix: no flush, no collisions.
TEST_PREFIX = os.environ.setdefault("LIEN_TEST_PREFIX", f"lientest{uuid.uuid4().hex[:8]}")

os.environ.setdefault("REDIS_URL", TEST_REDIS_URL)
os.environ["LIEN_KEY_PREFIX"] = TEST_PREFIX
os.environ.setdefault("LIEN_VAR_DIR", str(ROOT / "var" / "test"))
# Rasa's API and the REST channel always require a token: the tests use this one.
RASA_TOKEN = os.environ.setdefault("RASA_TOKEN", "test-rasa-token-0123456789")
AUTH = {"token": RASA_TOKEN}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def prefix() -> str:
    """The Redis key prefix of this test run."""
    return TEST_PREFIX


@pytest.fixture(scope="session", autouse=True)
def _cleanup_redis() -> Iterator[None]:
    yield
    client = syncredis.Redis.from_url(TEST_REDIS_URL)
    for key in client.scan_iter(match=f"{TEST_PREFIX}:*", count=1000):
        client.delete(key)


@pytest.fixture
def sync_redis() -> syncredis.Redis:
    """A plain Redis client on the test server."""
    return syncredis.Redis.from_url(TEST_REDIS_URL, decode_responses=True)


@pytest.fixture
async def redis_client():
    """An asyncio Redis client bound to the test's event loop."""
    client = aioredis.from_url(TEST_REDIS_URL)
    yield client
    await client.close()


@pytest.fixture(scope="session")
def domain() -> Domain:
    """The real domain.yml."""
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="session")
def trained_model() -> str:
    """The project's model, trained once and reused while nothing changed."""
    rasa = str(Path(sys.executable).with_name("rasa"))
    subprocess.run(
        [rasa, "train", "--fixed-model-name", "lien", "--out", "models"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return str(ROOT / "models" / "lien.tar.gz")


TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "test-twilio-token"
TWILIO_FROM = "+33700000000"


@pytest.fixture(scope="session")
def twilio_double() -> Iterator[str]:
    """The local Twilio API stand-in (tests/support/doubles/twilio_api.py), its base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.doubles.twilio_api", "--port", str(port),
         "--token", TWILIO_TOKEN],
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{url}/_messages", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


TELEGRAM_TOKEN = "123456:test-telegram-token"
TELEGRAM_SECRET = "test-telegram-secret"


def _start_double(module: str, token: str) -> tuple:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", str(port), "--token", token], cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(url, timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)
    return process, url


@pytest.fixture(scope="session")
def telegram_double() -> Iterator[str]:
    """The local Bot API stand-in (tests/support/doubles/telegram_api.py), its base URL."""
    process, url = _start_double("tests.support.doubles.telegram_api", TELEGRAM_TOKEN)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def servers(
    trained_model: str, twilio_double: str, telegram_double: str
) -> Iterator[Dict[str, str]]:
    """The real action server and Rasa server, on free ports, with real Redis."""
    from bot.cli.supervisor import service_environment, start_services, stop_services
    from bot.cli.supervisor import wait_until_ready

    rasa_port, action_port = _free_port(), _free_port()
    env = service_environment(TEST_REDIS_URL, action_port)
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{action_port}/webhook"
    env.update(
        TWILIO_ACCOUNT_SID=TWILIO_SID,
        TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        TWILIO_FROM_NUMBER=TWILIO_FROM,
        TWILIO_API_URL=twilio_double,
        PUBLIC_URL=f"http://127.0.0.1:{rasa_port}",
        TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
        TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET,
        TELEGRAM_API_URL=telegram_double,
    )
    log_dir = ROOT / "var" / "test" / "log"
    # Each run's logs alone: tests grep them (no secret may ever be logged).
    for old in log_dir.glob("*.log"):
        old.unlink()
    processes = start_services(env, log_dir, rasa_port, action_port, trained_model)
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    try:
        wait_until_ready(rasa_url, action_port, timeout=400, processes=processes)
        yield {"rasa": rasa_url, "actions": f"http://127.0.0.1:{action_port}",
               "twilio": twilio_double, "telegram": telegram_double}
    finally:
        stop_services(processes)


class Chat:
    """Talks to the Rasa server's REST channel as one person."""

    def __init__(self, rasa_url: str, sender: str) -> None:
        self.rasa_url = rasa_url
        self.sender = sender

    def say(self, text: str) -> list:
        """Send a message; return the bot's messages."""
        reply = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
            params=AUTH, timeout=60,
        )
        assert reply.status_code == 200, reply.text
        return reply.json()

    def texts(self, text: str) -> list:
        """Send a message; return the bot's texts."""
        return [m.get("text", "") for m in self.say(text)]

    def trigger(self, intent: str) -> dict:
        """Trigger an external intent (a check-in) for this person."""
        reply = requests.post(
            f"{self.rasa_url}/conversations/{self.sender}/trigger_intent",
            json={"name": intent},
            params=AUTH, timeout=60,
        )
        assert reply.status_code == 200, reply.text
        return reply.json()

    def tracker(self) -> dict:
        """The conversation's tracker."""
        return requests.get(
            f"{self.rasa_url}/conversations/{self.sender}/tracker", params=AUTH,
            timeout=30
        ).json()


@pytest.fixture
def chat(servers: Dict[str, str]) -> Chat:
    """A new person talking to the running assistant."""
    return Chat(servers["rasa"], f"test:{uuid.uuid4().hex[:10]}")


def add_console_user(env: Dict[str, str], login: str, role: str, password: str,
                     name: str = "") -> None:
    """``python -m bot users add`` with the password on standard input."""
    added = subprocess.run(
        [sys.executable, "-m", "bot", "users", "add", login, "--role", role,
         "--name", name or login, "--password-stdin"], input=password + "\n", text=True,
        capture_output=True, cwd=ROOT, env=env, timeout=60)
    assert added.returncode == 0, added.stderr


def start_console(env: Dict[str, str], log_path: Path) -> tuple:
    """``python -m bot console`` on a free port, logging to a file; (process, url)."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--port", str(port)], cwd=ROOT,
        env=dict(env, CONSOLE_URL=f"http://127.0.0.1:{port}"),
        stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                break
        except requests.RequestException:
            time.sleep(0.1)
    return process, url


def pytest_collection_modifyitems(config, items) -> None:
    """Mark every test that needs the trained model (directly or through another
    fixture) ``model``: ``make test-fast`` runs the others, without training."""
    for item in items:
        if "trained_model" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.model)
