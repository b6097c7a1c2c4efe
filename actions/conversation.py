"""Conversation upkeep: the empathetic fallback and the offer of a human."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.calls import person_timezone
from actions.escalation import record_request
from bot.core import clock
from bot.calls.when import booking_request
from bot.companion.memory import is_grief, reflection

FALLBACK_INTENT = "nlu_fallback"
MISUNDERSTANDINGS_BEFORE_HUMAN = 2
# An answer this long to the assistant's question is an answer, even unread.
LONG_ANSWER = 80


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
    """Not understood: say back what the message is about; after two in a row, offer a human.

    A message about a death or a loss gets condolences, never a request to
    rephrase. A long answer (``LONG_ANSWER`` characters or more) to the
    assistant's own question is thanked for and followed by a different open
    question. Nothing of a message with a risk or an insult is said back.
    """

    def name(self) -> Text:
        """Action name."""
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Answer, and record a request once the bot keeps misunderstanding."""
        text = tracker.latest_message.get("text") or ""
        if not _risky(tracker) and booking_request(
                text, clock.now(), await person_timezone(tracker.sender_id)):
            # "dem1 vers 16h", "on s'appelle samedi ?": a call asked for at a moment,
            # whatever the NLU made of it, opens the booking form (which reads it).
            return [FollowupAction("call_form")]
        misunderstood = consecutive_misunderstandings(tracker)
        if misunderstood >= MISUNDERSTANDINGS_BEFORE_HUMAN:
            dispatcher.utter_message(response="utter_offer_human")
            if misunderstood == MISUNDERSTANDINGS_BEFORE_HUMAN:
                await record_request(tracker, "misunderstood", "fallback")
            return []
        if is_grief(text):
            dispatcher.utter_message(response="utter_grief_heard")
            return []
        register = "tu" if tracker.get_slot("register") == "tu" else "vous"
        about = reflection(text, register, risky=_risky(tracker))
        if len(text.strip()) >= LONG_ANSWER and _bot_just_asked(tracker):
            if about:
                dispatcher.utter_message(response="utter_fallback_long_reflect", about=about)
            else:
                dispatcher.utter_message(response="utter_fallback_long")
        elif about:
            dispatcher.utter_message(response="utter_fallback_reflect", about=about)
        else:
            dispatcher.utter_message(response="utter_fallback")
        return []


def _risky(tracker: Tracker) -> bool:
    """The NLU read a risk in the latest message (its entities or intent)."""
    message = tracker.latest_message or {}
    intent = ((message.get("intent") or {}).get("name") or "")
    return intent.startswith("risk_") or any(
        e.get("entity") == "risk_level" for e in message.get("entities") or [])


def _bot_just_asked(tracker: Tracker) -> bool:
    """Whether the assistant's last message, before this one, ended on a question."""
    events = list(tracker.events)
    if events and events[-1].get("event") == "user":
        events = events[:-1]
    for event in reversed(events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            return (event.get("text") or "").rstrip().endswith("?")
    return False


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
