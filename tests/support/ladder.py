"""Stand-ins for the tests of the ladder after a silence (issue 14): the providers as
the worker's direct output sees them, a check-in delivery, a roster with a referent,
and a person with a circle of care who agreed by SMS."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

from bot.checkins.circle_answers import contact_reply
from bot.checkins.answers import note_answer
from bot.people import circle
from bot.people.registry import Person, import_persons
from bot.safety import roster as roster_mod
from bot.worker.loop import Worker
from bot.worker.settings import WorkerSettings

PARIS = ZoneInfo("Europe/Paris")
THANKS = "Marie a répondu, tout va bien. Merci !"


def ts(*args: int) -> float:
    """A Paris wall-clock moment as a timestamp."""
    return datetime(*args, tzinfo=PARIS).timestamp()


def phone() -> str:
    """A fresh French mobile number."""
    return f"+3367{uuid.uuid4().int % 10**7:07d}"


class Outbox:
    """What the worker hands straight to the providers (re-asks, contacts, pages),
    as ``DirectDelivery.output(channel).send_text_message`` would; can hang."""

    def __init__(self) -> None:
        self.sent: List[Tuple[str, str, str]] = []   # (channel, address, text)
        self.hang_for: Optional[str] = None           # an address whose send hangs
        self.release = asyncio.Event()
        self.started = asyncio.Event()

    def output(self, channel: str) -> "_Output":
        return _Output(self, channel)

    def to(self, address: str) -> List[str]:
        """Every text sent to an address (``sms:+33…``, ``telegram:…``)."""
        return [text for _, to, text in self.sent if to == address]

    def addresses(self) -> List[str]:
        return [to for _, to, _ in self.sent]

    async def close(self) -> None:
        pass


class _Output:
    def __init__(self, box: Outbox, channel: str) -> None:
        self.box, self.channel = box, channel

    async def send_text_message(self, recipient_id: str, text: str, **_: Any) -> None:
        assert recipient_id.startswith(f"{self.channel}:"), (self.channel, recipient_id)
        if recipient_id == self.box.hang_for:
            self.box.started.set()
            await self.box.release.wait()
        self.box.sent.append((self.channel, recipient_id, text))


class Checkins:
    """The check-in delivery (through Rasa in production): what went to whom."""

    def __init__(self) -> None:
        self.sent: List[Dict[str, str]] = []

    async def send(self, person_id, person, intent, text) -> None:
        self.sent.append({"to": person_id, "intent": intent, "text": text})

    async def delivered_since(self, person_id, intent, since) -> Optional[bool]:
        return any(s["to"] == person_id and s["intent"] == intent for s in self.sent)

    async def close(self) -> None:
        pass


def write_roster(path: Path) -> Dict[str, str]:
    """A roster: one on-call member per tier, the referent "Mme Durand"; their numbers."""
    phones = {"oncall": phone(), "cadre": phone(), "referent": phone()}
    path.write_text(
        "tiers:\n"
        f"  - name: astreinte\n    members:\n      - {{name: A, phone: '{phones['oncall']}'}}\n"
        f"  - name: cadres\n    members:\n      - {{name: C, phone: '{phones['cadre']}'}}\n"
        "ladder:\n  critical: [0, 5]\n  high: [0, 15]\n"
        f"referents:\n  \"Mme Durand\": {{phone: '{phones['referent']}'}}\n"
        "digest:\n  immediate: false\n", encoding="utf-8")
    roster_mod.roster.cache_clear()
    return phones


def worker(redis: Any, prefix: str, clock: Any, outbox: Outbox, name: str = "w1",
           checkins: Optional[Checkins] = None, **settings: Any) -> Worker:
    """A worker on the test clock whose direct output is ``outbox``."""
    settings.setdefault("lease_seconds", 120)
    return Worker(redis, prefix, checkins or Checkins(), WorkerSettings(**settings),
                  now=clock, name=name, alert_delivery=outbox)  # type: ignore[arg-type]


async def enrol(redis: Any, prefix: str, now: float, watch: Optional[str] = "renforcee",
                channel: str = "sms", address: str = "", **fields: str) -> str:
    """Marie Durand, followed (active), one morning check-in at 09:30; her id."""
    values = dict(first_name="Marie", last_name="Durand", channel=channel,
                  address=address or (phone() if channel == "sms"
                                      else str(10**9 + uuid.uuid4().int % 10**8)),
                  consent_at="2026-11-01", consent_how="oral", status="active",
                  morning="09:30", evening="", referent="Mme Durand", watch=watch)
    values.update(fields)
    person = Person(**values)
    await import_persons(redis, prefix, [person], now)
    return person.id


async def circle_of(redis: Any, prefix: str, person_id: str, now: float, *names: str,
                    hours: Optional[Dict[str, str]] = None,
                    telegram: bool = False) -> Dict[str, str]:
    """Contacts added by the social worker (by SMS, or Telegram), in this order;
    name → address. They still have to agree (the worker asks them: ``agree``)."""
    addresses = {}
    for name in names:
        reach = {"telegram": str(10**9 + uuid.uuid4().int % 10**8)} if telegram \
            else {"phone": phone()}
        contact = await circle.add_contact(redis, prefix, person_id, name, "voisin", now,
                                           hours=(hours or {}).get(name, ""), **reach)
        addresses[name] = contact.address
    return addresses


async def agree(redis: Any, prefix: str, addresses: Dict[str, str], now: float) -> None:
    """Each contact answers OUI to the agreement request."""
    for address in addresses.values():
        assert await contact_reply(redis, prefix, address, "OUI", now) is not None


async def answer(redis: Any, prefix: str, person_id: str, now: float) -> None:
    """The person writes (the tracker store's call for every message)."""
    await note_answer(redis, prefix, person_id, "mood_good", now)
