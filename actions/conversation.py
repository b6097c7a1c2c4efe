"""Conversation upkeep: the empathetic fallback and the offer of a human."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import record_request

FALLBACK_INTENT = "nlu_fallback"
MISUNDERSTANDINGS_BEFORE_HUMAN = 2


def consecutive_misunderstandings(tracker: Tracker, skip_latest: bool = False) -> int:
    """How many of the latest person messages in a row were not understood."""
    count = 0
    user_events = [e for e in tracker.events if e.get("event") == "user"]
    if skip_latest:
        user_events = user_events[:-1]
    for event in reversed(user_events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionFallback(Action):
    """An open, kind reply; after two misunderstandings in a row, offer a human."""

    def name(self) -> Text:
        """Action name."""
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Answer, and record a request once the bot keeps misunderstanding."""
        misunderstood = consecutive_misunderstandings(tracker)
        if misunderstood < MISUNDERSTANDINGS_BEFORE_HUMAN:
            dispatcher.utter_message(response="utter_fallback")
            return []
        dispatcher.utter_message(response="utter_offer_human")
        if misunderstood == MISUNDERSTANDINGS_BEFORE_HUMAN:
            await record_request(tracker, "misunderstood", "fallback")
        return []


class ActionAnswerHumanOffer(Action):
    """A "yes" after a misunderstanding: accept the offer of a human if it was made."""

    def name(self) -> Text:
        """Action name."""
        return "action_answer_human_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Book a human (then ask when to call), or just carry on."""
        offered = (
            consecutive_misunderstandings(tracker, skip_latest=True)
            >= MISUNDERSTANDINGS_BEFORE_HUMAN
        )
        if not offered:
            dispatcher.utter_message(response="utter_affirm_generic")
            return []
        escalation_id = await record_request(tracker, "human_request", "request")
        dispatcher.utter_message(response="utter_request_human")
        return [SlotSet("last_escalation_id", escalation_id), FollowupAction("call_form")]
