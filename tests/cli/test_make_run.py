"""`make run`'s program: embedded Redis, both servers, and the terminal chat.

Run as a newcomer runs it: no provider credentials (the sandbox stands in for
Twilio and Telegram), no Redis, no RASA_TOKEN, and a quiet terminal.
"""

from __future__ import annotations

import os
import re
import queue
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
import redis as syncredis
import requests

from bot import sandbox
from tests.support.paths import ROOT
from tests.support.servers import _free_port

pytestmark = pytest.mark.e2e
# What a newcomer's shell has: none of the tests' own settings.
NOT_A_NEWCOMERS = ("REDIS_URL", "LIEN_KEY_PREFIX", "RASA_TOKEN", "PUBLIC_URL",
                   "TWILIO_API_URL", "TELEGRAM_API_URL") + sandbox.CREDENTIALS


def newcomer_env(tmp_path, **more: str) -> dict:
    """The environment of ``make run`` on a fresh machine, on free ports."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_A_NEWCOMERS}
    # make run keeps its RASA_TOKEN under var/secrets. Written here beforehand: a
    # generated one that starts with "-" is taken by rasa run's argument parser
    # for an option (`--auth-token -Xp…`: "expected one argument"), 1 run in 64.
    secrets = tmp_path / "secrets"
    secrets.mkdir(parents=True, exist_ok=True)
    (secrets / "rasa_token").write_text(f"make-run-test-{uuid.uuid4().hex}")
    env.update(LIEN_VAR_DIR=str(tmp_path), RASA_PORT=str(_free_port()),
               ACTION_PORT=str(_free_port()), CONSOLE_PORT=str(_free_port()),
               PYTHONUNBUFFERED="1", **more)
    return env


def assert_quiet(started: list) -> None:
    """Only Lien's own lines before the prompt: no library warnings, no training output."""
    noisy = [line for line in started
             if "Warning" in line or "not used in any story" in line
             or "site-packages" in line or "INFO" in line]
    assert not noisy, noisy[:5]


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C, as a newcomer would: `bot run` stops what it started (a kill would not)."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def log_in(console_url: str, started: list) -> requests.Session:
    """Log in to the console with the demo account printed at start."""
    (account,) = [l for l in started if l.startswith("Compte de démonstration")]
    password = re.search(r"mot de passe « ([^ »]+) »", account).group(1)
    browser = requests.Session()
    token = re.search(r'name="csrf" value="([^"]+)"',
                      browser.get(f"{console_url}/login", timeout=10).text).group(1)
    logged = browser.post(f"{console_url}/login", data={
        "csrf": token, "login": "admin", "password": password}, timeout=10)
    assert logged.url.endswith("/queue")
    return browser


def _read_until(process, pattern, timeout):
    """Read the process's output until a line matches; return all lines read.

    A thread reads the lines (select() on a buffered pipe misses lines that
    arrive together, which the console's start-up lines do).
    """
    if not hasattr(process, "lines"):
        process.lines = queue.Queue()

        def pump():
            for line in process.stdout:
                process.lines.put(line.rstrip("\n"))
            process.lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = process.lines.get(timeout=1)
        except queue.Empty:
            continue
        if line is None:
            break
        lines.append(line)
        if re.search(pattern, line):
            return lines
    raise AssertionError(f"no line matching {pattern!r} in: {lines[-30:]}")


def test_run_chats_and_escalates_on_embedded_redis(trained_model, tmp_path):
    # trained_model: Rasa's cache is warm, so `make run`'s own training is short.
    env = newcomer_env(tmp_path)
    console_port = int(env["CONSOLE_PORT"])
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--sender", "terminal:test"],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, bufsize=1,
    )
    try:
        started = _read_until(process, r"^Prêt", timeout=400)
        # A quiet start: Rasa's training output went to train.log (the data are
        # checked by `make validate`, not at each start).
        assert_quiet(started)
        train_log = tmp_path / "log" / "train.log"
        assert [l for l in started if l.startswith("Entraînement") and str(train_log) in l]
        assert ".tar.gz" in train_log.read_text(errors="replace")  # Rasa's last word: its model
        (redis_line,) = [l for l in started if l.startswith("Redis intégré")]
        socket_url = redis_line.split(" : ", 1)[1].strip()
        # The exact redis-cli command is printed (the socket is in a temporary folder).
        (cli_line,) = [l for l in started if "redis-cli" in l]
        command = shlex.split(cli_line.split(" : ", 1)[1])
        socket_file = socket_url[len("unix://"):].split("?")[0]
        assert command == ["redis-cli", "-s", socket_file, "XRANGE", "lien:escalations",
                           "-", "+"]
        worker_log = tmp_path / "log" / "worker.log"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (
                not worker_log.exists() or "Planificateur lancé" not in worker_log.read_text()):
            time.sleep(0.2)
        assert "Planificateur lancé (rasa)" in worker_log.read_text()  # the worker runs too
        process.stdin.write("jveux en finir\n")
        process.stdin.flush()
        replies = _read_until(process, r"lien> ", timeout=120)
        first_reply = [l for l in replies if "lien> " in l][0]
        assert re.search(r"(?<!\d)3114(?!\d)", first_reply), first_reply
        embedded = syncredis.Redis.from_url(socket_url, decode_responses=True)
        assert embedded.config_get("appendonly")["appendonly"] == "yes"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not embedded.xlen("lien:escalations"):
            time.sleep(0.2)
        ((_, record),) = embedded.xrange("lien:escalations")
        assert record["category"] == "suicide"
        assert record["sender_id"] == "terminal:test"
        if shutil.which("redis-cli"):  # the printed command shows it, as the README says
            shown = subprocess.run(command, capture_output=True, text=True, timeout=10)
            assert "terminal:test" in shown.stdout and "suicide" in shown.stdout
        # The console runs too: its address and a first account were printed.
        console_url = f"http://127.0.0.1:{console_port}"
        assert f"Console des écoutants : {console_url}" in started
        browser = log_in(console_url, started)
        deadline, cases = time.monotonic() + 30, []
        while time.monotonic() < deadline and not cases:
            cases = browser.get(f"{console_url}/api/queue", timeout=10).json()["cases"]
            time.sleep(0.3)
        assert cases and cases[0]["category"] == "suicide"  # the worker made the case
        process.stdin.close()  # Ctrl-D: the chat ends and everything stops
        assert process.wait(timeout=60) == 0
    finally:
        stop(process)


def test_run_without_credentials_sends_everything_to_the_sandbox(trained_model, tmp_path):
    """No TWILIO_*/TELEGRAM_*: alerts reach the local sandbox, listed in the console."""
    sandbox_port = _free_port()
    env = newcomer_env(tmp_path, SANDBOX_PORT=str(sandbox_port))
    console_url = f"http://127.0.0.1:{env['CONSOLE_PORT']}"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--no-chat", "--model", trained_model],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        bufsize=1,
    )
    try:
        started = _read_until(process, r"^Prêt", timeout=400)
        assert_quiet(started)
        assert [l for l in started if l.startswith("Bac à sable")]
        (page_line,) = [l for l in started if l.startswith("Messages envoyés (bac à sable)")]
        page_url = page_line.split(" : ", 1)[1].strip()
        assert page_url == f"{console_url}/sandbox"
        # A risk message through the REST path, with make run's own generated token.
        token = (tmp_path / "secrets" / "rasa_token").read_text().strip()
        reply = requests.post(
            f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook",
            json={"sender": "terminal:sandbox", "message": "jveux en finir"},
            headers={"Authorization": f"Bearer {token}"}, timeout=60)
        assert reply.status_code == 200 and "3114" in reply.text
        # The worker pages tier 1 of the default roster: the SMS lands in the sandbox.
        deadline, alerts = time.monotonic() + 60, []
        while time.monotonic() < deadline and not alerts:
            listing = requests.get(f"http://127.0.0.1:{sandbox_port}/_messages",
                                   timeout=5).json()
            alerts = [m for m in listing
                      if m["channel"] == "sms" and m["to"] == "+33600000101"]
            time.sleep(0.5)
        assert alerts, listing
        assert "/cases/" in "".join(m["text"] for m in alerts)  # the alert's link
        # The console's page shows it.
        page = log_in(console_url, started).get(page_url, timeout=10)
        assert page.status_code == 200
        assert "Messages envoyés (bac à sable)" in page.text
        assert "+33600000101" in page.text and "/cases/" in page.text
        # Nothing failed on the way: no provider error, no traceback in the worker's log.
        worker_log = (tmp_path / "log" / "worker.log").read_text(errors="replace")
        assert "TwilioException" not in worker_log
        assert "Traceback" not in worker_log
        # SIGTERM (a service manager, a closed terminal) stops all it started too.
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{sandbox_port}/_messages", timeout=5)
    finally:
        stop(process)
