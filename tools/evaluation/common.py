"""Shared by every evaluation: the sets, their halves, intervals, the in-process driver."""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Tuple

from bot.core.config import PROJECT_ROOT
from bot.core.text import normalise_text

EVAL_DIR = PROJECT_ROOT / "tests" / "eval"


HALVES = ("dev", "sealed")
CLEAR_PREFIX = "utter_risk_"
ASK_PREFIX = "utter_safety_ask_"


def training_pairs() -> List[Tuple[str, str]]:
    """The NLU training examples (entity marks removed) with their intent ("" for lookups)."""
    import yaml

    pairs = []
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                line = re.sub(r"^\s*-\s*", "", line).strip()
                if line:
                    pairs.append((re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line),
                                  str(block.get("intent") or "")))
    return pairs


def training_texts() -> list:
    """Training examples, lexicon examples and earlier test phrases."""
    import yaml

    root = PROJECT_ROOT
    texts = [text for text, _ in training_pairs()]
    lexicon = yaml.safe_load((root / "bot" / "lexicon" / "risk_fr.yml").read_text("utf-8"))
    for section in ("safe", "present", "patterns"):
        for entry in lexicon.get(section) or []:
            texts.extend(entry.get("examples") or [])
    phrases = root / "tests" / "data" / "risk_phrases.yml"
    if phrases.exists():
        for value in yaml.safe_load(phrases.read_text("utf-8")).values():
            for item in value if isinstance(value, list) else []:
                texts.append(item if isinstance(item, str) else str(item.get("text", "")))
    return texts


def _tokens(text: str) -> frozenset:

    return frozenset(normalise_text(text).split())


class NearIndex:
    """Overlap with training: exact normalised matches, and token-set Jaccard >= 0.8
    for longer texts.
    """

    def __init__(self, texts: list) -> None:
        """Index the texts."""
        self.exact = {normalise_text(t) for t in texts}
        self.sets = [_tokens(t) for t in texts]
        self.by_token = defaultdict(set)
        for i, tokens in enumerate(self.sets):
            for token in tokens:
                self.by_token[token].add(i)

    def near(self, text: str) -> bool:
        """Whether ``text`` is, or nearly is, one of the texts."""
        if normalise_text(text) in self.exact:
            return True
        tokens = _tokens(text)
        if len(tokens) < 5:
            return False
        counts = Counter(i for t in tokens for i in self.by_token.get(t, ()))
        for i, shared in counts.items():
            if shared / len(tokens | self.sets[i]) >= 0.8:
                return True
        return False


def wilson(k: int, n: int, z: float = 1.96) -> Tuple[float, float]:
    """95% Wilson interval of k successes in n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class Rate:
    """k of n, with its interval."""

    k: int = 0
    n: int = 0

    def add(self, hit: bool) -> None:
        """Count one case."""
        self.n += 1
        self.k += int(hit)

    @property
    def value(self) -> float:
        """K / n (1.0 when n is 0)."""
        return self.k / self.n if self.n else 1.0

    def __str__(self) -> str:
        low, high = wilson(self.k, self.n)
        return f"{self.value:.3f} [{low:.2f}–{high:.2f}] ({self.k}/{self.n})"


def load_set(name: str, half: str) -> List[Dict[str, Any]]:
    """One half of one set."""
    path = EVAL_DIR / f"{name}.{half}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def sample_set(lines: List[Dict[str, Any]], one_in: int) -> List[Dict[str, Any]]:
    """A fixed share of a set: the lines whose text (or turns) hashes to 0 mod
    ``one_in``. A line stays in or out whatever is added around it, so the
    sample's figures move only with the assistant and the lines added to it.
    """
    if one_in <= 1:
        return list(lines)
    kept = []
    for line in lines:
        key = line.get("text") or "\n".join(line.get("turns") or [])
        if int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % one_in == 0:
            kept.append(line)
    return kept


@dataclass
class Turn:
    """What the assistant did with one message."""

    band: str  # "clear", "uncertain" or ""
    category: str
    first_text: str
    actions: List[str]
    intent: str
    texts: List[str] = field(default_factory=list)


class Driver:
    """Talks to a loaded Rasa agent as many new people."""

    def __init__(self, model: Path) -> None:
        """Load the model once."""
        from rasa.core.agent import Agent
        from rasa.utils.endpoints import EndpointConfig

        logging.getLogger("rasa").setLevel(logging.ERROR)
        # The production wording: endpoints.yml's ListeningNLG (no repeated
        # sentence), without its Redis memory (no url: nothing is kept).
        self.agent = Agent.load(str(model),
                                generator=EndpointConfig(type="bot.rasa.nlg.ListeningNLG"))
        quiet_rasa()

    async def _tracker(self, sender: str) -> Any:
        tracker = self.agent.tracker_store.retrieve(sender)
        return await tracker if inspect.isawaitable(tracker) else tracker

    async def say(self, sender: str, text: str) -> Turn:
        """Send one message; read the band from the actions Rasa chose."""
        replies = await self.agent.handle_text(text, sender_id=sender)
        tracker = await self._tracker(sender)
        actions: List[str] = []
        intent = ""
        for event in reversed(tracker.events):
            if event.type_name == "user":
                intent = (event.intent or {}).get("name") or ""
                break
            if event.type_name == "action" and event.action_name:
                actions.append(event.action_name)
        actions.reverse()
        band, category = "", ""
        for action in actions:
            if action.startswith(CLEAR_PREFIX):
                band, category = "clear", action[len(CLEAR_PREFIX):].split("_")[0]
                break
            if action.startswith(ASK_PREFIX) and not band:
                band, category = "uncertain", action[len(ASK_PREFIX):]
        texts = [r.get("text") or "" for r in replies or []]
        return Turn(band, category, texts[0] if texts else "", actions, intent, texts)

    async def trigger(self, sender: str, intent: str) -> None:
        """A proactive message (check-in) before the person's first turn."""
        await self.agent.handle_text(f"/{intent}", sender_id=sender)


def quiet_rasa() -> None:
    """No debug output from Rasa: its parse log would print the sealed lines."""
    import structlog

    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
