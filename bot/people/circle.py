"""The circle of care: a few people a social worker adds, with the person's
agreement, who can be asked to go and see when Lien has no news.

Each contact has a first name, a relationship, a phone (SMS) or a Telegram id,
and the hours they can be asked (``08:00-21:00`` by default). A contact agrees
by SMS before being asked anything (``pending`` → ``asked`` → ``agreed``) and
can answer STOP at any moment (``stopped``: never asked again). Contacts are
told only that there is no news since a given time, never what the person said.
They are erased with the person, and a contact removed from the circle leaves no
trace (their address index goes with them).

Redis: ``person:{id}:circle`` (hash: contact id → JSON), ``circle:address:{addr}``
(the people whose circle holds an address: an answer from a contact is routed
by it), ``circle:agreements:due`` (agreement requests the worker sends).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass
from typing import Any, List, Optional, Tuple, TypedDict

from bot.core.keys import CircleKeys
from bot.core.phone import valid_e164
from bot.core.redisx import glob_escape, s

MAX_CONTACTS = 5
DEFAULT_HOURS = "08:00-21:00"
STATUSES = ("pending", "asked", "agreed", "stopped")
_TELEGRAM_ID = re.compile(r"[1-9]\d{0,19}")
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_NAME = re.compile(r"^[^\x00-\x1f<>{}]{1,60}$")


class ContactFields(TypedDict):
    """A contact as a social worker types it, checked (``check_contact``)."""

    first_name: str
    relation: str
    address: str
    hours: str


class CircleError(ValueError):
    """A contact is refused (every problem, one per line after the first)."""


@dataclass
class Contact:
    """One member of a person's circle of care."""

    id: str
    first_name: str
    relation: str
    address: str            # "sms:+33612345678" or "telegram:123456"
    hours: str = DEFAULT_HOURS
    status: str = "pending"
    rank: int = 0           # asked in this order
    added_ts: float = 0.0
    status_ts: float = 0.0
    weekly: bool = False    # a short weekly "tout va bien" (asked for by the contact)

    @property
    def channel(self) -> str:
        """``sms`` or ``telegram``."""
        return self.address.partition(":")[0]

    def hours_window(self) -> Tuple[str, str]:
        """(from, to) as HH:MM."""
        start, _, end = self.hours.partition("-")
        return start, end


def address_of(phone: str = "", telegram: str = "") -> Tuple[Optional[str], List[str]]:
    """The contact's address from a phone or a Telegram id; the problems found."""
    errors = []
    if phone and telegram:
        errors.append("phone_and_telegram")
    if phone:
        number = valid_e164(phone)
        if not number:
            errors.append("phone")
        return (f"sms:{number}" if number else None), errors
    if telegram:
        text = str(telegram).strip()
        if not _TELEGRAM_ID.fullmatch(text):
            errors.append("telegram")
            return None, errors
        return f"telegram:{text}", errors
    errors.append("no_address")
    return None, errors


def check_contact(first_name: str, relation: str, phone: str = "", telegram: str = "",
                  hours: str = "") -> Tuple[ContactFields, List[str]]:
    """Validate a contact as a social worker types it; (fields, problems)."""
    errors: List[str] = []
    first_name = (first_name or "").strip()
    relation = (relation or "").strip()
    if not _NAME.fullmatch(first_name):
        errors.append("first_name")
    if not _NAME.fullmatch(relation):
        errors.append("relation")
    hours = (hours or "").strip() or DEFAULT_HOURS
    if not _HOURS.fullmatch(hours):
        errors.append("hours")
    address, problems = address_of((phone or "").strip(), (telegram or "").strip())
    errors += problems
    return {"first_name": first_name, "relation": relation, "address": address or "",
            "hours": hours}, errors


def _contact(raw: Any) -> Optional[Contact]:
    try:
        data = json.loads(s(raw))
        return Contact(**{k: v for k, v in data.items()
                          if k in Contact.__dataclass_fields__})
    except (ValueError, TypeError):
        return None


async def contacts(redis: Any, prefix: str, person_id: str) -> List[Contact]:
    """The person's circle, in the order they are asked."""
    raw = await redis.hgetall(CircleKeys(prefix).circle(person_id))
    found = [c for c in (_contact(v) for v in raw.values()) if c is not None]
    return sorted(found, key=lambda c: (c.rank, c.added_ts))


async def get_contact(redis: Any, prefix: str, person_id: str,
                      contact_id: str) -> Optional[Contact]:
    """One contact of one person."""
    return _contact(await redis.hget(CircleKeys(prefix).circle(person_id), contact_id)) \
        if contact_id else None


async def save(redis: Any, prefix: str, person_id: str, contact: Contact) -> None:
    """Write one contact."""
    await redis.hset(CircleKeys(prefix).circle(person_id), contact.id,
                     json.dumps(asdict(contact), ensure_ascii=False))


async def add_contact(redis: Any, prefix: str, person_id: str, first_name: str,
                      relation: str, now: float, phone: str = "", telegram: str = "",
                      hours: str = "") -> Contact:
    """Add a contact (``pending``: asked to agree by the worker before anything else)."""
    fields, errors = check_contact(first_name, relation, phone, telegram, hours)
    current = await contacts(redis, prefix, person_id)
    if len(current) >= MAX_CONTACTS:
        errors.append("too_many")
    if any(c.address == fields["address"] for c in current):
        errors.append("already_there")
    if errors:
        raise CircleError("\n".join(errors))
    contact = Contact(id=uuid.uuid4().hex[:10], rank=len(current), added_ts=now,
                      status_ts=now, **fields)
    keys = CircleKeys(prefix)
    await save(redis, prefix, person_id, contact)
    await redis.sadd(keys.by_address(contact.address), person_id)
    await redis.zadd(keys.agreements_due, {f"{person_id}|{contact.id}": now})
    return contact


async def remove_contact(redis: Any, prefix: str, person_id: str, contact_id: str) -> bool:
    """Take a contact out of the circle: nothing of them is kept."""
    contact = await get_contact(redis, prefix, person_id, contact_id)
    if contact is None:
        return False
    keys = CircleKeys(prefix)
    await redis.hdel(keys.circle(person_id), contact_id)
    await redis.srem(keys.by_address(contact.address), person_id)
    await redis.zrem(keys.agreements_due, f"{person_id}|{contact_id}")
    await redis.zrem(keys.weekly_due, f"{person_id}|{contact_id}")
    return True


async def set_status(redis: Any, prefix: str, person_id: str, contact: Contact,
                     status: str, now: float) -> Contact:
    """Record a contact's agreement (``agreed``), refusal or STOP (``stopped``)."""
    contact.status, contact.status_ts = status, now
    await save(redis, prefix, person_id, contact)
    if status == "stopped":
        keys = CircleKeys(prefix)
        await redis.zrem(keys.agreements_due, f"{person_id}|{contact.id}")
        await redis.zrem(keys.weekly_due, f"{person_id}|{contact.id}")
    return contact


async def people_of(redis: Any, prefix: str, address: str) -> List[str]:
    """The people whose circle holds ``address`` (an answer is routed by it)."""
    return sorted(s(p) for p in await redis.smembers(CircleKeys(prefix).by_address(address)))


async def erase_circle(redis: Any, prefix: str, person_id: str) -> int:
    """The whole circle of an erased person: contacts, indexes, pending messages."""
    removed = 0
    for contact in await contacts(redis, prefix, person_id):
        removed += int(await remove_contact(redis, prefix, person_id, contact.id))
    keys = CircleKeys(prefix)
    async for key in redis.scan_iter(match=keys.sent(glob_escape(person_id), "*"), count=500):
        removed += await redis.delete(key)
    removed += await redis.delete(keys.circle(person_id))
    return removed
