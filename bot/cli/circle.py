"""``python -m bot circle``: a person's circle of care (add, list, remove).

The contact added is pending: the worker sends them a message (SMS or Telegram)
asking them to agree (OUI or STOP) before they are ever asked anything. Numbers are shown masked; a
refused contact names every problem in French, nothing is saved, and the command
exits with code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, Awaitable, Callable, List, Mapping, Optional, Tuple, TypeVar

from bot.cli.common import redis_client
from bot.core import clock
from bot.core.phone import mask
from bot.core.records import Person
from bot.core.wording import raw, say
from bot.people import circle
from bot.people.registry import get_person

T = TypeVar("T")


def masked(address: str) -> str:
    """A contact's address with the number masked (+33••••••••78, Telegram ••56)."""
    channel, _, value = address.partition(":")
    return mask(value) if channel == "sms" else f"Telegram ••{value[-2:]}"


def who(person_id: str, person: Mapping[str, object]) -> str:
    """The person as the command names them: first name and masked address."""
    shown = f"sms:{masked(person_id)}" if person_id.startswith("sms:") else person_id
    first_name = str(person.get("first_name") or "")
    return f"{first_name} ({shown})" if first_name else shown


def _with_redis(work: Callable[[Any, str], Awaitable[T]]) -> T:
    async def run() -> T:
        client, settings = redis_client()
        try:
            return await work(client, settings.key_prefix)
        finally:
            await client.close()
    return asyncio.run(run())


def _unknown(person_id: str) -> int:
    print(say("circle.unknown_person", person=who(person_id, {})), file=sys.stderr)
    return 2


async def _person(redis: Any, prefix: str, person_id: str) -> Optional[Person]:
    return await get_person(redis, prefix, person_id) or None


def circle_add(args: argparse.Namespace) -> int:
    """Add a contact to a person's circle (pending their agreement)."""
    async def add(redis: Any, prefix: str) -> Tuple[Optional[Person], Any]:
        person = await _person(redis, prefix, args.person_id)
        if person is None:
            return None, None
        try:
            return person, await circle.add_contact(
                redis, prefix, args.person_id, args.name, args.relation, clock.now(),
                phone=args.phone or "", telegram=args.telegram or "", hours=args.hours or "")
        except circle.CircleError as error:
            return person, str(error).splitlines()

    person, outcome = _with_redis(add)
    if person is None:
        return _unknown(args.person_id)
    if isinstance(outcome, list):
        print(say("circle.refused"), file=sys.stderr)
        for code in outcome:
            error = say(f"circle.errors.{code}", max=circle.MAX_CONTACTS)
            print(say("circle.refused_line", error=error), file=sys.stderr)
        return 2
    print(say("circle.added", contact=outcome.id, first_name=outcome.first_name,
              relation=outcome.relation, address=masked(outcome.address),
              person=who(args.person_id, person)))
    return 0


def circle_list(args: argparse.Namespace) -> int:
    """A person's circle, in the order its contacts are asked (numbers masked)."""
    async def read(redis: Any, prefix: str) -> Tuple[Optional[Person], List[circle.Contact]]:
        person = await _person(redis, prefix, args.person_id)
        if person is None:
            return None, []
        return person, await circle.contacts(redis, prefix, args.person_id)

    person, contacts = _with_redis(read)
    if person is None:
        return _unknown(args.person_id)
    if not contacts:
        print(say("circle.empty", person=who(args.person_id, person)))
        return 0
    statuses = raw("circle.statuses")
    print("\t".join(raw("circle.header")))
    for contact in contacts:
        print("\t".join((contact.id, contact.first_name, contact.relation,
                         masked(contact.address), contact.hours,
                         statuses.get(contact.status, contact.status))))
    return 0


def circle_remove(args: argparse.Namespace) -> int:
    """Take a contact out of a person's circle: nothing of them is kept."""
    async def remove(redis: Any, prefix: str) -> Tuple[Optional[Person], bool]:
        person = await _person(redis, prefix, args.person_id)
        if person is None:
            return None, False
        return person, await circle.remove_contact(redis, prefix, args.person_id,
                                                   args.contact_id)

    person, removed = _with_redis(remove)
    if person is None:
        return _unknown(args.person_id)
    if not removed:
        print(say("circle.unknown_contact", contact=args.contact_id,
                  person=who(args.person_id, person)), file=sys.stderr)
        return 2
    print(say("circle.removed", contact=args.contact_id, person=who(args.person_id, person)))
    return 0
