"""``python -m bot worker``: N workers in one process until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import resource
import signal

import redis.asyncio as aioredis

from bot.checkins.ladder import LADDER_FILE, LadderError, ladder
from bot.core.wording import say
from bot.delivery import DirectDelivery, make_delivery
from bot.safety.roster import RosterError, roster, roster_path
from bot.worker.loop import Worker
from bot.worker.settings import WorkerSettings


def rss_kib() -> int:
    """Resident memory of this process (KiB)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def install_fast_loop() -> None:
    """Uvloop (already installed with Sanic) when available: about twice the speed."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is pinned, but stay portable
        return
    uvloop.install()


async def serve(redis_url: str, prefix: str, settings: WorkerSettings,
                workers: int = 1) -> None:
    """Run ``workers`` workers in this process until SIGTERM or SIGINT."""
    try:
        # Never start paging from a roster with a typo: it would page nobody, or a
        # stranger. (Once running, a bad edit is refused and the last good one kept.)
        roster()
    except RosterError as error:
        raise SystemExit(say("roster.refused_at_start", path=roster_path(), why=error)) from error
    try:
        ladder()  # the ladder after a silence, validated before the first step
    except (LadderError, OSError) as error:
        raise SystemExit(say("ladder.refused_at_start", path=LADDER_FILE, why=error)) from error
    redis = aioredis.from_url(redis_url, socket_timeout=10)
    delivery = make_delivery(settings.delivery, redis, prefix)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if hasattr(delivery, "warm"):
        await delivery.warm()
    # Alerts go straight to the providers: their clients are made now, not when
    # the first risk comes in (that first import and set-up took about a second).
    alerts = delivery if isinstance(delivery, DirectDelivery) else \
        DirectDelivery(redis, prefix)
    if alerts is not delivery:
        await alerts.warm()
    print(say("worker.started", mode=settings.delivery, workers=workers,
              batch=settings.batch), flush=True)
    try:
        await asyncio.gather(*(Worker(redis, prefix, delivery, settings,
                                      alert_delivery=alerts).run(stop)
                               for _ in range(workers)))
    finally:
        await delivery.close()
        if alerts is not delivery:
            await alerts.close()
        await redis.close()
