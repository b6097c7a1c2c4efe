"""The console runs on its own environment, past the advisories of Rasa's aiohttp.

Issue 12, dependencies: Rasa 3.6.21 pins aiohttp below 3.10, and 3.9.5 carries
CVE-2026-22815, CVE-2026-34516 and CVE-2026-34525 (fixed in 3.13.4). The
console is the one aiohttp server people outside the service reach, so it runs
on ``.venv-console`` (``make setup``), without Rasa; it sends through
``channels/*_send.py``, which import neither Rasa nor Sanic. The browser test
and the fuzzing test drive that same process end to end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import requests

from bot.core.config import CONSOLE_VENV, console_python
from tests.support.paths import ROOT
from tests.support.servers import start_console
from tests.support.settings import TEST_REDIS_URL

FIXED = (3, 13, 4)


def _in_console_env(code: str) -> dict:
    done = subprocess.run([console_python(), "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_make_setup_built_the_consoles_environment_and_the_console_runs_on_it(monkeypatch):
    monkeypatch.delenv("CONSOLE_PYTHON", raising=False)
    assert console_python() == str(CONSOLE_VENV / "bin" / "python")
    assert console_python() != sys.executable
    monkeypatch.setenv("CONSOLE_PYTHON", "/opt/console/bin/python")  # the image's
    assert console_python() == "/opt/console/bin/python"


def test_its_aiohttp_is_past_the_advisories_and_rasa_is_not_there():
    found = _in_console_env(
        "import json, importlib.util, aiohttp;"
        "print(json.dumps({'aiohttp': aiohttp.__version__,"
        " 'rasa': importlib.util.find_spec('rasa') is not None,"
        " 'sanic': importlib.util.find_spec('sanic') is not None}))")
    assert tuple(int(p) for p in found["aiohttp"].split(".")[:3]) >= FIXED, found
    assert not found["rasa"] and not found["sanic"], found


def test_the_console_and_both_senders_load_there_without_rasa_or_sanic():
    loaded = _in_console_env(
        "import json, sys, asyncio\n"
        "import bot.console.server\n"
        "from bot.delivery import DirectDelivery\n"
        "delivery = DirectDelivery(None, 'x')\n"
        "kinds = sorted(type(delivery.output(c)).__name__ for c in ('sms', 'telegram'))\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'rasa', 'sanic', 'tensorflow'})\n"
        "print(json.dumps({'outputs': kinds, 'heavy': heavy}))")
    assert loaded == {"outputs": ["SmsSender", "TelegramSender"], "heavy": []}


def test_the_console_process_serves_on_the_fixed_aiohttp(tmp_path):
    prefix = f"{uuid.uuid4().hex[:8]}v"
    env = dict(os.environ, REDIS_URL=TEST_REDIS_URL, LIEN_KEY_PREFIX=prefix,
               RASA_URL="http://127.0.0.1:9", TWILIO_ACCOUNT_SID="", TELEGRAM_BOT_TOKEN="")
    env.pop("CONSOLE_PYTHON", None)
    process, url = start_console(env, tmp_path / "console.log")
    try:
        health = requests.get(f"{url}/health", timeout=10)
        assert health.status_code == 200
        login = requests.get(f"{url}/login", timeout=10)
        assert login.status_code == 200 and 'name="csrf"' in login.text
        with open(f"/proc/{process.pid}/cmdline", "rb") as cmdline:
            argv = cmdline.read().split(b"\0")
        assert argv[0].decode() == console_python()
        server = health.headers.get("Server", "")
        if "aiohttp/" in server:  # aiohttp names itself unless the console hides it
            version = server.split("aiohttp/")[1].split()[0]
            assert tuple(int(p) for p in version.split(".")[:3]) >= FIXED, server
    finally:
        process.terminate()
        process.wait(timeout=15)
