"""Every Redis key of the service, in one place (arq's ``constants.py`` is the model).

Redis is the interface between the processes (channels, Rasa, the action
server, workers, the console): this module is its schema. Every key starts
with the installation's prefix (``REDIS_PREFIX``, default ``lien``); nothing
else in the code writes a key name. Erasure (``bot/people/privacy.py``) walks
the per-person keys listed here.

Families: people (``person:{id}``, ``persons``, ``mood:{id}``, ``memory:{id}``,
``checkin:said:{id}``); check-ins (``checkins:due|leased|lease_due|lease_owner|
awaiting``, ``checkin:sent:{id}:{slot}:{day}``, ``checkin:unrecorded:{id}``,
``consent:due``, ``rate:checkins``); calls (``volunteers``, ``volunteer:{v}``,
``volunteer:{v}:calls``, ``call:{c}``, ``calls``, ``person:{id}:calls``,
``reminders:due``); safety (``escalations`` stream, ``escalation:{e}``,
``escalation:dedupe:{id}:{msg}``, ``person:{id}:escalations``,
``person:{id}:case``, ``case:*``, ``cases:*``, ``digest:{day}``,
``takeover:{id}``, ``live:{id}``); channels (``sms:seen|pending|replay|status|
buttons``, ``{kind}:{message id}`` processed once); Rasa (``trk:{id}:cur|arc|
meta``, ``trk:index``, ``lock:{id}``); console (``console:*``, ``audit``);
worker (``purge:daily``).
"""

from __future__ import annotations

from typing import List, Optional

DEFAULT_PREFIX = "lien"


class Keys:
    """Keys of persons, schedules and check-ins."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.index = f"{prefix}:persons"
        self.due = f"{prefix}:checkins:due"
        self.leased = f"{prefix}:checkins:leased"
        self.lease_due = f"{prefix}:checkins:lease_due"
        self.lease_owner = f"{prefix}:checkins:lease_owner"
        self.awaiting = f"{prefix}:checkins:awaiting"
        self.reminders = f"{prefix}:reminders:due"
        self.consent_due = f"{prefix}:consent:due"
        self.checkin_rate = f"{prefix}:rate:checkins"
        self.purge_daily = f"{prefix}:purge:daily"

    def person(self, person_id: str) -> str:
        """The person's hash."""
        return f"{self.prefix}:person:{person_id}"

    def mood(self, person_id: str) -> str:
        """Hash of the person's check-in answers: ``YYYY-MM-DD`` → good/bad/need."""
        return f"{self.prefix}:mood:{person_id}"

    def sent(self, person_id: str, slot: str, day: str) -> str:
        """The idempotency key of one check-in (person, slot, local day)."""
        return f"{self.prefix}:checkin:sent:{person_id}:{slot}:{day}"

    def sent_pattern(self, escaped_person_id: str) -> str:
        """Every check-in idempotency key of one person (SCAN pattern)."""
        return f"{self.prefix}:checkin:sent:{escaped_person_id}:*"

    def takeover(self, person_id: str) -> str:
        """Set while a listener is talking with the person (listener queue)."""
        return f"{self.prefix}:takeover:{person_id}"

    def unrecorded(self, person_id: str) -> str:
        """A check-in sent directly, to add to the conversation at the next turn."""
        return f"{self.prefix}:checkin:unrecorded:{person_id}"

    def said(self, person_id: str) -> str:
        """The wordings of the check-ins sent to one person lately."""
        return said_key(self.prefix, person_id)

    def memory(self, person_id: str) -> str:
        """What the dialogue remembers of the person (names, topic)."""
        return f"{self.prefix}:memory:{person_id}"

    def case_of(self, person_id: str) -> str:
        """The open case of a person (a case id)."""
        return person_case(self.prefix, person_id)

    def live(self, person_id: str) -> str:
        """The stream a listener's console reads a taken-over conversation from."""
        return live_key(self.prefix, person_id)

    def sms_buttons(self, person_id: str) -> str:
        """The buttons last offered by SMS (digits answer them)."""
        return f"{self.prefix}:sms:buttons:{person_id}"

    def lock(self, person_id: str) -> str:
        """Rasa's conversation lock."""
        return f"{lock_prefix(self.prefix)}{person_id}"

    def console_ref(self, ref: str) -> str:
        """An opaque reference shown in the console → the person id."""
        return f"{self.prefix}:console:ref:{ref}"

    @property
    def installation_secret(self) -> str:
        """The installation's secret (opaque references, the log-in form's token)."""
        return f"{self.prefix}:console:secret"


class CallKeys(Keys):
    """Keys of volunteers and calls."""

    @property
    def volunteers(self) -> str:
        """Set of volunteer ids."""
        return f"{self.prefix}:volunteers"

    def volunteer(self, volunteer_id: str) -> str:
        """A volunteer's hash."""
        return f"{self.prefix}:volunteer:{volunteer_id}"

    def volunteer_calls(self, volunteer_id: str) -> str:
        """A volunteer's booked calls by time."""
        return f"{self.prefix}:volunteer:{volunteer_id}:calls"

    def call(self, call_id: str) -> str:
        """A call's hash."""
        return f"{self.prefix}:call:{call_id}"

    @property
    def calls(self) -> str:
        """Every booked call by time."""
        return f"{self.prefix}:calls"

    def person_calls(self, person_id: str) -> str:
        """Every call ever booked for one person (for export and erasure)."""
        return f"{self.prefix}:person:{person_id}:calls"


class CaseKeys(Keys):
    """Keys of cases and alerts."""

    def case(self, case_id: str) -> str:
        """A case's hash."""
        return f"{self.prefix}:case:{case_id}"

    @property
    def open(self) -> str:
        """Open cases by priority."""
        return f"{self.prefix}:cases:open"

    def person_case(self, person_id: str) -> str:
        """The person's open case id."""
        return person_case(self.prefix, person_id)

    def by_escalation(self, escalation_id: str) -> str:
        """The case an escalation went to (idempotency)."""
        return f"{self.prefix}:case:escalation:{escalation_id}"

    def alerts(self, part: str) -> str:
        """The alert schedule's keys: due, leased, lease_due, lease_owner."""
        return f"{self.prefix}:alerts:{part}"

    def alert_sent(self, case_id: str, round_: str, tier: int, index: int) -> str:
        """One recipient's alert for one tier of one round of alerts of one case."""
        return f"{self.prefix}:alert:{case_id}:{round_}:{tier}:{index}"


class EscalationKeys:
    """Keys of escalations."""

    def __init__(self, prefix: str = DEFAULT_PREFIX) -> None:
        self.prefix = prefix

    @property
    def stream(self) -> str:
        """The stream every escalation is appended to."""
        return f"{self.prefix}:escalations"

    def record(self, escalation_id: str) -> str:
        """The hash of one escalation."""
        return f"{self.prefix}:escalation:{escalation_id}"

    def dedupe(self, sender_id: str, message_id: str) -> str:
        """The idempotency key of one person message."""
        return f"{self.prefix}:escalation:dedupe:{sender_id}:{message_id}"

    def dedupe_pattern(self, escaped_sender_id: str) -> str:
        """Every idempotency key of one person (SCAN pattern)."""
        return f"{self.prefix}:escalation:dedupe:{escaped_sender_id}:*"

    def by_person(self, sender_id: str) -> str:
        """The sorted set of one person's escalations."""
        return f"{self.prefix}:person:{sender_id}:escalations"


class MemoryKeys:
    """Keys of what the dialogue remembers about a person."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def memory(self, person_id: str) -> str:
        """The person's memory hash (names, topic, when they were brought back)."""
        return f"{self.prefix}:memory:{person_id}"


class TrackerKeys:
    """Keys of Rasa's conversations (``bot/rasa/tracker_store.py``)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.index = f"{prefix}:trk:index"

    def base(self, sender_id: str) -> str:
        """The common start of one conversation's keys."""
        return f"{self.prefix}:trk:{sender_id}"

    def parts(self, sender_id: str) -> List[str]:
        """Current events, archive, metadata."""
        base = self.base(sender_id)
        return [f"{base}:cur", f"{base}:arc", f"{base}:meta"]


class SmsKeys:
    """Keys of the SMS channel."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.pending = f"{prefix}:sms:pending"

    def seen(self, sid: str) -> str:
        """Set once a message is processed: it never runs twice."""
        return f"{self.prefix}:sms:seen:{sid}"

    def replay(self, sid: str) -> str:
        """Taken by the process that replays a message a dead process left."""
        return f"{self.prefix}:sms:replay:{sid}"

    def status(self, sid: str) -> str:
        """The provider's delivery report of one outgoing SMS."""
        return f"{self.prefix}:sms:status:{sid}"

    @property
    def status_pattern(self) -> str:
        """Every delivery report (SCAN pattern)."""
        return f"{self.prefix}:sms:status:*"

    def buttons(self, person_id: str) -> str:
        """The buttons last offered by SMS (digits answer them)."""
        return f"{self.prefix}:sms:buttons:{person_id}"


class CircleKeys:
    """Keys of the circle of care: each person's contacts, and who a contact is."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.agreements_due = f"{prefix}:circle:agreements:due"
        self.weekly_due = f"{prefix}:circle:weekly:due"

    def circle(self, person_id: str) -> str:
        """Hash: contact id → the contact (JSON)."""
        return f"{self.prefix}:person:{person_id}:circle"

    def by_address(self, address: str) -> str:
        """Set of the people whose circle holds this address (``sms:+33…``)."""
        return f"{self.prefix}:circle:address:{address}"

    def sent(self, person_id: str, what: str) -> str:
        """The send-once key of one message to a contact."""
        return f"{self.prefix}:circle:sent:{person_id}:{what}"


class LadderKeys:
    """Keys of the ladder after a missed check-in (``bot/checkins/ladder.py``)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.due = f"{prefix}:ladder:due"
        self.leased = f"{prefix}:ladder:leased"
        self.lease_due = f"{prefix}:ladder:lease_due"
        self.lease_owner = f"{prefix}:ladder:lease_owner"

    def episode(self, person_id: str) -> str:
        """Hash of the person's current episode of silence (step, who was asked)."""
        return f"{self.prefix}:ladder:{person_id}"

    def sent(self, person_id: str, episode: str, what: str) -> str:
        """The send-once key of one message of one episode."""
        return f"{self.prefix}:ladder:sent:{person_id}:{episode}:{what}"


class ConsoleKeys:
    """Keys of the listener console: accounts, sessions, log-in failures, audit."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.users = f"{prefix}:console:users"
        self.audit = f"{prefix}:audit"

    def user(self, login: str) -> str:
        """One account's hash."""
        return f"{self.prefix}:console:user:{login}"

    def session(self, token: str) -> str:
        """One session."""
        return f"{self.prefix}:console:session:{token}"

    def sessions(self, login: str) -> str:
        """The sessions of one account (ended together)."""
        return f"{self.prefix}:console:sessions:{login}"

    def failures(self, login: str) -> str:
        """Failed log-ins of one account (the lock-out)."""
        return f"{self.prefix}:console:failures:{login}"


def processed_key(prefix: str, kind: str, message_id: str) -> str:
    """The once-only claim of one incoming message of a channel."""
    return f"{prefix}:{kind}:{message_id}"


def person_case(prefix: str, person_id: str) -> str:
    """The open case of a person (a case id)."""
    return f"{prefix}:person:{person_id}:case"


def live_key(prefix: str, person_id: str) -> str:
    """The stream a listener's console reads a taken-over conversation from."""
    return f"{prefix}:live:{person_id}"


def said_key(prefix: str, person_id: str) -> str:
    """The wordings of the check-ins sent to one person lately."""
    return f"{prefix}:checkin:said:{person_id}"


def digest_day(prefix: str, day: str) -> str:
    """Taken by the worker that sends the referents' digest of ``day``."""
    return f"{prefix}:digest:{day}"


def lock_prefix(prefix: Optional[str]) -> str:
    """The start of Rasa's conversation lock keys."""
    return f"{prefix or DEFAULT_PREFIX}:lock:"
