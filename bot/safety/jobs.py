"""The safety jobs of the worker: escalations become cases, due alerts page the
on-call roster, watch cases reach the referents' digest.
"""

from __future__ import annotations

import logging

from bot.core.ports import JobContext
from bot.core.redisx import LeasedQueue
from bot.safety import alerts, cases
from bot.safety.digest import send_daily

logger = logging.getLogger(__name__)


def alert_queue(ctx: JobContext) -> LeasedQueue:
    """The leased queue of due pages."""
    keys = cases.CaseKeys(ctx.prefix)
    return LeasedQueue(ctx.redis, keys.alerts("due"), keys.alerts("leased"),
                       keys.alerts("lease_due"), keys.alerts("lease_owner"))


async def work_cases(ctx: JobContext) -> int:
    """Worker job: escalations become cases; due alerts go to the on-call roster."""
    now = ctx.now()
    # No "group ready" flag: consume creates the group whenever it is missing
    # (a Redis restarted empty loses it; a cached flag would never see that).
    handled = await cases.consume(ctx.redis, ctx.prefix, ctx.token, now)
    await cases.expire_claims(ctx.redis, ctx.prefix, now)
    await cases.raise_unanswered_questions(ctx.redis, ctx.prefix, now,
                                           ctx.settings.watch_answer_seconds)
    pages = alert_queue(ctx)
    for member, _due in await pages.claim(now, now + ctx.settings.lease_seconds, 50,
                                          ctx.token):
        try:
            # Schedules the next tier itself: at the ladder's delay, or at once
            # when this page reached nobody.
            page = await alerts.send_alert(ctx.redis, ctx.prefix, member,
                                           ctx.alert_output(), now)
        except Exception:  # noqa: BLE001 - retried when the lease expires
            logger.exception("alert %s not sent; retried after the lease", member)
            continue
        if page.failed:
            # Left leased: once the lease passes, the recipients the providers
            # refused are paged again (those reached are not).
            logger.error("alert %s: %d recipient(s) refused by the providers; "
                         "tried again after the lease", member, page.failed)
            continue
        await pages.complete(member, ctx.token, None)
        ctx.stats.alerts += 1
        handled += 1
    return handled


async def send_digest(ctx: JobContext) -> int:
    """Worker job: the referents' daily digest of watch cases, by one worker a day."""
    try:
        return await send_daily(ctx.redis, ctx.prefix, ctx.alert_output(), ctx.now(),
                                ctx.token, ctx.settings.lease_seconds)
    except Exception:  # noqa: BLE001 - finished by the next worker after the lease
        logger.exception("daily digest not finished; taken up after the lease")
        return 0
