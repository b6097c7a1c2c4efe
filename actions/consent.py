"""Consent: the person stops or resumes automated messages."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import get_redis, person_key


async def _set_status(tracker: Tracker, status: str) -> None:
    await get_redis().hset(
        person_key(tracker.sender_id),
        mapping={
            "status": status,
            "consent_changed_at": f"{time.time():.3f}",
            "consent_channel": tracker.get_latest_input_channel() or "",
        },
    )


class ActionOptOut(Action):
    """Stop every automated message to this person, at once."""

    def name(self) -> Text:
        """Action name."""
        return "action_opt_out"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Record the opt-out and confirm it once."""
        status = await get_redis().hget(person_key(tracker.sender_id), "status")
        await _set_status(tracker, "opted_out")
        if status != b"opted_out":
            dispatcher.utter_message(response="utter_opt_out")
        return []


class ActionOptIn(Action):
    """The person agrees to (or resumes) presence messages."""

    def name(self) -> Text:
        """Action name."""
        return "action_opt_in"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Record the consent and confirm."""
        await _set_status(tracker, "active")
        dispatcher.utter_message(response="utter_opt_in")
        return []
