"""Free ports and the processes the tests start: the doubles, the console."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict

import requests

from bot.core.config import console_python
from tests.support.paths import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def add_console_user(env: Dict[str, str], login: str, role: str, password: str,
                     name: str = "") -> None:
    """``python -m bot users add`` with the password on standard input."""
    added = subprocess.run(
        [sys.executable, "-m", "bot", "users", "add", login, "--role", role,
         "--name", name or login, "--password-stdin"], input=password + "\n", text=True,
        capture_output=True, cwd=ROOT, env=env, timeout=60)
    assert added.returncode == 0, added.stderr


def start_console(env: Dict[str, str], log_path: Path) -> tuple:
    """``python -m bot console`` on a free port, on the console's own environment
    (as ``make run`` and compose start it), logging to a file; (process, url)."""
    port = _free_port()
    process = subprocess.Popen(
        [console_python(), "-m", "bot", "console", "--port", str(port)], cwd=ROOT,
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
