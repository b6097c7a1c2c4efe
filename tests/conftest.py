"""Shared fixtures: real Redis, the real domain, a trained model, running servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
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


@pytest.fixture(scope="session")
def servers(trained_model: str) -> Iterator[Dict[str, str]]:
    """The real action server and Rasa server, on free ports, with real Redis."""
    from bot.cli import service_environment, start_services, stop_services
    from bot.cli import wait_until_ready

    rasa_port, action_port = _free_port(), _free_port()
    env = service_environment(TEST_REDIS_URL, action_port)
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{action_port}/webhook"
    log_dir = ROOT / "var" / "test" / "log"
    processes = start_services(env, log_dir, rasa_port, action_port, trained_model)
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    try:
        wait_until_ready(rasa_url, action_port, timeout=400, processes=processes)
        yield {"rasa": rasa_url, "actions": f"http://127.0.0.1:{action_port}"}
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
            timeout=60,
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
            timeout=60,
        )
        assert reply.status_code == 200, reply.text
        return reply.json()

    def tracker(self) -> dict:
        """The conversation's tracker."""
        return requests.get(
            f"{self.rasa_url}/conversations/{self.sender}/tracker", timeout=30
        ).json()


@pytest.fixture
def chat(servers: Dict[str, str]) -> Chat:
    """A new person talking to the running assistant."""
    return Chat(servers["rasa"], f"test:{uuid.uuid4().hex[:10]}")
