"""Orientation for practical needs, to services kept in a data file per territory."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

SERVICES_DIR = Path(__file__).resolve().parent.parent / "bot" / "resources" / "services"
NEEDS = {
    "need_food": "food",
    "need_medication": "medication",
    "need_money": "money",
    "need_scam": "scam",
}


@lru_cache(maxsize=64)
def _territory_file(territory: str) -> Dict[str, Any]:
    path = SERVICES_DIR / f"{territory}.yml"
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def service_for(need: str, territory: Optional[str]) -> Dict[str, str]:
    """The service for a need in a territory, or the national default."""
    if territory and territory.isalnum():
        local = (_territory_file(territory).get("services") or {}).get(need)
        if local:
            return local
    return _territory_file("national")["services"][need]


class ActionOrientNeed(Action):
    """Point the person to the right service for a practical need."""

    def name(self) -> Text:
        """Action name."""
        return "action_orient_need"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Answer with the service's name and number, in the domain's wording."""
        intent = (tracker.latest_message.get("intent") or {}).get("name", "")
        need = NEEDS.get(intent)
        if need is None:
            dispatcher.utter_message(response="utter_ask_more")
            return []
        service = service_for(need, tracker.get_slot("territory"))
        dispatcher.utter_message(
            response=f"utter_need_{need}",
            service_name=service["name"],
            service_phone=service["phone"],
        )
        return []
