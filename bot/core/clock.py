"""The time Lien runs on: the real clock, or a shifted one for tests and drills.

``LIEN_CLOCK_START`` (ISO 8601 with an offset, e.g. ``2026-03-29T07:29:00+00:00``)
makes :func:`now` start there and run at normal speed from the moment the
process started. Every scheduling decision reads :func:`now`, so a test can run
real worker processes "on" a daylight-saving morning without touching the
machine's clock.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from bot.core.config import load_settings

_START = load_settings().clock_start
_OFFSET = 0.0
if _START:
    _OFFSET = datetime.fromisoformat(_START).timestamp() - time.time()


def now() -> float:
    """Seconds since the epoch (UTC), possibly shifted by ``LIEN_CLOCK_START``."""
    return time.time() + _OFFSET


def utcnow() -> datetime:
    """:func:`now` as an aware UTC datetime."""
    return datetime.fromtimestamp(now(), tz=timezone.utc)
