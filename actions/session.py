"""A new session: what the registry knows about the person, as slots.

Rasa runs ``action_session_start`` before the first message of every session.
Like Rasa's own, this one starts with ``session_started``, carries the slots
over (the domain's ``carry_over_slots_to_new_session``) and ends with
``action_listen``; in between it sets, from the registry (``bot/people/registry.py``):

- ``register`` (``tu``/``vous``), ``first_name`` and ``has_first_name`` (a
  response may say the name only under a condition that guarantees it),
  ``territory`` (which services file applies) and ``agreement`` (``f``/``m``,
  or nothing: neutral wording; given by the person or the social worker, never
  guessed);
- ``consent_pending``: someone new, or who has not been asked yet, hears the
  consent question once, after the answer to their first message
  (``action_ask_consent``).

Someone not in the registry gets no registry slot (neutral wording); Redis not
answering is never an error: the session starts all the same.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SETTINGS, get_redis
from bot.core.records import Person
from bot.people.registry import get_person

logger = logging.getLogger(__name__)

# Slots the registry owns: at a new session they are what the registry says.
REGISTRY_SLOTS = ("first_name", "has_first_name", "register", "territory", "agreement")
CONSENT_SLOT = "consent_pending"
# Conversation ids that are not people (the console's own tests of the channel).
NOT_PEOPLE = ("staff:",)


def registry_slots(person: Person) -> Dict[str, Any]:
    """The slot values a registry entry gives (None: not known)."""
    if not person:
        return {name: None for name in REGISTRY_SLOTS}
    first_name = " ".join((person.get("first_name") or "").split())[:40] or None
    register = person.get("register")
    agreement = person.get("agreement")
    territory = (person.get("territory") or "").strip()
    return {
        "first_name": first_name,
        "has_first_name": True if first_name else None,
        "register": register if register in ("tu", "vous") else None,
        "territory": territory if territory.isalnum() else None,
        "agreement": agreement if agreement in ("f", "m") else None,
    }


def consent_pending(sender_id: str, person: Person) -> Optional[bool]:
    """True for someone who has not agreed and has not been asked yet."""
    if sender_id.startswith(NOT_PEOPLE):
        return None
    if not person:
        return True
    if (person.get("status", "pending") == "pending" and not person.get("consent_asked_ts")
            and not person.get("consent_declined_ts")):
        return True
    return None


class ActionSessionStart(Action):
    """Start a session with the person's registry details as slots."""

    def name(self) -> Text:
        """Action name."""
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """session_started, carried and registry slots, then action_listen."""
        events: List[Dict[Text, Any]] = [SessionStarted()]
        session_config = (domain or {}).get("session_config") or {}
        carried: Dict[str, Any] = {}
        if session_config.get("carry_over_slots_to_new_session", True):
            carried = {k: v for k, v in (tracker.slots or {}).items() if v is not None}
        try:
            person = await get_person(get_redis(), SETTINGS.key_prefix, tracker.sender_id)
        except Exception:  # noqa: BLE001 - Redis down: start the session anyway
            logger.warning("registry not read at session start; neutral wording")
            person = None
        if person is not None:
            known = registry_slots(person)
            if not person and carried.get("register") in ("tu", "vous"):
                # Not in the registry: the register the person used is theirs.
                known["register"] = carried["register"]
            carried = {k: v for k, v in carried.items() if k not in known}
            carried.update({k: v for k, v in known.items() if v is not None})
            carried.pop(CONSENT_SLOT, None)
            pending = consent_pending(tracker.sender_id, person)
            if pending:
                carried[CONSENT_SLOT] = True
        events += [SlotSet(key, value) for key, value in carried.items()]
        events.append(ActionExecuted("action_listen"))
        return events
