"""Small stand-ins shared by the worker tests."""

from __future__ import annotations


class Clock:
    """A clock the test moves (``clock.ts += 60``)."""

    def __init__(self, ts: float) -> None:
        self.ts = ts

    def __call__(self) -> float:
        return self.ts


class NoCheckins:
    """A delivery for tests of cases and alerts: a check-in would be a bug."""

    async def send(self, *args) -> None:  # pragma: no cover - no check-ins here
        raise AssertionError("no check-in expected")
