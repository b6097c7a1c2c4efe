"""Talking to the running assistant over the REST channel (the ``chat`` fixture)."""

from __future__ import annotations

import requests

from tests.support.settings import AUTH


class Chat:
    """Talks to the Rasa server's REST channel as one person."""

    def __init__(self, rasa_url: str, sender: str) -> None:
        self.rasa_url = rasa_url
        self.sender = sender

    def say(self, text: str) -> list:
        """Send a message; return the bot's messages."""
        reply = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
            params=AUTH, timeout=60,
        )
        assert reply.status_code == 200, reply.text
        return reply.json()

    def texts(self, text: str) -> list:
        """Send a message; return the bot's texts."""
        return [m.get("text", "") for m in self.say(text)]

    def trigger(self, intent: str) -> dict:
        """Trigger an external intent (a check-in) for this person."""
        reply = requests.post(
            f"{self.rasa_url}/conversations/{self.sender}/trigger_intent",
            json={"name": intent},
            params=AUTH, timeout=60,
        )
        assert reply.status_code == 200, reply.text
        return reply.json()

    def tracker(self) -> dict:
        """The conversation's tracker."""
        return requests.get(
            f"{self.rasa_url}/conversations/{self.sender}/tracker", params=AUTH,
            timeout=30
        ).json()
