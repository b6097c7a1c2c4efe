"""Call reminders: to the person (through Rasa, so an answer lands in context) and
to the volunteer (straight to the provider); a cancelled call tells the
volunteer. The worker claims due members of ``{p}:reminders:due``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.calls.booking import CallKeys, _decode, get_call
from bot.core.french_time import spoken
from bot.checkins.wording import name_part, wording
from bot.core.ports import Delivery, DirectOutputs, JobContext, RedisClient
from bot.core.records import Person, as_person
from bot.core.redisx import pop_due
from bot.core.wording import raw
from bot.people.registry import Keys, zone

logger = logging.getLogger(__name__)


def reminder_text(kind: str, person: Person, **values: Any) -> str:
    """The wording of a call reminder (bot/resources/checkins_fr.yml)."""
    words = wording()["reminders"]
    if kind == "person":
        template = words["person"]["tu" if person.get("register") == "tu" else "vous"]
        return template.format(name=name_part(person.get("first_name", "")), **values)
    return words[kind].format(**values)


def local_hhmm(ts: float, tz_name: str) -> str:
    """"14h30" in the person's timezone."""
    moment = datetime.fromtimestamp(ts, zone(tz_name))
    return f"{moment.hour}h{moment.minute:02d}" if moment.minute else f"{moment.hour}h"


async def send_reminder(redis: RedisClient, prefix: str, member: str, delivery: Delivery,
                        now_ts: float, direct: DirectOutputs) -> bool:
    """Send one reminder (called by the worker once the member is claimed): to the
    person through ``delivery``, to the volunteer straight through ``direct``.
    """
    keys = CallKeys(prefix)
    _, call_id, who = member.split(":", 2)
    call = await get_call(redis, prefix, call_id)
    if not call:
        return False
    if who != "cancelled" and call.get("status") != "booked":
        return False
    person_id = call["person_id"]
    person = as_person(_decode(await redis.hgetall(keys.person(person_id))))
    volunteer = _decode(await redis.hgetall(keys.volunteer(call.get("volunteer", "")))) \
        if call.get("volunteer") else {}
    at_ts = float(call["at_ts"])
    if who == "person":
        if person.get("status") == "opted_out":
            return False
        text = reminder_text("person", person,
                             volunteer=volunteer.get("name", "").split(" ")[0] or
                             raw("calls.someone"),
                             time=local_hhmm(at_ts, person.get("timezone", "")))
        await delivery.send(person_id, person, "EXTERNAL_call_reminder", text)
        return True
    kind = "volunteer" if who == "volunteer" else "volunteer_cancelled"
    text = reminder_text(kind, person, first_name=person.get("first_name") or "?",
                         time=local_hhmm(at_ts, volunteer.get("timezone", "")),
                         channel=person.get("channel", ""),
                         when=spoken(datetime.fromtimestamp(at_ts, zone(
                             volunteer.get("timezone", ""))), now_ts))
    if volunteer.get("phone"):
        await direct.output("sms").send_text_message(f"sms:{volunteer['phone']}", text)
    elif volunteer.get("telegram"):
        await direct.output("telegram").send_text_message(
            f"telegram:{volunteer['telegram']}", text)
    else:
        return False
    return True


async def send_reminders(ctx: JobContext) -> int:
    """Worker job: reminders due now, to the person and to the volunteer."""
    keys = Keys(ctx.prefix)
    now = ctx.now()
    count = 0
    async for member in pop_due(ctx.redis, keys.reminders, now, 200):
        try:
            await send_reminder(ctx.redis, ctx.prefix, member, ctx.delivery, now,
                                ctx.alert_output())
            count += 1
        except Exception:  # noqa: BLE001 - a reminder never stops the worker
            logger.exception("reminder %s not sent", member.split(":")[0])
    ctx.stats.reminders += count
    return count
