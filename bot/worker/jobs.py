"""The worker's table of jobs: each feature registers what runs at every round,
in this order (arq's ``cron_jobs``, rapidpro's beat schedule). A job takes the
worker as its context (``bot.core.ports.JobContext``) and returns how much it did.
The check-in wave runs after them (``bot/checkins/send.py``).
"""

from __future__ import annotations

from typing import Awaitable, Callable, List, Tuple

from bot.calls.reminders import send_reminders
from bot.checkins.circle_jobs import ask_agreements, weekly_reassurance
from bot.checkins.consent import ask_consent
from bot.checkins.ladder import work_ladder
from bot.checkins.missed import expire_unanswered
from bot.people.privacy import purge_job
from bot.safety.jobs import send_digest, work_cases

Job = Callable[..., Awaitable[int]]

# Cases and alerts first: a risk never waits behind a wave of check-ins.
JOBS: List[Tuple[str, Job]] = [
    ("work_cases", work_cases),
    # Silence is a signal: the ladder's steps come right after the alerts.
    ("ladder", work_ladder),
    ("purge", purge_job),
    ("digest", send_digest),
    ("expire_unanswered", expire_unanswered),
    ("send_reminders", send_reminders),
    ("ask_consent", ask_consent),
    ("circle_agreements", ask_agreements),
    ("weekly_reassurance", weekly_reassurance),
]
