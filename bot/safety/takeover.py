"""Human takeover: a listener talks with the person on the person's own channel.

Rasa runs no actions on a paused conversation, so the bot falls silent while the
person's messages are still recorded in the conversation (risk in them is still
detected and escalated by the tracker store); the channel layer copies them to
``{p}:live:{id}`` for the console. The listener's replies go out through the
channel's output and are added to the Rasa conversation as bot events, so the
transcript is whole. On resolve the conversation resumes and the assistant
offers to book the next call (``EXTERNAL_human_done``).
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

import aiohttp

from bot.safety import cases
from bot.core.config import PROJECT_ROOT
from bot.people.registry import Keys
from bot.core.keys import live_key
from bot.core.config import load_settings
from bot.core.ports import DeliveryError, RedisClient
from bot.core.records import Person, as_person
from bot.core.wording import load

WORDING = PROJECT_ROOT / "bot" / "resources" / "takeover_fr.yml"


def wording() -> Dict[str, Any]:
    """The takeover wording file."""
    return load(WORDING.name)


class Takeover:
    """Joins, replies and leaves for listeners (the console calls these)."""

    def __init__(self, redis: RedisClient, prefix: str, rasa_url: str, outputs: Any,
                 token: Optional[str] = None) -> None:
        self.redis = redis
        self.prefix = prefix
        self.rasa_url = rasa_url.rstrip("/")
        self.outputs = outputs  # bot.delivery.DirectDelivery: the channels' outputs
        self.token = load_settings().rasa_token if token is None else token

    async def _events(self, person_id: str, events: List[Dict[str, Any]]) -> None:
        params = {"token": self.token} if self.token else {}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            async with http.post(f"{self.rasa_url}/conversations/{person_id}/tracker/events",
                                 json=events, params=params) as reply:
                reply.raise_for_status()

    async def _person(self, person_id: str) -> Person:
        raw = await self.redis.hgetall(Keys(self.prefix).person(person_id))
        return as_person({k.decode(): v.decode() for k, v in raw.items()})

    async def _say(self, person_id: str, text: str, listener: str) -> None:
        channel = person_id.partition(":")[0]
        try:
            output = self.outputs.output(channel)
        except DeliveryError:
            output = None  # a terminal chat: the reply is in the conversation only
        if output is not None:
            await output.send_text_message(person_id, text)
        await self._events(person_id, [{"event": "bot", "text": text, "timestamp": time.time(),
                                        "metadata": {"listener": listener}}])
        await self.redis.xadd(live_key(self.prefix, person_id),
                              {"from": "listener", "listener": listener, "text": text,
                               "ts": f"{time.time():.3f}"}, maxlen=1000, approximate=True)

    async def claim(self, case_id: str, listener: str, listener_name: str = "") -> bool:
        """Take the case: the bot falls silent and the person is told, in one line."""
        now = time.time()
        if not await cases.claim_case(self.redis, self.prefix, case_id, listener, now):
            return False
        case = await cases.get_case(self.redis, self.prefix, case_id)
        person_id = case["person_id"]
        try:
            await self._events(person_id, [{"event": "pause", "timestamp": now}])
        except Exception:
            # Rasa unreachable: the assistant would keep talking over the
            # listener. Give the case back to the queue (it pages again).
            await cases.release_case(self.redis, self.prefix, case_id, time.time())
            raise
        person = await self._person(person_id)
        register = "tu" if person.get("register") == "tu" else "vous"
        words = wording()
        await self._say(person_id, words["joined"][register].format(
            listener=listener_name or words["someone"]), listener)
        return True

    async def reply(self, case_id: str, listener: str, text: str) -> bool:
        """The listener writes to the person on their channel."""
        case = await cases.get_case(self.redis, self.prefix, case_id)
        if case.get("status") != "claimed" or case.get("claimed_by") != listener:
            return False
        text = text.strip()[:1500]
        if not text:
            return False
        await self._say(case["person_id"], text, listener)
        await cases.renew_claim(self.redis, self.prefix, case_id, time.time())
        return True

    async def resolve(self, case_id: str, outcome: str, orientation: str) -> bool:
        """Close the case; the assistant resumes and offers the next call."""
        case = await cases.get_case(self.redis, self.prefix, case_id)
        if not await cases.resolve_case(self.redis, self.prefix, case_id, outcome,
                                        orientation, time.time()):
            return False
        person_id = case["person_id"]
        await self._events(person_id, [{"event": "resume", "timestamp": time.time()}])
        await self._trigger(person_id, "EXTERNAL_human_done")
        return True

    async def _trigger(self, person_id: str, intent: str) -> None:
        """Let the assistant speak again (on the person's channel)."""
        channel = person_id.partition(":")[0]
        params = {"output_channel": channel if channel in ("sms", "telegram") else "latest"}
        if self.token:
            params["token"] = self.token
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
            async with http.post(
                f"{self.rasa_url}/conversations/{person_id}/trigger_intent",
                json={"name": intent}, params=params,
            ) as reply:
                reply.raise_for_status()

    async def live(self, person_id: str, after: str = "0-0",
                   count: int = 100) -> List[Dict[str, str]]:
        """The conversation's live messages after a stream id (for the console)."""
        entries = await self.redis.xrange(live_key(self.prefix, person_id),
                                          min=f"({after}" if after != "0-0" else "-",
                                          count=count)
        return [dict({k.decode(): v.decode() for k, v in fields.items()},
                     id=entry_id.decode()) for entry_id, fields in entries]


def listener_display(name: Optional[str]) -> str:
    """A listener's first name only."""
    return (name or "").split(" ")[0]
