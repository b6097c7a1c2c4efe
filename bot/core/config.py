"""Settings from the environment, each with its embedded default, read once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RESOURCES = PROJECT_ROOT / "bot" / "resources"
LEXICON_DIR = PROJECT_ROOT / "bot" / "lexicon"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    """Everything Lien reads from its environment.

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
    """

    redis_url: str
    key_prefix: str
    rasa_url: str
    action_port: int
    var_dir: Path
    dedupe_ttl_days: int
    rasa_token: str = ""
    rasa_interface: str = "127.0.0.1"


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
    )


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
