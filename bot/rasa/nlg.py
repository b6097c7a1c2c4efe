"""Responses that listen: never the same sentence twice in a conversation.

Declared in ``endpoints.yml`` (``nlg: type: bot.rasa.nlg.ListeningNLG``); Rasa 3.6
builds it with ``nlg_class(endpoint_config=…, domain=…)``
(``rasa.core.nlg.generator._load_from_module_name_in_endpoint_config``). It is
Rasa's ``TemplatedNaturalLanguageGenerator`` with four changes:

- **No repeat.** Among the variations the conditions allow (``register: tu``,
  ``language: en``, channel: Rasa's own ``ResponseVariationFilter``), it picks
  one none of whose sentences (nor the gist of its question: "Comment
  allez-vous ce matin ?" is "Comment allez-vous ?") the bot already sent in
  this conversation (the tracker's bot events since the session started,
  check-ins included); when all were sent, the least recently sent. Each reply carries
  its variation's id in the bot event's metadata (``variation``), so a variation with a
  template variable is recognised whatever it was filled with.
- **Grief guard.** A cheerful response (``grief_guard`` in
  ``bot/resources/dialogue_fr.yml``: ``utter_mood_good`` …) asked for a message
  that speaks of a death or a loss is replaced by ``utter_grief_heard``.
- **Memory.** Each person message's names and topic are kept
  (``bot.companion.memory.remember``: Redis, 30 days, never health); a variation that
  uses ``{remembered_name}`` or ``{remembered_about}`` is chosen only when a
  name or topic may be brought back (at most once a day, once per mention),
  and is then preferred.
- It never fails a reply: without Redis it only loses the memory.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import logging
import random
import re
from typing import Any, Dict, List, Optional, Set, Text, Tuple

from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

from bot.core import clock

from bot.companion import memory
from bot.core.text import normalise_text

logger = logging.getLogger(__name__)

MEMORY_VARIABLES = ("remembered_name", "remembered_about")
# Sentences shorter than this ("Bonjour !", "D'accord.") may come back.
SHORTEST_SENTENCE = 10
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_SPACES = re.compile(r"\s+")


def sentences(text: str) -> Set[str]:
    """The sentences of a reply, folded (case and spacing), the short ones left out.

    Each question also gives its gist ("?comment allez vous" for "Comment
    allez-vous ce jeudi matin ?"), so the same question asked with another
    time of day counts as asked.
    """
    folded = _SPACES.sub(" ", (text or "").strip().lower())
    parts = {p.strip() for p in _SENTENCE_END.split(folded) if p.strip()}
    kept = {p for p in parts if len(p) >= SHORTEST_SENTENCE}
    if folded:
        kept.add(folded)
    fillers = memory.words().question_fillers
    for part in parts:
        if part.endswith("?"):
            gist = [w for w in normalise_text(part).split() if w not in fillers]
            if gist:
                kept.add("?" + " ".join(gist))
    return kept


def variation_id(utter_action: str, variation: Dict[str, Any]) -> str:
    """A stable id of one variation: its response name and raw text."""
    raw = f"{utter_action}|{variation.get('text') or ''}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:12]


def sent_in_conversation(tracker: Any) -> List[Tuple[Set[str], str]]:
    """(sentences, variation id) of each bot message since the session started."""
    sent: List[Tuple[Set[str], str]] = []
    for event in tracker.events:
        name = getattr(event, "type_name", "")
        if name == "session_started":
            sent = []
        elif name == "bot":
            metadata = getattr(event, "metadata", None) or {}
            sent.append((sentences(getattr(event, "text", "") or ""),
                         str(metadata.get("variation") or "")))
    return sent


def least_repeated(candidates: List[Dict[str, Any]],
                   sent: List[Tuple[Set[str], str]],
                   rng: Optional[random.Random] = None) -> Dict[str, Any]:
    """A candidate none of whose sentences was sent in this conversation.

    Else one not sent itself (only a sentence of it was), the least recently;
    else the one sent longest ago. Each candidate is ``{"_id": variation id,
    "text": filled text, …}``.
    """
    choice = rng.choice if rng else random.choice
    scores = []
    for candidate in candidates:
        mine = sentences(candidate.get("text") or "")
        itself, overlap = -1, -1
        for position, (said, said_id) in enumerate(sent):
            if (said_id and said_id == candidate["_id"]) or (
                    said and mine == said):
                itself = position
            if mine & said:
                overlap = position
        scores.append((itself >= 0, itself if itself >= 0 else overlap, overlap))
    best = min(scores)
    return choice([c for c, score in zip(candidates, scores) if score == best])


class ListeningNLG(TemplatedNaturalLanguageGenerator):
    """Templated responses without repeats, with the grief guard and a memory."""

    def __init__(self, endpoint_config: Any = None, domain: Any = None,
                 responses: Optional[Dict[Text, List[Dict[Text, Any]]]] = None,
                 redis: Any = None) -> None:
        """Read the responses from the domain; Redis from the endpoint (or given)."""
        if responses is None:
            responses = domain.responses if domain is not None else {}
        super().__init__(responses)
        kwargs = getattr(endpoint_config, "kwargs", None) or {}
        self.redis_url = getattr(endpoint_config, "url", None) or ""
        self.prefix = kwargs.get("key_prefix") or "lien"
        self._redis = redis
        self._clients: Dict[int, Any] = {}
        self._remembered: Dict[str, str] = {}

    # -- Redis ---------------------------------------------------------------------
    def _client(self) -> Any:
        if self._redis is not None:
            return self._redis
        if not self.redis_url:
            return None
        import redis.asyncio as aioredis

        loop = id(asyncio.get_running_loop())
        if loop not in self._clients:
            self._clients.clear()
            self._clients[loop] = aioredis.from_url(self.redis_url, socket_timeout=2)
        return self._clients[loop]

    async def _remember(self, tracker: Any, text: str, risky: bool) -> None:
        """Keep the latest message's names and topic, once per message."""
        client = self._client()
        message_id = getattr(tracker.latest_message, "message_id", None) or text
        if client is None or not text or text.startswith("/"):
            return  # no Redis, or an external intent (a check-in)
        if self._remembered.get(tracker.sender_id) == message_id:
            return
        self._remembered[tracker.sender_id] = message_id
        if len(self._remembered) > 10000:
            self._remembered.clear()
        try:
            await memory.remember(client, self.prefix, tracker.sender_id, text,
                                  clock.now(), risky=risky)
        except Exception as error:  # a reply is never lost for the memory
            logger.warning("memory not updated: %s", type(error).__name__)

    async def _follow_up(self, tracker: Any) -> Optional[memory.FollowUp]:
        client = self._client()
        if client is None:
            return None
        try:
            return await memory.follow_up(client, self.prefix, tracker.sender_id,
                                          clock.now())
        except Exception as error:
            logger.warning("memory not read: %s", type(error).__name__)
            return None

    async def _mark_asked(self, tracker: Any, what: memory.FollowUp) -> None:
        try:
            await memory.mark_asked(self._client(), self.prefix, tracker.sender_id,
                                    what, clock.now(), asker="conversation")
        except Exception as error:
            logger.warning("memory not updated: %s", type(error).__name__)

    # -- generation ----------------------------------------------------------------
    async def generate(self, utter_action: Text, tracker: Any, output_channel: Text,
                       **kwargs: Any) -> Optional[Dict[Text, Any]]:
        """The response for ``utter_action``, chosen not to repeat the conversation."""
        latest = getattr(tracker, "latest_message", None)
        text = getattr(latest, "text", None) or ""
        risky = _is_risky(getattr(latest, "parse_data", None) or {})
        await self._remember(tracker, text, risky)

        guard = memory.words().grief_guard.get(utter_action)
        if guard and guard in self.responses and text and memory.is_grief(text):
            utter_action = guard
        if utter_action not in self.responses:
            return None

        filled_slots = tracker.current_slot_values()
        variations = ResponseVariationFilter(self.responses).responses_for_utter_action(
            utter_action, output_channel, filled_slots)
        if not variations:
            return None
        follow = None
        if any(_uses_memory(v) for v in variations) and not risky and not (
                text and memory.is_grief(text)):
            follow = await self._follow_up(tracker)
        values = dict(kwargs)
        register = "tu" if str(filled_slots.get("register") or "") == "tu" else "vous"
        if follow is not None and follow.name:
            values["remembered_name"] = follow.name
        elif follow is not None and follow.topic is not None:
            values["remembered_about"] = follow.about(register)
        usable = [v for v in variations
                  if all(name in values for name in MEMORY_VARIABLES
                         if "{" + name + "}" in (v.get("text") or ""))]
        preferred = [v for v in usable if _uses_memory(v)]
        usable = preferred or usable or [v for v in variations if not _uses_memory(v)]
        if not usable:
            return None

        candidates = []
        for variation in usable:
            filled = self._fill_response(copy.deepcopy(variation), filled_slots, **values)
            candidates.append(dict(filled, _id=variation_id(utter_action, variation),
                                   _memory=_uses_memory(variation)))
        chosen = least_repeated(candidates, sent_in_conversation(tracker))
        used_memory = chosen.pop("_memory")
        chosen["variation"] = chosen.pop("_id")
        if used_memory and follow is not None:
            await self._mark_asked(tracker, follow)
        return chosen


def _uses_memory(variation: Dict[str, Any]) -> bool:
    text = variation.get("text") or ""
    return any("{" + name + "}" in text for name in MEMORY_VARIABLES)


def _is_risky(parse_data: Dict[str, Any]) -> bool:
    """A message the NLU read as a risk: nothing of it is kept or said back."""
    intent = ((parse_data.get("intent") or {}).get("name") or "")
    if intent.startswith("risk_"):
        return True
    return any(e.get("entity") == "risk_level" for e in parse_data.get("entities") or [])
