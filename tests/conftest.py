"""Shared fixtures: real Redis, the real domain, a trained model, running servers."""

from __future__ import annotations

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

# The helpers under tests/support assert like the tests: rewritten by pytest.
pytest.register_assert_rewrite("tests.support")

# Importing the settings sets the test run's environment (Redis, key prefix, tokens).
from tests.support.chat import Chat  # noqa: E402
from tests.support.paths import ROOT  # noqa: E402
from tests.support.servers import _free_port, _start_double  # noqa: E402
from tests.support.settings import (  # noqa: E402
    TELEGRAM_SECRET, TELEGRAM_TOKEN, TEST_PREFIX, TEST_REDIS_URL, TWILIO_FROM, TWILIO_SID,
    TWILIO_TOKEN,
)


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
        [rasa, "train", "--skip-validation", "--fixed-model-name", "lien", "--out", "models"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return str(ROOT / "models" / "lien.tar.gz")


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


@pytest.fixture
def chat(servers: Dict[str, str]) -> Chat:
    """A new person talking to the running assistant."""
    return Chat(servers["rasa"], f"test:{uuid.uuid4().hex[:10]}")


def pytest_collection_modifyitems(config, items) -> None:
    """Mark every test that needs the trained model (directly or through another
    fixture) ``model``: ``make test-fast`` runs the others, without training."""
    for item in items:
        if "trained_model" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.model)
