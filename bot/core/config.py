"""Settings from the environment, each with its embedded default, read once."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RESOURCES = PROJECT_ROOT / "bot" / "resources"
LEXICON_DIR = PROJECT_ROOT / "bot" / "lexicon"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class SmsEnv:
    """The SMS channel (Twilio): credentials, the API's address, sending limits."""

    account_sid: str = ""
    auth_token: str = ""
    from_number: str = ""
    api_url: str = "https://api.twilio.com"
    max_segments: int = 3
    rate_per_second: float = 0.0


@dataclass(frozen=True)
class TelegramEnv:
    """The Telegram channel: the bot's token, the webhook's secret, the API's address."""

    token: str = ""
    secret: str = ""
    api_url: str = "https://api.telegram.org"


@dataclass(frozen=True)
class ConsoleEnv:
    """The listener console."""

    host: str = "127.0.0.1"
    port: int = 8080
    url: str = ""
    secure_cookie: bool = False
    session_hours: float = 12.0
    sandbox_url: str = ""
    python: str = ""


@dataclass(frozen=True)
class Settings:
    """Everything Lien reads from its environment: the one place it is read.

    redis_url: where persons, cases and trackers live (``REDIS_URL``); empty means
        an embedded Redis under ``var/`` started by ``python -m bot run``.
    key_prefix: prefix of every Redis key Lien writes (``LIEN_KEY_PREFIX``).
    rasa_url: the Rasa server's base URL (``RASA_URL``).
    action_port: port of the action server (``ACTION_PORT``).
    var_dir: runtime files: embedded Redis, logs, spool (``LIEN_VAR_DIR``).
    dedupe_ttl_days: how long an escalation's idempotency key is kept.
    rasa_token: the secret Rasa's HTTP API requires (``RASA_TOKEN``); ``make run``
        generates one under ``var/secrets/`` when it is unset.
    rasa_interface: the address the Rasa and action servers listen on
        (``RASA_INTERFACE``, loopback by default; a private network in compose).
    rasa_port, action_endpoint_url, action_host: where ``make run`` puts Rasa
        (``RASA_PORT``), where Rasa finds the actions (``ACTION_ENDPOINT_URL``),
        where the action server listens (``SANIC_HOST``).
    public_url: the service's public address, for the providers' webhooks.
    timezone: the day boundaries of the plan and the console (``LIEN_TIMEZONE``).
    quiet_hours: no message in these local hours (``QUIET_HOURS``).
    call_reminder_minutes: a call reminder this long before (``CALL_REMINDER_MINUTES``).
    roster_file: the on-call roster (``ROSTER_FILE``; the default file otherwise).
    rest_channel: ``off`` closes the REST channel (``REST_CHANNEL``).
    log_level, sandbox_port, clock_start, vectors_path: logging, the local
        provider sandbox's port, a shifted clock for drills (``LIEN_CLOCK_START``),
        the word vectors' file (``LIEN_VECTORS``).
    sms, telegram, console: the channels' and the console's own settings.
    """

    redis_url: str
    key_prefix: str
    rasa_url: str
    action_port: int
    var_dir: Path
    dedupe_ttl_days: int
    rasa_token: str = ""
    rasa_interface: str = "127.0.0.1"
    rasa_port: int = 5005
    action_endpoint_url: str = ""
    action_host: str = "127.0.0.1"
    public_url: str = ""
    timezone: str = "Europe/Paris"
    quiet_hours: str = ""
    call_reminder_minutes: int = 60
    roster_file: str = ""
    rest_channel: str = "on"
    log_level: str = "INFO"
    sandbox_port: int = 0
    clock_start: str = ""
    vectors_path: str = ""
    sms: SmsEnv = field(default_factory=SmsEnv)
    telegram: TelegramEnv = field(default_factory=TelegramEnv)
    console: ConsoleEnv = field(default_factory=ConsoleEnv)


def load_settings() -> Settings:
    """Read the settings from the environment (call once, pass the result on)."""
    return Settings(
        redis_url=_env("REDIS_URL", ""),
        key_prefix=_env("LIEN_KEY_PREFIX", "lien"),
        rasa_url=_env("RASA_URL", "http://127.0.0.1:5005"),
        action_port=int(_env("ACTION_PORT", "5055")),
        var_dir=Path(_env("LIEN_VAR_DIR", str(PROJECT_ROOT / "var"))),
        dedupe_ttl_days=int(_env("LIEN_DEDUPE_TTL_DAYS", "30")),
        rasa_token=_env("RASA_TOKEN", ""),
        rasa_interface=_env("RASA_INTERFACE", "127.0.0.1"),
        rasa_port=int(_env("RASA_PORT", "5005")),
        action_endpoint_url=_env("ACTION_ENDPOINT_URL", ""),
        action_host=_env("SANIC_HOST", "127.0.0.1"),
        public_url=_env("PUBLIC_URL", "").rstrip("/"),
        timezone=_env("LIEN_TIMEZONE", "Europe/Paris"),
        quiet_hours=_env("QUIET_HOURS", ""),
        call_reminder_minutes=int(_env("CALL_REMINDER_MINUTES", "60")),
        roster_file=_env("ROSTER_FILE", ""),
        rest_channel=_env("REST_CHANNEL", "on").lower(),
        log_level=_env("LOG_LEVEL", "INFO"),
        sandbox_port=int(_env("SANDBOX_PORT", "0")),
        clock_start=_env("LIEN_CLOCK_START", ""),
        vectors_path=_env("LIEN_VECTORS", ""),
        sms=SmsEnv(
            account_sid=_env("TWILIO_ACCOUNT_SID", ""),
            auth_token=_env("TWILIO_AUTH_TOKEN", ""),
            from_number=_env("TWILIO_FROM_NUMBER", ""),
            api_url=_env("TWILIO_API_URL", "https://api.twilio.com"),
            max_segments=int(_env("SMS_MAX_SEGMENTS", "3")),
            rate_per_second=float(_env("SMS_RATE_PER_SECOND", "0")),
        ),
        telegram=TelegramEnv(
            token=_env("TELEGRAM_BOT_TOKEN", ""),
            secret=_env("TELEGRAM_SECRET_TOKEN", ""),
            api_url=_env("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/"),
        ),
        console=ConsoleEnv(
            host=_env("CONSOLE_HOST", "127.0.0.1"),
            port=int(_env("CONSOLE_PORT", "8080")),
            url=_env("CONSOLE_URL", "").rstrip("/"),
            secure_cookie=_env("CONSOLE_SECURE_COOKIE", "") == "1",
            session_hours=float(_env("CONSOLE_SESSION_HOURS", "12")),
            sandbox_url=_env("LIEN_SANDBOX_URL", ""),
            python=_env("CONSOLE_PYTHON", ""),
        ),
    )


# The console's own environment (make setup; README, "Dependencies"): Rasa pins
# aiohttp below 3.10, the console's web server runs a fixed aiohttp without Rasa.
CONSOLE_VENV = PROJECT_ROOT / ".venv-console"


def console_python(settings: Optional[Settings] = None) -> str:
    """The interpreter the console runs on: ``CONSOLE_PYTHON``, else the console's
    own environment when ``make setup`` built it, else this one.
    """
    chosen = (settings or load_settings()).console.python
    if chosen:
        return chosen
    own = CONSOLE_VENV / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def worker_env() -> Dict[str, str]:
    """The worker's ``CHECKIN_*`` and related variables as set (bot/worker/settings.py
    turns them into its typed settings with their defaults).
    """
    return {name: value for name, value in os.environ.items()
            if name.startswith(WORKER_PREFIXES) or name in WORKER_NAMES}


WORKER_PREFIXES = ("CHECKIN_",)
WORKER_NAMES = frozenset({"QUIET_HOURS", "MISSED_CHECKINS_ALERT", "WORKER_POLL_SECONDS",
                          "CALL_REMINDER_MINUTES", "RETENTION_DAYS", "WATCH_ANSWER_MINUTES"})


def environment() -> Dict[str, str]:
    """A copy of the whole environment, for the child processes ``make run`` starts
    and for the sandbox's check that no provider credential is set.
    """
    return dict(os.environ)


def ensure_rasa_token(var_dir: Path) -> str:
    """``RASA_TOKEN``, or a secret generated once under ``var/secrets/`` (make run)."""
    token = os.environ.get("RASA_TOKEN", "").strip()
    if token:
        return token
    import secrets

    path = var_dir / "secrets" / "rasa_token"
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token)
    return token
