"""The sandbox: ``make run`` without provider credentials runs the whole loop offline.

When none of ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, ``TWILIO_FROM_NUMBER``,
``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_SECRET_TOKEN`` is set, ``python -m bot run``
starts a local server that speaks the Twilio and Telegram APIs (the same stand-ins
the tests use: ``twilio_api.py``, ``telegram_api.py``), and points every service
at it with made-up credentials. Every SMS and Telegram message the service would
have sent (alerts included) is kept there and listed at ``/_messages``, which the
listener console shows (``/sandbox``). With real credentials none of this runs.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple

from bot.core.config import load_settings

CREDENTIALS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER",
               "TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN")
# Made up: they open nothing anywhere but in the sandbox.
TWILIO_SID = "AC" + "5a" * 16
TWILIO_TOKEN = "sandbox-twilio-token"
TWILIO_FROM = "+33700000000"
TELEGRAM_TOKEN = "100000:sandbox-telegram-token"
TELEGRAM_SECRET = "sandbox-telegram-secret"
# Where the console finds the sandbox (set only in sandbox mode).
URL_VARIABLE = "LIEN_SANDBOX_URL"


def wanted(environ: Mapping[str, str]) -> bool:
    """Sandbox mode: no provider credential at all is set."""
    return not any(environ.get(name, "").strip() for name in CREDENTIALS)


def environment(url: str) -> Dict[str, str]:
    """What the services need to send to the sandbox instead of the providers."""
    return {
        "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": TWILIO_FROM, "TWILIO_API_URL": f"{url}/twilio",
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": f"{url}/telegram", URL_VARIABLE: url,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(log_dir: Path, port: Optional[int] = None,
          timeout: float = 30) -> Tuple[subprocess.Popen, str]:
    """Start ``python -m bot.sandbox`` (its log: ``sandbox.log``); (process, url)."""
    import requests

    log_dir.mkdir(parents=True, exist_ok=True)
    port = port or load_settings().sandbox_port or _free_port()
    log = open(log_dir / "sandbox.log", "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.sandbox", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[2], stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"{url}/_messages", timeout=1).ok:
                return process, url
        except requests.RequestException:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"sandbox not started on {url} (see {log_dir / 'sandbox.log'})")
