"""The scheduler worker: a loop over a table of jobs that the features register.

``python -m bot worker`` runs it (``bot/worker/serve.py``); any number of
workers on any number of machines share the work through Redis. Each round
runs every job of ``bot/worker/jobs.py`` (cases and alerts first), then one
wave of check-ins (``bot/checkins/send.py``). An idle worker **wakes up as soon
as an escalation lands** (``XREAD BLOCK`` on the stream from the last entry it
saw), so an alert never waits for the poll.

Delivery goes **through Rasa** by default, or straight to the provider with
``CHECKIN_DELIVERY=direct`` (``bot/delivery.py``); alerts and volunteers'
reminders always go straight to the provider.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

from bot.checkins import send as checkin_send
from bot.core import clock
from bot.core.records import WavePerson
from bot.core.redisx import Pacer, s
from bot.delivery import DirectDelivery, rasa_delivery
from bot.people.registry import Keys
from bot.safety.escalation import EscalationKeys
from bot.worker.jobs import JOBS
from bot.worker.settings import WaveStats, WorkerSettings

logger = logging.getLogger(__name__)

# An idle worker waits for new escalations in blocks of at most this (XREAD BLOCK).
MAX_BLOCK_SECONDS = 5.0


class Worker:
    """One scheduler worker (run as many as you like); the jobs' context (ctx)."""

    def __init__(
        self,
        redis: Any,
        prefix: str,
        delivery: Any,
        settings: Optional[WorkerSettings] = None,
        now: Callable[[], float] = clock.now,
        name: str = "",
        alert_delivery: Optional[DirectDelivery] = None,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.keys = Keys(prefix)
        self.delivery = delivery
        self.settings = settings or WorkerSettings()
        self.now = now
        self.token = name or f"{os.uname().nodename}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.pacer = Pacer(self.settings.rate_per_second, redis, self.keys.checkin_rate)
        self.stats = WaveStats()
        self.checkins = checkin_send.checkin_queue(redis, prefix)
        self.escalations = EscalationKeys(prefix).stream
        self._alert_delivery = alert_delivery
        self._rasa: Any = None
        self._jobs: Dict[str, Any] = dict(JOBS)

    # -- the check-in queue --------------------------------------------------------
    async def claim(self) -> List[Tuple[str, float]]:
        """Atomically lease a batch of due check-ins."""
        now = self.now()
        return await self.checkins.claim(now, now + self.settings.lease_seconds,
                                         self.settings.batch, self.token)

    async def complete(self, member: str, next_ts: Optional[float]) -> bool:
        """Release a lease we hold, scheduling the next occurrence."""
        return await self.checkins.complete(member, self.token, next_ts)

    async def handle(self, member: str, due: float, person: WavePerson) -> str:
        """Decide, then send one check-in; return what happened."""
        return await checkin_send.handle(self, member, due, person)

    # -- one round -------------------------------------------------------------------
    async def tick(self) -> int:
        """Do one round: every job of the table, then one batch of check-ins."""
        for _name, job in JOBS:
            await job(self)
        return await checkin_send.send_wave(self)

    async def job(self, name: str) -> int:
        """Run one job of the table by name (tests and the console use it)."""
        return await self._jobs[name](self)

    async def work_cases(self) -> int:
        """Escalations become cases; due alerts go to the on-call roster."""
        return await self.job("work_cases")

    async def expire_unanswered(self) -> int:
        """Check-ins whose answer window passed count as missed."""
        return await self.job("expire_unanswered")

    async def ask_consent(self) -> int:
        """Someone new whose first messages did not lead to the consent question."""
        return await self.job("ask_consent")

    async def send_reminders(self) -> int:
        """Call reminders due now."""
        return await self.job("send_reminders")

    def rasa_delivery(self) -> Any:
        """What only Rasa can say (a domain response with buttons) goes through Rasa."""
        if not isinstance(self.delivery, DirectDelivery):
            return self.delivery
        if self._rasa is None:
            self._rasa = rasa_delivery()
        return self._rasa

    def alert_output(self) -> DirectDelivery:
        """Alerts go straight to the providers, whatever the check-in delivery."""
        if isinstance(self.delivery, DirectDelivery):
            return self.delivery
        if self._alert_delivery is None:
            self._alert_delivery = DirectDelivery(self.redis, self.prefix)
        return self._alert_delivery

    # -- loop -----------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set; idle rounds end early when an escalation lands."""
        while not stop.is_set():
            try:
                # Noted before the round: an entry added during it ends the wait.
                since: Optional[str] = await self.last_escalation_id()
            except Exception:  # noqa: BLE001 - Redis blips: the round logs them
                since = None
            try:
                handled = await self.tick()
            except Exception:  # noqa: BLE001 - Redis blips: log, wait, go on
                logger.exception("worker round failed")
                handled = 0
            if not handled:
                await self.idle(stop, since)

    async def last_escalation_id(self) -> str:
        """The id of the newest escalation in the stream ("0-0" when there is none)."""
        newest = await self.redis.xrevrange(self.escalations, count=1)
        return s(newest[0][0]) if newest else "0-0"

    async def idle(self, stop: asyncio.Event, since: Optional[str]) -> None:
        """Wait ``poll_seconds``, or less: until ``stop``, or an escalation after ``since``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.poll_seconds
        stopped = asyncio.ensure_future(stop.wait())
        try:
            while since is not None and not stop.is_set():
                left = deadline - loop.time()
                if left <= 0:
                    return
                # Short blocks stay under the client's socket timeout (10 s in serve).
                block_ms = max(1, int(min(left, MAX_BLOCK_SECONDS) * 1000))
                read = asyncio.ensure_future(self.redis.xread(
                    {self.escalations: since}, count=1, block=block_ms))
                await asyncio.wait({read, stopped}, return_when=asyncio.FIRST_COMPLETED)
                if not read.done():
                    read.cancel()  # redis-py drops the connection of a cancelled read
                    return
                try:
                    if read.result():
                        return
                except Exception:  # noqa: BLE001 - Redis blip: plain wait below
                    logger.warning("waiting for escalations failed; plain wait")
                    break
            left = deadline - loop.time()
            if left > 0 and not stop.is_set():
                await asyncio.wait({stopped}, timeout=left)
        finally:
            stopped.cancel()
