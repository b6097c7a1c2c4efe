"""Escalations: a risk message or a request for a human becomes a record in Redis."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SETTINGS, get_redis, spool_path
from bot.safety.escalation import (
    Escalation, escalation_for_message, escalation_from_context, record_or_spool,
)

logger = logging.getLogger(__name__)


def _latest(tracker: Tracker) -> Dict[str, Any]:
    return tracker.latest_message or {}


async def record_request(
    tracker: Tracker, category: str, source: str, level: str = "request"
) -> str:
    """Record that the person needs a human (not a risk); return the escalation id."""
    latest = _latest(tracker)
    intent = latest.get("intent") or {}
    escalation = Escalation(
        sender_id=tracker.sender_id,
        category=category,
        level=level,
        channel=tracker.get_latest_input_channel() or "",
        source=source,
        intent=intent.get("name") or "",
        confidence=float(intent.get("confidence") or 0),
        message_id=latest.get("message_id") or "",
        text=latest.get("text") or "",
    )
    _, escalation_id = await record_or_spool(
        get_redis(), escalation, SETTINGS.key_prefix, spool_path()
    )
    return escalation_id


class ActionEscalate(Action):
    """Record the escalation of the latest (risk) message."""

    def name(self) -> Text:
        """Action name."""
        return "action_escalate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Write the record (idempotent: the tracker store may have done it)."""
        latest = _latest(tracker)
        escalation = escalation_for_message(
            tracker.sender_id,
            latest,
            tracker.get_latest_input_channel(),
            latest.get("message_id"),
            recorded_by="action",
        )
        context = tracker.get_slot("risk_context")
        if context:
            # Read from context by the RiskPolicy (a risk over two messages, a
            # yes to a safety question): it outranks the message's own reading.
            from_context = escalation_from_context(
                tracker.sender_id, context, latest, tracker.get_latest_input_channel(),
                latest.get("message_id"), recorded_by="action")
            if from_context is not None and (
                    escalation is None or escalation.level == "watch"):
                escalation = from_context
        if escalation is None:
            # Called without a risk intent: when in doubt, escalate.
            escalation_id = await record_request(
                tracker, "human_request", "action", level="high"
            )
            return [SlotSet("last_escalation_id", escalation_id)]
        _, escalation_id = await record_or_spool(
            get_redis(), escalation, SETTINGS.key_prefix, spool_path()
        )
        events = [SlotSet("last_escalation_id", escalation_id)]
        if context:
            events.append(SlotSet("risk_context", None))
        return events


class ActionRequestHuman(Action):
    """The person asked for a human: record a request, tell them someone will call."""

    def name(self) -> Text:
        """Action name."""
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Write a request-level escalation and answer."""
        escalation_id = await record_request(tracker, "human_request", "request")
        dispatcher.utter_message(response="utter_request_human")
        return [SlotSet("last_escalation_id", escalation_id)]
