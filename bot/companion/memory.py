"""What a person shared, said back: names of people and pets, the topic of a message.

Two uses, one set of patterns (``bot/resources/dialogue_fr.yml``):

- ``reflection(text, register)``: the noun phrase a not-understood message is
  about ("de votre fille Julie", "de votre jardin"), or None when nothing
  usable is found, or when the message must not be echoed (a risk, an insult).
- a short per-person memory in Redis, ``{p}:memory:{person_id}`` (a hash, 30-day
  TTL refreshed at each write, erased with the person by ``bot.people.privacy``):
  ``names`` (JSON: name, relation word, kind, when, asked), ``topic`` (a topic's
  first word), ``topic_ts``, ``topic_asked``, and ``asked_ts``, ``asked_by``,
  ``asked_what`` (the last time a name or topic was brought back: at most once
  a day, once per mention, not within the hour it was shared). Never the
  message, never health: a message with a health word leaves no topic, one
  about a death or a risk leaves no name and removes the names it contains.

Extraction is by patterns, not a model: a possessive (ma, mon, mes, notre,
nos), a relation word, then a capitalised word, or any word after "qui
s'appelle" / "nommé".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bot.core.config import PROJECT_ROOT
from bot.safety.risk import load_lexicon
from bot.core.text import normalise_pattern, normalise_text
from bot.core.keys import MemoryKeys
from bot.core.ports import RedisClient

PATH = PROJECT_ROOT / "bot" / "resources" / "dialogue_fr.yml"
MEMORY_TTL = 30 * 24 * 3600
MAX_NAMES = 5
# "At most once a day": a morning check-in and the next morning's are ~24 h
# apart, give or take the worker's jitter.
ASK_AGAIN_AFTER = 20 * 3600
# Not right after it was said: "Comment va Inès ?" a minute after hearing of her
# sounds like not listening.
MENTION_SETTLES = 3600
POSSESSIVES = {"ma", "mon", "mes", "notre", "nos"}
_TOKEN = re.compile(r"\w+(?:-\w+)*")


@dataclass(frozen=True)
class Relation:
    """A relation word and how a reply says it back."""

    key: str
    kind: str
    words: Tuple[str, ...]
    vous: str
    tu: str


@dataclass(frozen=True)
class Topic:
    """A topic a message may be about (never health)."""

    key: str
    words: Tuple[str, ...]
    vous: str
    tu: str


@dataclass(frozen=True)
class Mention:
    """A person or pet named in a message."""

    relation: Relation
    name: str = ""

    def about(self, register: str) -> str:
        """"de votre chat Pompon" / "de ta fille"."""
        phrase = self.relation.tu if register == "tu" else self.relation.vous
        return f"{phrase} {self.name}" if self.name else phrase


@dataclass
class Shared:
    """What one message shares."""

    mentions: List[Mention] = field(default_factory=list)
    topic: Optional[Topic] = None


@dataclass(frozen=True)
class DialogueWords:
    """The patterns of ``dialogue_fr.yml``, compiled."""

    relations: Tuple[Relation, ...]
    topics: Tuple[Topic, ...]
    name_links: Tuple[Tuple[str, ...], ...]
    not_names: frozenset
    grief: Tuple["re.Pattern[str]", ...]
    no_echo: Tuple["re.Pattern[str]", ...]
    no_memory: Tuple["re.Pattern[str]", ...]
    grief_guard: Dict[str, str]
    question_fillers: frozenset


@lru_cache(maxsize=1)
def words() -> DialogueWords:
    """The dialogue's word lists, read once."""
    raw = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    relations = tuple(
        Relation(normalise_text(r["words"][0]), r["kind"],
                 tuple(normalise_text(w) for w in r["words"]), r["vous"], r["tu"])
        for r in raw["relations"]
    )
    topics = tuple(
        Topic(normalise_text(t["words"][0]), tuple(normalise_text(w) for w in t["words"]),
              t["vous"], t["tu"])
        for t in raw["topics"]
    )
    return DialogueWords(
        relations=relations,
        topics=topics,
        name_links=tuple(tuple(normalise_text(link).split()) for link in raw["name_links"]),
        not_names=frozenset(normalise_text(str(w)) for w in raw["not_names"]),
        grief=tuple(re.compile(normalise_pattern(p)) for p in raw["grief"]),
        no_echo=tuple(re.compile(normalise_pattern(p)) for p in raw["no_echo"]),
        no_memory=tuple(re.compile(normalise_pattern(p)) for p in raw["no_memory"]),
        grief_guard=dict(raw.get("grief_guard") or {}),
        question_fillers=frozenset(normalise_text(str(w))
                                   for w in raw.get("question_fillers") or []),
    )


def _tokens(text: str) -> List[Tuple[str, str]]:
    """(original, folded) word pairs; "petit-fils" folds to two words, kept as one."""
    pairs = []
    for token in _TOKEN.findall(text or ""):
        folded = normalise_text(token)
        if folded:
            pairs.append((token, folded))
    return pairs


def is_grief(text: str) -> bool:
    """Whether a message speaks of a death, a loss or a mourning."""
    folded = normalise_text(text or "")
    return any(p.search(folded) for p in words().grief)


def must_not_echo(text: str, risky: bool = False) -> bool:
    """A message with a risk or an insult: nothing of it is said back."""
    if risky:
        return True
    folded = normalise_text(text or "")
    if any(p.search(folded) for p in words().no_echo):
        return True
    return load_lexicon().match(text) is not None


def _has_health(text: str) -> bool:
    folded = normalise_text(text or "")
    return any(p.search(folded) for p in words().no_memory)


def _relation_at(folded: Sequence[str], start: int) -> Tuple[Optional[Relation], int]:
    """The longest relation word starting at ``start``, and where it ends."""
    for size in (3, 2, 1):
        if start + size > len(folded):
            continue
        phrase = " ".join(folded[start:start + size])
        for relation in words().relations:
            if phrase in relation.words:
                return relation, start + size
    return None, start


def _name_at(tokens: List[Tuple[str, str]], index: int) -> str:
    """A name right after a relation word (capitalised, or after "qui s'appelle")."""
    vocabulary = words()
    folded = [f for _, f in tokens]
    for link in vocabulary.name_links:
        if tuple(folded[index:index + len(link)]) == link:
            index += len(link)
            if index < len(tokens) and folded[index] not in vocabulary.not_names:
                return tokens[index][0][:1].upper() + tokens[index][0][1:]
            return ""
    if index < len(tokens):
        original, fold = tokens[index]
        if (original[:1].isupper() and original[1:2].islower()
                and fold not in vocabulary.not_names and len(original) >= 2):
            return original
    return ""


def extract(text: str) -> Shared:
    """The people, pets and topic a message speaks of."""
    tokens = _tokens(text)
    folded = [f for _, f in tokens]
    shared = Shared()
    seen = set()
    for index, word in enumerate(folded):
        if word not in POSSESSIVES:
            continue
        relation, end = _relation_at(folded, index + 1)
        if relation is None:
            continue
        mention = Mention(relation, _name_at(tokens, end))
        if (relation.key, mention.name) not in seen:
            seen.add((relation.key, mention.name))
            shared.mentions.append(mention)
    joined = f" {' '.join(folded)} "
    for topic in words().topics:
        if any(f" {w} " in joined for w in topic.words):
            shared.topic = topic
            break
    return shared


def reflection(text: str, register: str = "vous", risky: bool = False) -> Optional[str]:
    """What a message is about, to say back ("de votre fille Julie"), or None."""
    if must_not_echo(text, risky):
        return None
    shared = extract(text)
    named = [m for m in shared.mentions if m.name]
    if named or shared.mentions:
        return (named or shared.mentions)[0].about(register)
    if shared.topic is not None and not _has_health(text):
        return shared.topic.tu if register == "tu" else shared.topic.vous
    return None


# -- per-person memory in Redis ---------------------------------------------------
def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else ("" if value is None else str(value))


async def _load(redis: RedisClient, key: str) -> Dict[str, str]:
    return {_s(k): _s(v) for k, v in (await redis.hgetall(key)).items()}


def _names(record: Dict[str, str]) -> List[Dict[str, Any]]:
    try:
        names = json.loads(record.get("names") or "[]")
    except ValueError:
        return []
    return [n for n in names if isinstance(n, dict) and n.get("name")]


async def remember(redis: RedisClient, prefix: str, person_id: str, text: str, now_ts: float,
                   risky: bool = False) -> bool:
    """Keep the names and topic of one message; return whether memory changed.

    A message about a death, with a risk or an insult keeps nothing, and the
    names it contains are forgotten: nobody is asked "Comment va …" about them.
    """
    key = MemoryKeys(prefix).memory(person_id)
    shared = extract(text)
    folded = f" {normalise_text(text or '')} "
    if is_grief(text) or must_not_echo(text, risky):
        record = await _load(redis, key)
        names = _names(record)
        kept = [n for n in names if f" {normalise_text(n['name'])} " not in folded
                and not any(m.relation.key == n.get("rel") for m in shared.mentions)]
        if len(kept) == len(names):
            return False
        await redis.hset(key, "names", json.dumps(kept, ensure_ascii=False))
        return True
    named = [m for m in shared.mentions if m.name]
    topic = None if _has_health(text) else shared.topic
    if not named and topic is None:
        return False
    record = await _load(redis, key)
    names = _names(record)
    for mention in reversed(named):  # the first one named comes first
        names = [n for n in names if n["name"] != mention.name]
        names.insert(0, {"name": mention.name, "rel": mention.relation.key,
                         "kind": mention.relation.kind, "ts": int(now_ts), "asked": 0})
    mapping = {"names": json.dumps(names[:MAX_NAMES], ensure_ascii=False)}
    if topic is not None:
        mapping.update(topic=topic.key, topic_ts=str(int(now_ts)), topic_asked="0")
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, mapping=mapping)
        pipe.expire(key, MEMORY_TTL)
        await pipe.execute()
    return True


@dataclass(frozen=True)
class FollowUp:
    """Something to ask about again: a name ("Pompon") or a topic phrase."""

    name: str = ""
    topic: Optional[Topic] = None

    def about(self, register: str) -> str:
        """The topic as said back ("de votre jardin")."""
        if self.topic is None:
            return ""
        return self.topic.tu if register == "tu" else self.topic.vous


async def follow_up(redis: RedisClient, prefix: str, person_id: str, now_ts: float,
                    asker: str = "") -> Optional[FollowUp]:
    """A name or topic to bring back now, at most once a day, or None.

    ``asker`` names who asks (a check-in and its day): the same asker gets the
    same answer again, so a retried check-in says the same thing. A name
    shared less than ``MENTION_SETTLES`` seconds ago waits.
    """
    record = await _load(redis, MemoryKeys(prefix).memory(person_id))
    if not record:
        return None
    asked_ts = float(record.get("asked_ts") or 0)
    same_asker = bool(asker) and record.get("asked_by") == asker
    if now_ts - asked_ts < ASK_AGAIN_AFTER and not same_asker:
        return None
    if same_asker and record.get("asked_what"):
        what = record["asked_what"]
        if what.startswith("topic:"):
            topic = _topic(what[6:])
            return FollowUp(topic=topic) if topic else None
        # Unless the name was forgotten since (a death, a risk).
        known = {entry["name"] for entry in _names(record)}
        return FollowUp(name=what[5:]) if what[5:] in known else None
    for entry in _names(record):
        if not entry.get("asked") and now_ts - float(entry.get("ts") or 0) >= MENTION_SETTLES:
            return FollowUp(name=entry["name"])
    if (record.get("topic") and record.get("topic_asked") != "1"
            and now_ts - float(record.get("topic_ts") or 0) >= MENTION_SETTLES):
        topic = _topic(record["topic"])
        if topic is not None:
            return FollowUp(topic=topic)
    return None


def _topic(key: str) -> Optional[Topic]:
    return next((t for t in words().topics if t.key == key), None)


async def mark_asked(redis: RedisClient, prefix: str, person_id: str, what: FollowUp,
                     now_ts: float, asker: str = "") -> None:
    """Note that a name or topic was brought back (not again until shared again)."""
    key = MemoryKeys(prefix).memory(person_id)
    record = await _load(redis, key)
    mapping = {"asked_ts": str(int(now_ts)), "asked_by": asker}
    if what.name:
        names = _names(record)
        for entry in names:
            if entry["name"] == what.name:
                entry["asked"] = 1
        mapping["names"] = json.dumps(names, ensure_ascii=False)
        mapping["asked_what"] = f"name:{what.name}"
    elif what.topic is not None:
        mapping["topic_asked"] = "1"
        mapping["asked_what"] = f"topic:{what.topic.key}"
    if await redis.exists(key):
        await redis.hset(key, mapping=mapping)
