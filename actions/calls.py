"""The next human call: a form that understands French dates, then booking."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SETTINGS, get_redis, person_key
from bot import clock
from bot.calls import book_call, cancel_call
from bot.persons import zone
from bot.when import spoken, understand

ACCEPT_INTENTS = {"affirm", "mood_good", "thank"}
RESET = [SlotSet("call_time", None), SlotSet("call_at", None),
         SlotSet("call_proposal", None), SlotSet("call_issue", None)]


async def _timezone(sender_id: str) -> str:
    raw = await get_redis().hget(person_key(sender_id), "timezone")
    return raw.decode() if raw else "Europe/Paris"


def _spoken_iso(iso: str, tz_name: str) -> str:
    moment = datetime.fromisoformat(iso).astimezone(zone(tz_name))
    return spoken(moment, clock.now())


class ValidateCallForm(FormValidationAction):
    """Reads the moment the person gives; proposes one when it is vague."""

    def name(self) -> Text:
        """Action name."""
        return "validate_call_form"

    async def validate_call_time(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: Dict,
    ) -> Dict[Text, Any]:
        """A precise, future, daytime moment fills the slot; else a proposal."""
        tz_name = await _timezone(tracker.sender_id)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        proposal = tracker.get_slot("call_proposal")
        if proposal and intent in ACCEPT_INTENTS:
            return {"call_time": str(slot_value or "")[:200], "call_at": proposal,
                    "call_proposal": None, "call_issue": None}
        found = understand(str(slot_value or ""), clock.now(), tz_name)
        if found.status == "ok" and found.at is not None:
            return {"call_time": str(slot_value)[:200], "call_at": found.at.isoformat(),
                    "call_proposal": None, "call_issue": None}
        return {
            "call_time": None,
            "call_proposal": found.proposal.isoformat() if found.proposal else None,
            "call_issue": found.status,
        }


class ActionAskCallTime(Action):
    """Asks for the moment: a proposal, a kind refusal, or the open question."""

    def name(self) -> Text:
        """Action name."""
        return "action_ask_call_time"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Pick the question from what the last answer lacked."""
        issue = tracker.get_slot("call_issue")
        proposal = tracker.get_slot("call_proposal")
        if issue in ("vague", "past", "night") and proposal:
            text = _spoken_iso(proposal, await _timezone(tracker.sender_id))
            response = {"vague": "utter_call_propose", "past": "utter_call_past",
                        "night": "utter_call_night"}[issue]
            dispatcher.utter_message(response=response, call_proposal_text=text)
        elif issue == "unknown":
            dispatcher.utter_message(response="utter_call_unknown")
        else:
            dispatcher.utter_message(response="utter_ask_call_time")
        return []


class ActionBookCall(Action):
    """Book the call, give it to a volunteer, confirm in one message."""

    def name(self) -> Text:
        """Action name."""
        return "action_book_call"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Write the booking and the reminders, then confirm."""
        at_iso = tracker.get_slot("call_at")
        if not at_iso:
            dispatcher.utter_message(response="utter_call_unknown")
            return RESET
        tz_name = await _timezone(tracker.sender_id)
        at = datetime.fromisoformat(at_iso)
        booking = await book_call(
            get_redis(), SETTINGS.key_prefix, tracker.sender_id, at.timestamp(),
            tracker.get_slot("call_time") or "", clock.now(),
            reminder_minutes=int(os.environ.get("CALL_REMINDER_MINUTES", "60")),
        )
        when = _spoken_iso(at_iso, tz_name)
        if booking.volunteer_name:
            dispatcher.utter_message(response="utter_call_booked", call_when=when,
                                     volunteer=booking.volunteer_name)
        else:
            dispatcher.utter_message(response="utter_call_booked_team", call_when=when)
        return RESET


class ActionCancelCall(Action):
    """"Je ne pourrai pas jeudi": cancel the next call (the form then asks again)."""

    def name(self) -> Text:
        """Action name."""
        return "action_cancel_call"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Cancel and tell the volunteer; say so."""
        call = await cancel_call(get_redis(), SETTINGS.key_prefix, tracker.sender_id,
                                 clock.now())
        if call is None:
            dispatcher.utter_message(response="utter_no_call")
            return RESET
        tz_name = await _timezone(tracker.sender_id)
        at = datetime.fromtimestamp(float(call["at_ts"]), zone(tz_name))
        dispatcher.utter_message(response="utter_call_cancelled",
                                 call_when=spoken(at, clock.now()))
        return RESET


def next_call_booked(person: Dict[bytes, bytes], now: float) -> Optional[float]:
    """The time of the person's next booked call, if any is ahead."""
    raw = person.get(b"next_call_ts")
    if raw and float(raw) > now:
        return float(raw)
    return None
