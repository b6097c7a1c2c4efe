"""The next call with a human: the wish the person expressed is recorded."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SETTINGS, get_redis


class ActionBookCall(Action):
    """Record the requested call time and confirm it."""

    def name(self) -> Text:
        """Action name."""
        return "action_book_call"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Append the wish to the call requests stream, then confirm."""
        call_time = (tracker.get_slot("call_time") or "").strip()
        await get_redis().xadd(
            f"{SETTINGS.key_prefix}:call_requests",
            {
                "sender_id": tracker.sender_id,
                "channel": tracker.get_latest_input_channel() or "",
                "wish": call_time[:200],
                "created_ts": f"{time.time():.3f}",
            },
        )
        dispatcher.utter_message(response="utter_call_noted", call_time=call_time)
        return [SlotSet("call_time", None)]
