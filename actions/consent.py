"""Consent: the person agrees to, stops or resumes presence messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.checkins import first_consent_events
from actions.common import SETTINGS, get_redis
from bot.core import clock
from bot.calls.booking import cancel_call
from bot.core.french_time import spoken
from bot.people.registry import get_person, set_status, zone


class ActionOptOut(Action):
    """Stop every automated message to this person, at once."""

    def name(self) -> Text:
        """Action name."""
        return "action_opt_out"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Record the opt-out (nothing stays scheduled, the next call included: the
        volunteer is told) and confirm it once.
        """
        redis = get_redis()
        person = await get_person(redis, SETTINGS.key_prefix, tracker.sender_id)
        channel = tracker.get_latest_input_channel() or ""
        await set_status(redis, SETTINGS.key_prefix, tracker.sender_id, "opted_out",
                         clock.now(), how=channel)
        if person.get("status") != "opted_out":
            dispatcher.utter_message(response="utter_opt_out")
        # STOP stops everything the service planned: a call booked too (written
        # "appel", a new one is booked as usual)
        call = await cancel_call(redis, SETTINGS.key_prefix, tracker.sender_id, clock.now())
        if call is not None:
            at = datetime.fromtimestamp(float(call["at_ts"]),
                                        zone(str(person.get("timezone") or "")))
            dispatcher.utter_message(response="utter_opt_out_call_cancelled",
                                     call_when=spoken(at, clock.now()))
        return []


class ActionOptIn(Action):
    """The person agrees to (or resumes) presence messages: a clear yes."""

    def name(self) -> Text:
        """Action name."""
        return "action_opt_in"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Record the consent, schedule the messages, confirm (a first yes: offer a call)."""
        redis = get_redis()
        was = await get_person(redis, SETTINGS.key_prefix, tracker.sender_id)
        channel = tracker.get_latest_input_channel() or ""
        await set_status(redis, SETTINGS.key_prefix, tracker.sender_id, "active",
                         clock.now(), how=f"oui par message ({channel})")
        dispatcher.utter_message(response="utter_opt_in")
        return first_consent_events(was)
