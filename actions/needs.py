"""Orientation for practical needs, to services kept as data per territory.

The services, their order and their numbers live in ``bot/resources/services``
(read by :mod:`bot.companion.services`); the wording lives in the domain's
``utter_need_*`` responses, filled with the first two entries of the need.
Asked again in the same session, the person gets the next entries
(``utter_need_more``) rather than the same reply.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.companion.services import Service, need_of, reply_entries, services_for

NEEDS = {
    "need_food": "food",
    "need_housing": "housing",
    "need_medication": "medication",
    "need_money": "money",
    "need_scam": "scam",
}
MORE = "utter_need_more"


def service_for(need: str, territory: Optional[str]) -> Dict[str, str]:
    """The first entry for a need in a territory (``name``, ``phone``, ``contact``)."""
    first = services_for(need, territory)[0]
    return {"name": first.name, "phone": first.phone, "contact": first.contact}


def _fill(prefix: str, service: Service) -> Dict[str, str]:
    return {f"{prefix}_name": service.name, f"{prefix}_contact": service.contact,
            f"{prefix}_does": service.does}


def shown_before(tracker: Tracker, need: str) -> List[str]:
    """Ids of the entries already given for this need since the session started."""
    shown: List[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        metadata = event.get("metadata") or {}
        if event.get("event") == "bot" and metadata.get("need") == need:
            shown.extend(str(metadata.get("shown") or "").split())
    return shown


class ActionOrientNeed(Action):
    """Point the person to the right services for a practical need."""

    def name(self) -> Text:
        """Action name."""
        return "action_orient_need"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Answer with the two most urgent entries, in the domain's wording."""
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name", "")
        if intent not in NEEDS:
            dispatcher.utter_message(response="utter_ask_more")
            return []
        need = need_of(NEEDS[intent], message.get("text") or "")
        before = shown_before(tracker, need)
        entries = reply_entries(need, tracker.get_slot("territory"), before)
        if len(entries) < 2:  # one new entry left: said with the most urgent one
            listed = services_for(need, tracker.get_slot("territory"))
            entries += [entry for entry in listed if entry not in entries][:1]
        again = entries[0].id not in before if before else False
        first, then = entries[0], entries[1]
        dispatcher.utter_message(
            response=MORE if again else f"utter_need_{need}",
            need=need,
            shown=" ".join(entry.id for entry in entries),
            service_phone=first.contact,
            **_fill("service", first),
            **_fill("next", then),
        )
        return []
