"""The test run's settings: Redis, key prefix, tokens and the doubles' credentials.

Importing this module (tests/conftest.py does, before any test module) sets the
environment the product reads, so every process the tests start shares it.
"""

from __future__ import annotations

import os
import uuid

from tests.support.paths import ROOT

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Every test run writes under its own key prefix: no flush, no collisions.
TEST_PREFIX = os.environ.setdefault("LIEN_TEST_PREFIX", f"lientest{uuid.uuid4().hex[:8]}")

os.environ.setdefault("REDIS_URL", TEST_REDIS_URL)
os.environ["LIEN_KEY_PREFIX"] = TEST_PREFIX
os.environ.setdefault("LIEN_VAR_DIR", str(ROOT / "var" / "test"))
# Rasa's API and the REST channel always require a token: the tests use this one.
RASA_TOKEN = os.environ.setdefault("RASA_TOKEN", "test-rasa-token-0123456789")
AUTH = {"token": RASA_TOKEN}

TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "test-twilio-token"
TWILIO_FROM = "+33700000000"

TELEGRAM_TOKEN = "123456:test-telegram-token"
TELEGRAM_SECRET = "test-telegram-secret"
