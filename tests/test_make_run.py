"""`make run`'s program: embedded Redis, both servers, and the terminal chat."""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
import time

import pytest
import redis as syncredis

from tests.conftest import ROOT, _free_port

pytestmark = pytest.mark.e2e


def _read_until(process, pattern, timeout):
    """Read the process's output until a line matches; return all lines read."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not selector.select(timeout=1):
            if process.poll() is not None:
                break
            continue
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if re.search(pattern, line):
            return lines
    raise AssertionError(f"no line matching {pattern!r} in: {lines[-30:]}")


def test_run_chats_and_escalates_on_embedded_redis(trained_model, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "LIEN_KEY_PREFIX")}
    env.update(LIEN_VAR_DIR=str(tmp_path), RASA_PORT=str(_free_port()),
               ACTION_PORT=str(_free_port()), PYTHONUNBUFFERED="1")
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
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not embedded.xlen("lien:escalations"):
            time.sleep(0.2)
        ((_, record),) = embedded.xrange("lien:escalations")
        assert record["category"] == "suicide"
        assert record["sender_id"] == "terminal:test"
        process.stdin.close()  # Ctrl-D: the chat ends and everything stops
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
