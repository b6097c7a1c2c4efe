"""Watch cases and requests for the referent social workers: a daily digest, or at once.

A person's ``referent`` is free text (a name); the roster file's ``referents:``
section maps names (case and spacing aside) to a phone and/or a Telegram chat.
Once a day at ``digest.time`` (local time in ``digest.timezone``) each referent
with open ``watch`` cases or requests gets one message: how many people, each by
first name, category and how long the case has been open, and the queue's link;
never a message's text, never a phone number. Cases of people whose referent is
unknown (or missing from the roster) go to tier 1 of the roster. With
``digest.immediate: true`` each new watch case or request also goes to its
referent at once (``referent:{id}:0`` in the alert schedule, once per case).

One worker sends a day's digest: ``{p}:digest:{day}`` holds its lease (against
the worker's clock) while it works, then ``done``. Each recipient's message has
its own ``sending``/``sent`` key, so the next worker finishes the work of one
that died: a recipient may get it twice, never not at all.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Dict, List, Tuple

from bot.core.config import load_settings
from bot.core.keys import digest_day
from bot.core.ports import RedisClient
from bot.core.records import Case, Person, as_person
from bot.core.redisx import ALREADY_SENT, send_once
from bot.core.sms_text import split_segments
from bot.core.wording import raw, say
from bot.people.registry import zone
from bot.safety.cases import CaseKeys, _s, get_case, queue
from bot.safety.roster import console_link, referent_key, roster, send_to_contact

logger = logging.getLogger(__name__)

DIGEST_LEVELS = ("watch", "request")
MAX_LISTED = 10
DONE_TTL = 3 * 86400

_TAKE_DAY = """
local v = redis.call('GET', KEYS[1])
if v then
  if v == 'done' then return 0 end
  local until_ = tonumber(string.match(v, '|([^|]+)$'))
  if until_ and until_ > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2] .. '|' .. ARGV[3], 'EX', tonumber(ARGV[4]))
return 1
"""

Recipient = Tuple[str, List[Dict[str, str]], bool]


def recipient_for(person: Person) -> Recipient:
    """Who follows this person: (recipient id, contacts, whether it is the tier 1 fallback)."""
    data = roster()
    name = person.get("referent", "")
    contact = data["referents"].get(referent_key(name)) if name.strip() else None
    if contact and (contact["phone"] or contact["telegram"]):
        return f"referent:{referent_key(name)}", [contact], False
    return "tier1", list(data["tiers"][0]["members"]) if data["tiers"] else [], True


def age_words(seconds: float) -> str:
    """How long a case has been open: "40 min", "5 h", "2 j"."""
    ages = raw("digest.ages")
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return ages["minutes"].format(n=minutes)
    if minutes < 48 * 60:
        return ages["hours"].format(n=minutes // 60)
    return ages["days"].format(n=minutes // 1440)


def person_line(case: Case, person: Person, now: float) -> str:
    """One person in a digest: first name, category, age of the case."""
    return say(
        "digest.claimed" if case.get("status") == "claimed" else "digest.person",
        first_name=person.get("first_name") or say("alerts.someone"),
        category_word=raw("alerts.categories").get(case["category"], case["category"]),
        age=age_words(now - float(case.get("created_ts") or now)),
    )


def fits_in_sms(text: str) -> bool:
    """Whether the SMS channel sends the text whole (SMS_MAX_SEGMENTS, nothing cut)."""
    return len(split_segments(text, 1000)) <= load_settings().sms.max_segments


def digest_text(lines: List[str], tier1: bool, local: datetime) -> str:
    """One recipient's digest: the most urgent first, as many named as fit in an SMS."""
    separator = say("digest.separator")
    text = ""
    for shown in range(min(len(lines), MAX_LISTED), 0, -1):
        people = separator.join(lines[:shown])
        if shown < len(lines):
            people += separator + say("digest.more", count=len(lines) - shown)
        text = say("digest.orphans" if tier1 else "digest.referent",
                   date=say("digest.date", day=local.day, month=local.month),
                   count=len(lines), people=people, link=console_link("/queue"))
        if fits_in_sms(text):  # the queue's link, at the end, must never be cut off
            break
    return text


async def _person(redis: RedisClient, prefix: str, person_id: str) -> Person:
    found = await redis.hgetall(CaseKeys(prefix).person(person_id))
    return as_person({_s(k): _s(v) for k, v in found.items()})


async def _send_once(redis: RedisClient, key: str, delivery: Any, contact: Dict[str, str],
                     text: str, now: float) -> bool:
    async def send() -> bool:
        await send_to_contact(delivery, contact, text)
        return True  # the digest counts as sent even to a contact without a channel

    return await send_once(redis, key, send, now, DONE_TTL) is not ALREADY_SENT


async def send_daily(redis: RedisClient, prefix: str, delivery: Any, now: float, token: str,
                     lease_seconds: float = 120.0) -> int:
    """Send today's digest if its time has come and nobody did; return messages sent."""
    settings = roster()["digest"]
    local = datetime.fromtimestamp(now, zone(settings["timezone"]))
    if local.strftime("%H:%M") < settings["time"]:
        return 0
    day_key = digest_day(prefix, local.date().isoformat())
    if not await redis.eval(_TAKE_DAY, 1, day_key, repr(now), token,
                            repr(now + lease_seconds), str(DONE_TTL)):
        return 0
    groups: Dict[str, Tuple[List[Dict[str, str]], bool, List[str]]] = {}
    for case in await queue(redis, prefix, limit=5000):
        if case.get("level") not in DIGEST_LEVELS:
            continue  # critical and high cases page the roster instead
        person = await _person(redis, prefix, case["person_id"])
        recipient, contacts, tier1 = recipient_for(person)
        groups.setdefault(recipient, (contacts, tier1, []))[2].append(
            person_line(case, person, now))
    sent = 0
    for recipient, (contacts, tier1, lines) in groups.items():
        text = digest_text(lines, tier1, local)
        for index, contact in enumerate(contacts):
            key = f"{day_key}:{recipient}:{index}"
            sent += await _send_once(redis, key, delivery, contact, text, now)
    await redis.set(day_key, "done", ex=DONE_TTL)
    if groups:
        logger.warning("daily digest: %d message(s) to %d recipient(s)", sent,
                       len(groups))
    return sent


async def send_at_once(redis: RedisClient, prefix: str, case_id: str, delivery: Any,
                       now: float) -> int:
    """A new watch case or request, sent to the person's referent (once per case)."""
    case = await get_case(redis, prefix, case_id)
    if not case or case["status"] == "resolved":
        return 0
    person = await _person(redis, prefix, case["person_id"])
    _, contacts, tier1 = recipient_for(person)
    text = say(
        "digest.at_once_orphan" if tier1 else "digest.at_once",
        first_name=person.get("first_name") or say("alerts.someone"),
        category_word=raw("alerts.categories").get(case["category"], case["category"]),
        link=console_link(f"/cases/{case_id}"),
    )
    keys = CaseKeys(prefix)
    sent = 0
    for index, contact in enumerate(contacts):
        sent += await _send_once(redis, keys.alert_sent(case_id, "referent", 0, index),
                                 delivery, contact, text, now)
    logger.warning("case %s (%s) sent to the referent", case_id, case["level"])
    return sent


__all__ = ["send_daily", "send_at_once", "recipient_for", "age_words", "digest_text"]
