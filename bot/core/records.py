"""The Redis hashes the features pass around, typed: a person, a case, a call.

Each is a ``TypedDict`` with ``total=False`` and only ``str`` values, as a Redis
hash is: any field may be missing (a person known only by a first message has
no times, a case not yet claimed no ``claimed_by``), and numbers are stored as
text (``missed``, ``at_ts``). Nothing is checked at run time: ``as_person``,
``as_case`` and ``as_call`` only give a decoded hash (``bot.core.redisx.hash_of``)
its type, and ``read_field`` reads a field whose name is computed
(``last_variant_{slot}``).
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional, TypedDict, cast


class Person(TypedDict, total=False):
    """``{p}:person:{id}`` (``bot/people/registry.py``)."""

    # The registry (CSV import, console, self-enrolment).
    first_name: str
    last_name: str
    birth_year: str
    channel: str
    address: str
    postal_address: str
    email: str
    timezone: str
    morning: str
    evening: str
    referent: str
    register: str
    consent_at: str
    consent_how: str
    status: str
    paused_until: str
    territory: str
    agreement: str
    watch: str
    circle_on_silence: str
    last_sign_ts: str
    created_ts: str
    source: str
    status_changed_ts: str
    # Check-ins, consent and answers (bot/checkins, actions).
    consent_asked_ts: str
    consent_declined_ts: str
    last_checkin_ts: str
    last_checkin_slot: str
    last_checkin_morning_day: str
    last_checkin_evening_day: str
    last_variant_morning: str
    last_variant_evening: str
    last_answer_ts: str
    missed: str
    mood_days: str
    no_news_episode: str
    no_news_id: str
    # Calls (bot/calls/booking.py).
    next_call_id: str
    next_call_ts: str
    last_volunteer: str
    # SMS delivery reports (channels/sms.py).
    unreachable: str
    unreachable_since: str
    last_delivery_error: str


class WavePerson(Person, total=False):
    """A person as the check-in wave reads them (``bot/checkins/send.py``), never stored.

    ``_takeover``: "1" when a listener has the conversation, read in the same
    round trip as the hash.
    """

    _takeover: str


class Case(TypedDict, total=False):
    """``{p}:case:{id}`` (``bot/safety/cases.py``)."""

    id: str
    person_id: str
    channel: str
    level: str
    category: str
    status: str
    created_ts: str
    opened_ts: str
    updated_ts: str
    escalations: str
    messages: str
    claimed_by: str
    claimed_ts: str
    lease_until: str
    alert_round: str
    alerted_tier: str
    alerted_ts: str
    silence: str
    outcome: str
    orientation: str
    resolved_ts: str


class Call(TypedDict, total=False):
    """``{p}:call:{id}`` (``bot/calls/booking.py``)."""

    person_id: str
    at_ts: str
    volunteer: str
    status: str
    wish: str
    created_ts: str
    cancelled_ts: str


def as_person(fields: Dict[str, str]) -> Person:
    """A decoded person hash, typed (no check)."""
    return cast(Person, fields)


def as_case(fields: Dict[str, str]) -> Case:
    """A decoded case hash, typed (no check)."""
    return cast(Case, fields)


def as_call(fields: Dict[str, str]) -> Call:
    """A decoded call hash, typed (no check)."""
    return cast(Call, fields)


def read_field(record: Mapping[str, object], name: str) -> Optional[str]:
    """``record.get(name)`` for a name computed at run time (``last_variant_{slot}``).

    A record's values are all text, so the value is a ``str`` (None when missing).
    """
    return cast(Optional[str], record.get(name))
