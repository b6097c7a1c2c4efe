"""The time Lien runs on: the real clock, or a shifted one for tests and drills.

``LIEN_CLOCK_START`` (ISO 8601 with an offset, e.g. ``2026-03-29T07:29:00+00:00``)
makes :func:`now` start there and run at normal speed from the moment the
process started. Every scheduling decision reads :func:`now`, so a test can run
real worker processes "on" a daylight-saving morning without touching the
machine's clock.

Two more variables, for drills only (``make drill``, tools/drill.py), read here
from the environment (they are not part of the service's settings):

- ``LIEN_CLOCK_SPEED`` (default 1: the clock runs at normal speed): the clock
  runs this many times faster than the machine's, so that a simulated morning
  takes a few minutes. Everything that reads :func:`now` (due times, leases,
  the ladder's delays) follows it; what waits on the machine's clock does not
  (``WORKER_POLL_SECONDS``, Redis expiries, HTTP timeouts).
- ``LIEN_CLOCK_ANCHOR`` (seconds since the epoch, machine time; default: when
  the process started): the machine instant at which the clock reads
  ``LIEN_CLOCK_START``. Processes given the same anchor share one simulated
  clock, whenever each of them started.

Without them nothing changes: :func:`now` is the machine's clock, shifted by
``LIEN_CLOCK_START`` if set.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from bot.core.config import environment, load_settings


def _number(name: str, default: float) -> float:
    raw = environment().get(name, "").strip()
    if not raw:
        return default
    value = float(raw)
    if not value > 0:
        raise ValueError(f"{name} must be a positive number, not {raw!r}")
    return value


_START = load_settings().clock_start
_SPEED = _number("LIEN_CLOCK_SPEED", 1.0)
_ANCHOR = _number("LIEN_CLOCK_ANCHOR", time.time())
_ORIGIN = datetime.fromisoformat(_START).timestamp() if _START else _ANCHOR


def reading(machine: float, origin: float, anchor: float, speed: float = 1.0) -> float:
    """What a clock that read ``origin`` at machine time ``anchor`` and runs
    ``speed`` times as fast reads at machine time ``machine``.
    """
    return origin + (machine - anchor) * speed


def speed() -> float:
    """How many times faster than the machine's this process's clock runs (1 normally)."""
    return _SPEED


def restart() -> None:
    """Read ``LIEN_CLOCK_START`` again from this instant (a shifted clock only):
    the evaluation starts each conversation at its set's reference moment.
    """
    global _ANCHOR
    if _START:
        _ANCHOR = time.time()


def now() -> float:
    """Seconds since the epoch (UTC), possibly shifted by ``LIEN_CLOCK_START``
    (and sped up by ``LIEN_CLOCK_SPEED``).
    """
    if _SPEED == 1.0 and not _START:
        return time.time()  # the machine's clock, exactly
    return reading(time.time(), _ORIGIN, _ANCHOR, _SPEED)


def utcnow() -> datetime:
    """:func:`now` as an aware UTC datetime."""
    return datetime.fromtimestamp(now(), tz=timezone.utc)
