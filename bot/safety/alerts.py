"""Alerts to the on-call roster about open cases (``{p}:alerts:due``, see ``bot/safety/cases.py``).

An alert carries a first name, the level and the category, never the message.
Safety first: a recipient whose alert was in flight when a worker died is
alerted again by the next worker (at worst twice, never not at all). A roster
with an invalid number or Telegram id is never used (``bot/safety/roster.py``); a page
that reached nobody is an error and the next tier is paged at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Any, Optional

from bot.core.ports import RedisClient
from bot.core.records import Case, Person, as_person
from bot.core.redisx import ALREADY_SENT, send_once
from bot.core.wording import raw, say
from bot.safety.cases import CaseKeys, _s, get_case
from bot.safety.digest import send_at_once
from bot.safety.roster import console_link, roster, send_to_contact

logger = logging.getLogger(__name__)


def alert_text(case: Case, person: Person, minutes: int,
               during: bool = False) -> str:
    """The alert: first name, level, category and a link; never the message."""
    link = console_link(f"/cases/{case['id']}")
    values = dict(
        level_word=raw("alerts.levels").get(case["level"], case["level"]),
        category_word=raw("alerts.categories").get(case["category"], case["category"]),
        first_name=person.get("first_name") or say("alerts.someone"),
        link=link, minutes=minutes,
    )
    if during:
        return say("alerts.during", listener=case.get("claimed_by", ""), **values)
    return say("alerts.again" if minutes else "alerts.new", **values)


@dataclass
class Page:
    """What one alert did: how many of the tier it reached, and what comes next."""

    reached: int = 0
    members: int = 0
    failed: int = 0  # recipients whose providers refused: tried again after the lease
    next_tier: Optional[int] = None
    next_due: Optional[float] = None


def _next_key(keys: CaseKeys, case_id: str, round_: str, tier: int) -> str:
    """Set once the tier after ``tier`` is scheduled for this round (never twice)."""
    return f"{keys.alert_sent(case_id, round_, tier, 0)}:next"


async def send_alert(redis: RedisClient, prefix: str, member: str, delivery: Any,
                     now: float) -> Page:
    """Alert one tier about one case; say how many it reached and when the next tier is due.

    ``case:{id}:{tier}`` pages a tier about a pending case; ``join:{id}:{escalation}``
    tells tier 1 that a case being handled received a new risk message;
    ``referent:{id}:0`` sends a new watch case to the person's referent.

    A page that reaches nobody (every provider refused, or no contact) is logged
    as an error and the next tier is due at once, past the ladder's end if need
    be; otherwise at the ladder's delay. Each recipient is sent to once per
    round; those whose providers refused are counted in ``failed``.
    """
    keys = CaseKeys(prefix)
    kind, case_id, tier_text = member.split(":", 2)
    if kind == "referent":
        sent = await send_at_once(redis, prefix, case_id, delivery, now)
        return Page(reached=sent, members=sent)
    joined = kind == "join"
    tier = 0 if joined else int(tier_text)
    case = await get_case(redis, prefix, case_id)
    if not case or (case["status"] != "pending" and not joined) or \
            (joined and case["status"] == "resolved"):
        return Page()
    data = roster()
    ladder = data["ladder"].get(case["level"]) or [0]
    # The ladder says when each tier is paged; a tier past its end is paged only
    # when the one before reached nobody (scheduled below).
    if tier >= len(data["tiers"]):
        return Page()
    person = as_person({_s(k): _s(v) for k, v in
                        (await redis.hgetall(keys.person(case["person_id"]))).items()})
    minutes = int((now - float(case["created_ts"])) // 60) if tier else 0
    text = alert_text(case, person, minutes, during=joined)
    round_ = f"join-{tier_text}" if joined else case.get("alert_round", "0")
    members = data["tiers"][tier]["members"]
    page = Page(members=len(members))
    for index, member_info in enumerate(members):
        sent_key = keys.alert_sent(case_id, round_, tier, index)
        try:
            got = await send_once(redis, sent_key,
                                  partial(send_to_contact, delivery, member_info, text),
                                  now, 7 * 86400)
        except Exception:  # noqa: BLE001 - the others are paged all the same
            logger.exception("case %s: the page of tier %d did not reach member %d (%s)",
                             case_id, tier, index + 1, member_info.get("name", ""))
            page.failed += 1
            continue
        if got is ALREADY_SENT or got:
            page.reached += 1
        else:
            logger.error("case %s: tier %d member %d (%s) has no phone and no Telegram",
                         case_id, tier, index + 1, member_info.get("name", ""))
    what = "new risk message of a claimed case" if joined else "case"
    if page.reached:
        await redis.hset(keys.case(case_id), mapping={"alerted_tier": str(tier),
                                                      "alerted_ts": f"{now:.3f}"})
        logger.warning("%s %s (%s) paged tier %d: %d of %d reached", what, case_id,
                       case["level"], tier, page.reached, page.members)
    else:
        logger.error("%s %s (%s): the page of tier %d reached nobody (%d member(s), "
                     "%d refused by the providers); %s", what, case_id, case["level"], tier,
                     page.members, page.failed,
                     "the next tier is paged at once" if tier + 1 < len(data["tiers"])
                     else "there is no further tier")
    if joined or tier + 1 >= len(data["tiers"]):
        return page
    if page.reached == 0:
        page.next_tier, page.next_due = tier + 1, now
    elif tier + 1 < len(ladder):
        page.next_tier = tier + 1
        page.next_due = float(case["created_ts"]) + int(ladder[tier + 1]) * 60
    if page.next_tier is not None:
        scheduled = _next_key(keys, case_id, round_, tier)
        if await redis.exists(scheduled):
            page.next_tier = page.next_due = None  # a retry of this tier: done already
        else:
            await redis.zadd(keys.alerts("due"),
                             {f"case:{case_id}:{page.next_tier}": page.next_due})
            await redis.set(scheduled, f"{page.next_due:.3f}", ex=7 * 86400)
    return page
