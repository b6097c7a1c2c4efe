"""The worker's settings (``CHECKIN_*`` and friends, see the README's table) and
the counts of what it did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict

from bot.people.registry import DEFAULT_QUIET
from bot.core.config import worker_env


@dataclass
class WorkerSettings:
    """The worker's settings, from the environment."""

    delivery: str = "rasa"
    batch: int = 200
    concurrency: int = 50
    lease_seconds: float = 120.0
    grace_seconds: float = 90 * 60
    quiet_hours: str = DEFAULT_QUIET
    missed_threshold: int = 2
    answer_window_seconds: float = 3 * 3600
    rate_per_second: float = 0.0
    poll_seconds: float = 1.0
    reminder_minutes: int = 60
    retry_seconds: float = 60.0
    settle_seconds: float = 90.0
    retention_days: float = 90.0
    # The uncertain band: a direct question left unanswered this long raises
    # the watch case to high and pages (bot/safety/cases.py, raise_unanswered_questions).
    watch_answer_seconds: float = 30 * 60

    @classmethod
    def from_env(cls) -> "WorkerSettings":
        """Read ``CHECKIN_*`` variables (see the README's configuration table)."""
        env = worker_env().get
        return cls(
            delivery=env("CHECKIN_DELIVERY", "rasa") or "rasa",
            batch=int(env("CHECKIN_BATCH", "200")),
            concurrency=int(env("CHECKIN_CONCURRENCY", "50")),
            lease_seconds=float(env("CHECKIN_LEASE_SECONDS", "120")),
            grace_seconds=float(env("CHECKIN_GRACE_MINUTES", "90")) * 60,
            quiet_hours=env("QUIET_HOURS", DEFAULT_QUIET) or DEFAULT_QUIET,
            missed_threshold=int(env("MISSED_CHECKINS_ALERT", "2")),
            answer_window_seconds=float(env("CHECKIN_ANSWER_WINDOW_MINUTES", "180")) * 60,
            rate_per_second=float(env("CHECKIN_RATE_PER_SECOND", "0") or 0),
            poll_seconds=float(env("WORKER_POLL_SECONDS", "1")),
            reminder_minutes=int(env("CALL_REMINDER_MINUTES", "60")),
            settle_seconds=float(env("CHECKIN_SETTLE_SECONDS", "90")),
            retention_days=float(env("RETENTION_DAYS", "90")),
            watch_answer_seconds=float(env("WATCH_ANSWER_MINUTES", "30")) * 60,
        )


@dataclass
class WaveStats:
    """Counts of what the worker did (for logs and the benchmark)."""

    sent: int = 0
    skipped: Dict[str, int] = field(default_factory=dict)
    failed: int = 0
    missed: int = 0
    no_news: int = 0
    reminders: int = 0
    alerts: int = 0

    def skip(self, reason: str) -> None:
        """Count a skipped check-in."""
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
