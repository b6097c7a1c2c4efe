"""`make run`'s program: embedded Redis, both servers, and the terminal chat."""

from __future__ import annotations

import os
import re
import queue
import subprocess
import sys
import threading
import time

import pytest
import redis as syncredis
import requests

from tests.conftest import ROOT, _free_port

pytestmark = pytest.mark.e2e


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
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "LIEN_KEY_PREFIX")}
    console_port = _free_port()
    env.update(LIEN_VAR_DIR=str(tmp_path), RASA_PORT=str(_free_port()),
               ACTION_PORT=str(_free_port()), CONSOLE_PORT=str(console_port),
               PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--model", trained_model,
         "--sender", "terminal:test"],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, bufsize=1,
    )
    try:
        started = _read_until(process, r"^Prêt", timeout=400)
        (redis_line,) = [l for l in started if l.startswith("Redis intégré")]
        socket_url = redis_line.split(" : ", 1)[1].strip()
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
        # The console runs too: its address and a first account were printed.
        console_url = f"http://127.0.0.1:{console_port}"
        assert f"Console des écoutants : {console_url}" in started
        (account,) = [l for l in started if l.startswith("Compte de démonstration")]
        password = re.search(r"mot de passe « ([^ »]+) »", account).group(1)
        browser = requests.Session()
        token = re.search(r'name="csrf" value="([^"]+)"',
                          browser.get(f"{console_url}/login", timeout=10).text).group(1)
        logged = browser.post(f"{console_url}/login", data={
            "csrf": token, "login": "admin", "password": password}, timeout=10)
        assert logged.url.endswith("/queue")
        deadline, cases = time.monotonic() + 30, []
        while time.monotonic() < deadline and not cases:
            cases = browser.get(f"{console_url}/api/queue", timeout=10).json()["cases"]
            time.sleep(0.3)
        assert cases and cases[0]["category"] == "suicide"  # the worker made the case
        process.stdin.close()  # Ctrl-D: the chat ends and everything stops
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
