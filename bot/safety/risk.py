"""Risk detection on French text messages, from a curated lexicon.

The lexicon (``bot/lexicon/risk_fr.yml``) is data reviewed like code. Matching is
insensitive to case, accents, SMS spelling and repeated letters: the message and
every pattern go through the same normalisation before the patterns (regular
expressions) are searched in the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple, cast

import yaml

from bot.core.config import LEXICON_DIR
from bot.core.text import SUSPENSE_END, normalise_pattern, normalise_text, split_sentences

DEFAULT_LEXICON = LEXICON_DIR / "risk_fr.yml"

CATEGORIES = ("suicide", "violence", "child", "medical")
# A classifier's risk_* prediction counts from this confidence on (see make eval).
DEFAULT_CLASSIFIER_THRESHOLD = 0.96
LEVELS = ("critical", "high", "watch")
# watch: the uncertain band (ask directly, a human looks); never an alarm alone.
LEVEL_RANK = {"critical": 2, "high": 1, "watch": 0}
# A message of several short sentences up to this many words is also read whole.
SHORT_WHOLE_WORDS = 14
# What a harmless idiom is blanked to before risk matching: no pattern reads
# across it.
IDIOM_MARK = " ~ "


@dataclass(frozen=True)
class RiskPattern:
    """One lexicon entry: a regular expression for one category and level."""

    id: str
    category: str
    level: str
    regex: "re.Pattern[str]"
    examples: Tuple[str, ...] = ()
    # A family written for a kind of saying the readers were never trained on
    # (``trusted: true`` in the file): the readers' doubt does not silence it.
    trusted: bool = False


@dataclass(frozen=True)
class ReadSentence:
    """One sentence of a message as the lexicon reads it."""

    text: str  # as written
    prepared: str  # folded, abbreviations spelt out, idioms blanked
    idioms: int  # how many harmless idioms were blanked
    distant: bool  # told at a distance: fiction, news, long past, resolved


@dataclass(frozen=True)
class RiskMatch:
    """The outcome of matching a message: the most serious pattern found."""

    category: str
    level: str
    pattern_id: str
    all_pattern_ids: Tuple[str, ...] = field(default_factory=tuple)
    trusted: bool = False

    @property
    def intent(self) -> str:
        """The Rasa intent for this category."""
        return f"risk_{self.category}"


class LexiconError(ValueError):
    """The lexicon file is malformed."""


def _word_bounded(expression: str) -> "re.Pattern[str]":
    return re.compile(rf"(?<![a-z0-9])(?:{expression})(?![a-z0-9])")


# The ``source`` of a risk reading made on a sentence cut before its end.
FRAGMENT = "fragment"


def _folded(words: Optional[Iterable[object]]) -> FrozenSet[str]:
    return frozenset(normalise_text(str(w)) for w in words or ())


@dataclass(frozen=True)
class CutSentences:
    """The lexicon's ``unfinished:`` block: which messages stop before their end."""

    endings: FrozenSet[str] = frozenset()  # last words no sentence ends on
    endings_two: FrozenSet[str] = frozenset()  # last two words ("je vais")
    not_after: Dict[str, FrozenSet[str]] = field(default_factory=dict)
    bare_starts: FrozenSet[str] = frozenset()  # "Mon mari": a determiner first
    bare_words: int = 0
    max_words: int = 0
    continuation_ask: float = 2.0  # the end of a cut sentence is asked about from it

    @classmethod
    def from_dict(cls, raw: dict) -> "CutSentences":
        """Read the block, folded like the messages it is compared with."""
        return cls(endings=_folded(raw.get("endings")),
                   endings_two=_folded(raw.get("endings_two")),
                   not_after={normalise_text(str(k)): _folded(v)
                              for k, v in (raw.get("not_after") or {}).items()},
                   bare_starts=_folded(raw.get("bare_starts")),
                   bare_words=int(raw.get("bare_words", 0)),
                   max_words=int(raw.get("max_words", 0)),
                   continuation_ask=float(raw.get("continuation_ask", 2.0)))


class RiskLexicon:
    """A compiled risk lexicon: abbreviations, safe idioms and risk patterns."""

    def __init__(
        self,
        abbreviations: Dict[str, str],
        safe: List[RiskPattern],
        patterns: List[RiskPattern],
        category_priority: Iterable[str] = CATEGORIES,
        classifier_threshold: float = DEFAULT_CLASSIFIER_THRESHOLD,
    ) -> None:
        self.classifier_threshold = classifier_threshold
        # The uncertain band (see bot/rasa/nlu.py): measured on the dev half.
        self.classifier_ask = 0.7
        self.reading_clear = 0.97
        self.reading_ask = 0.8
        # Both readers together (their mean) and the lexicon's doubt (a word
        # that both readers find harmless): off unless the lexicon file sets them.
        self.combined_ask = 2.0
        self.lexicon_doubt = 0.0
        # A lexicon word of the uncertain level is asked about when a reader's
        # risk reading is at least this (0: always, as before 2026-12-04).
        self.lexicon_watch_support = 0.0
        # A message read as leaving (STOP, goodbye, thanks, a pause) is asked about
        # when the sentence reader's risk reading is at least this (2.0: never).
        self.leaving_ask = 2.0
        # Both readers at least this sure of a risk in a message with a distant
        # or idiomatic sentence: asked about (2.0: never, as before 2026-12-04).
        self.distance_override = 2.0
        # DIET sure of a risk is a clear risk when the sentence reader's reading is
        # at least this; below it, asked about.
        self.classifier_support = 0.0
        # DIET alone (sure, above the threshold) is not followed when the sentence
        # reader reads less risk than this (0.0: always followed, as before).
        self.classifier_floor = 0.0
        self.distance: List[RiskPattern] = []
        # What brings a sentence back to now ("cette fois j'irai jusqu'au bout, pas
        # comme en 2019"): a past told to say it starts again is not at a distance.
        self.present: List[RiskPattern] = []
        # A joke taken back ("…mdr. non mais en vrai j'y pense"): the sentence
        # that says so, and the one before it, are not at a distance.
        self.taken_back: List[RiskPattern] = []
        # A message cut before its end: the lexicon's ``unfinished`` block.
        self.cut = CutSentences()
        # Emoji read as the words they stand for (the lexicon's ``emoji`` block);
        # normalising drops every other one.
        self.emoji: Dict[str, str] = {}
        self._emoji_regex: Optional["re.Pattern[str]"] = None
        self.abbreviations = abbreviations
        self.safe = safe
        self.patterns = patterns
        self.category_priority = list(category_priority)
        keys = sorted(abbreviations, key=len, reverse=True)
        self._abbreviation_regex = (
            _word_bounded("|".join(re.escape(k) for k in keys)) if keys else None
        )

    @classmethod
    def load(cls, path: Path | str = DEFAULT_LEXICON) -> "RiskLexicon":
        """Read and validate a lexicon file."""
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle) or {}
        return cls.from_dict(raw)

    @classmethod
    def from_dict(cls, raw: dict) -> "RiskLexicon":
        """Build a lexicon from its YAML structure, checking every entry."""
        abbreviations = {}
        for key, value in (raw.get("abbreviations") or {}).items():
            folded_key = normalise_text(str(key))
            if not folded_key:
                raise LexiconError(f"empty abbreviation key {key!r}")
            abbreviations[folded_key] = normalise_text(str(value))
        priority = raw.get("category_priority") or list(CATEGORIES)
        seen_ids: set = set()
        safe = [cls._entry(e, seen_ids, is_safe=True) for e in raw.get("safe") or []]
        distance = [cls._entry(e, seen_ids, is_safe=True) for e in raw.get("distance") or []]
        present = [cls._entry(e, seen_ids, is_safe=True) for e in raw.get("present") or []]
        taken_back = [cls._entry(e, seen_ids, is_safe=True)
                      for e in raw.get("taken_back") or []]
        patterns = [cls._entry(e, seen_ids) for e in raw.get("patterns") or []]
        if not patterns:
            raise LexiconError("the lexicon has no risk pattern")
        threshold = float(raw.get("classifier_threshold", DEFAULT_CLASSIFIER_THRESHOLD))
        if not 0 < threshold <= 1:
            raise LexiconError(f"classifier_threshold out of (0, 1]: {threshold}")
        lexicon = cls(abbreviations, safe, patterns, priority, threshold)
        lexicon.distance = distance
        lexicon.present = present
        lexicon.taken_back = taken_back
        bands = raw.get("bands") or {}
        lexicon.classifier_ask = float(bands.get("classifier_ask", lexicon.classifier_ask))
        lexicon.reading_clear = float(bands.get("reading_clear", lexicon.reading_clear))
        lexicon.reading_ask = float(bands.get("reading_ask", lexicon.reading_ask))
        lexicon.combined_ask = float(bands.get("combined_ask", lexicon.combined_ask))
        lexicon.lexicon_doubt = float(bands.get("lexicon_doubt", lexicon.lexicon_doubt))
        lexicon.classifier_support = float(
            bands.get("classifier_support", lexicon.classifier_support))
        lexicon.classifier_floor = float(bands.get("classifier_floor", lexicon.classifier_floor))
        lexicon.distance_override = float(
            bands.get("distance_override", lexicon.distance_override))
        lexicon.lexicon_watch_support = float(
            bands.get("lexicon_watch_support", lexicon.lexicon_watch_support))
        lexicon.leaving_ask = float(bands.get("leaving_ask", lexicon.leaving_ask))
        lexicon.cut = CutSentences.from_dict(raw.get("unfinished") or {})
        lexicon.set_emoji(raw.get("emoji") or {})
        return lexicon

    def set_emoji(self, emoji: Dict[object, object]) -> None:
        """Read each emoji of ``emoji`` as its word (one substitution for all)."""
        words = {}
        for key, value in emoji.items():
            word = normalise_text(str(value))
            if not str(key).strip() or not word:
                raise LexiconError(f"emoji {key!r}: empty emoji or word")
            words[str(key)] = word
        self.emoji = words
        keys = sorted(words, key=len, reverse=True)
        self._emoji_regex = re.compile("|".join(map(re.escape, keys))) if keys else None

    @staticmethod
    def _entry(entry: dict, seen_ids: set, is_safe: bool = False) -> RiskPattern:
        entry_id = entry.get("id")
        if not entry_id or entry_id in seen_ids:
            raise LexiconError(f"missing or duplicate id: {entry_id!r}")
        seen_ids.add(entry_id)
        category = entry.get("category", "safe" if is_safe else None)
        level = entry.get("level", "none" if is_safe else None)
        if not is_safe and category not in CATEGORIES:
            raise LexiconError(f"{entry_id}: unknown category {category!r}")
        if not is_safe and level not in LEVELS:
            raise LexiconError(f"{entry_id}: unknown level {level!r}")
        try:
            regex = _word_bounded(normalise_pattern(str(entry["pattern"])))
        except (KeyError, re.error) as error:
            raise LexiconError(f"{entry_id}: bad pattern: {error}") from error
        examples = tuple(entry.get("examples") or ())
        if not examples:
            raise LexiconError(f"{entry_id}: every pattern needs examples")
        # Checked above (a safe entry's defaults are strings too).
        return RiskPattern(entry_id, cast(str, category), cast(str, level), regex, examples,
                           bool(entry.get("trusted", False)))

    def prepare(self, text: str) -> str:
        """The text every pattern is matched on.

        Emoji of the lexicon's ``emoji`` block become their words ("🔪" ->
        "couteau", a laughing face -> "mdr"); the text is then normalised (see
        ``normalise_text``: no accents, no punctuation, no other emoji, doubled
        letters squashed) and SMS abbreviations are spelt out, whole words only.
        """
        if self._emoji_regex is not None:
            text = self._emoji_regex.sub(lambda m: f" {self.emoji[m.group(0)]} ", text)
        folded = normalise_text(text)
        if self._abbreviation_regex is None:
            return folded
        return self._abbreviation_regex.sub(
            lambda m: self.abbreviations[m.group(0)], folded
        )

    def unfinished(self, text: Optional[str]) -> bool:
        """Whether a message stops before its sentence does.

        People cut a sentence over two messages ("je crois que je vais" / "en
        finir ce soir", "Mon mari" / "est rentré de l'hôpital hier"). Cut: no
        closing punctuation, and either the last word cannot end a French or
        English sentence (an article, a preposition, a clitic pronoun, an
        auxiliary: the ``endings``), or the whole message is a few words
        opening on a determiner (``bare_starts``, at most ``bare_words`` words).
        """
        stripped = (text or "").strip()
        if not stripped or re.search(r"[^\w\s,;:'’\-]$", stripped):
            return False  # ends on punctuation or an emoji: finished
        words = self.prepare(stripped).split()
        cut = self.cut
        if not words or len(words) > cut.max_words:
            return False
        if " ".join(words[-2:]) in cut.endings_two:
            return True
        if words[-1] in cut.endings:
            return len(words) < 2 or words[-2] not in cut.not_after.get(words[-1], ())
        return len(words) <= cut.bare_words and words[0] in cut.bare_starts

    def at_distance(self, text: Optional[str]) -> bool:
        """Whether any sentence of a message is told at a distance."""
        return any(sentence.distant for sentence in self.read_sentences(text))

    def read_sentences(self, text: Optional[str]) -> List[ReadSentence]:
        """The one sentence pass that ``match``, ``here_and_now`` and
        ``at_distance`` share: each sentence prepared, its idioms blanked, and
        whether it is told at a distance. Sentences cut by a suspense ellipsis
        are joined back when the joke is whole only together.
        """
        read: List[ReadSentence] = []
        for sentence in self._suspense_joined(split_sentences(text or "")):
            neutral, idioms = self._neutralised(self.prepare(sentence))
            read.append(ReadSentence(sentence, neutral, idioms, self.is_distant(neutral)))
        for index, reading in enumerate(read):
            if any(entry.regex.search(reading.prepared) for entry in self.taken_back):
                # the joke is taken back: this sentence and the one before are meant
                for at in (index - 1, index):
                    if at >= 0 and read[at].distant:
                        read[at] = replace(read[at], distant=False)
        return read

    def is_distant(self, prepared: str) -> bool:
        """A sentence told at a distance: fiction, news, long past, or resolved;
        not one that says the past starts again now (the ``present`` entries).
        """
        return any(entry.regex.search(prepared) for entry in self.distance) and not any(
            entry.regex.search(prepared) for entry in self.present)

    def neutralise(self, prepared: str) -> str:
        """Blank out harmless idioms ("mort de rire") before risk matching."""
        return self._neutralised(prepared)[0]

    def _neutralised(self, prepared: str) -> Tuple[str, int]:
        """``prepared`` with its idioms blanked, and how many were."""
        count = 0
        for entry in self.safe:
            prepared, n = entry.regex.subn(IDIOM_MARK, prepared)
            count += n
        return prepared, count

    def here_and_now(self, text: Optional[str]) -> Tuple[List[str], bool]:
        """The sentences of a message told here and now, prepared, their harmless
        idioms cut out ("laissé tomber", "mort de rire"), and whether anything
        was left out: a sentence told at a distance (a film, the news, "il y a
        deux ans") or an idiom. Sentences are cut as ``match`` cuts them.
        """
        kept: List[str] = []
        changed = False
        for sentence in self.read_sentences(text):
            if sentence.distant:
                changed = True
                continue
            neutral = sentence.prepared
            if sentence.idioms:
                changed = True
                neutral = " ".join(w for w in neutral.split() if w != IDIOM_MARK.strip())
            if neutral.strip():
                kept.append(neutral.strip())
        return kept, changed

    def _idiom_count(self, text: str) -> int:
        """How many harmless idioms the text holds, counted as they are blanked."""
        return self._neutralised(self.prepare(text))[1]

    def has_idiom(self, text: Optional[str]) -> bool:
        """Whether a harmless idiom ("tombée d'accord", "mort de rire") is in the text."""
        if not text:
            return False
        prepared = self.prepare(text)
        return any(entry.regex.search(prepared) for entry in self.safe)

    def match(self, text: Optional[str]) -> Optional[RiskMatch]:
        """Return the most serious risk found in a message, or None.

        Each sentence is read apart: a sentence about a film, the news or a
        long-past event ("il y a vingt ans", "quand j'étais petite") does not
        count, while the sentence beside it still does. Two sentences in a row,
        neither told at a distance, are also read together: people cut one
        saying over a full stop ("Il n'a plus de fioul. Il fait -8 la nuit.",
        "J'ai ressorti le fusil. Il est chargé."). On the dev half (2026-12-06)
        reading pairs found 46 more of 7,731 risk lines and none of 7,972
        harmless ones.
        """
        if not text:
            return None
        found: List[RiskPattern] = []
        sentences = self.read_sentences(text)
        for sentence in sentences:
            if not sentence.distant:
                found.extend(p for p in self.patterns if p.regex.search(sentence.prepared))
        for pair in self.sentence_pairs(sentences):
            found.extend(p for p in self.patterns if p not in found and p.regex.search(pair))
        if len(sentences) > 1 and not any(sentence.distant for sentence in sentences):
            # A terse message cut by full stops ("c'est fait. j'ai tout pris. bonne
            # nuit", "4h. au bord du fleuve. j'y vais") is one saying: read whole too.
            whole = self.neutralise(self.prepare(
                " ".join(sentence.text for sentence in sentences)))
            if len(whole.split()) <= SHORT_WHOLE_WORDS:
                found.extend(p for p in self.patterns
                             if p not in found and p.regex.search(whole))
        if not found:
            return None
        found.sort(key=self._seriousness)
        best = found[0]
        trusted = any(p.trusted and p.level == best.level for p in found)
        return RiskMatch(best.category, best.level, best.id, tuple(p.id for p in found),
                         trusted)

    @staticmethod
    def sentence_pairs(sentences: List[ReadSentence]) -> List[str]:
        """Two sentences in a row, neither told at a distance, as one prepared text
        (``make bench`` times the lexicon with and without them).
        """
        return [f"{first.prepared} {second.prepared}"
                for first, second in zip(sentences, sentences[1:])
                if not (first.distant or second.distant)]

    def _suspense_joined(self, sentences: List[str]) -> List[str]:
        """Sentences cut by a suspense ellipsis joined back when the joke is whole
        only together ("Je suis tombée... sous le charme du kiné", "agressée... par
        une mouette"): the harmless idiom is read, not the first half alone.
        """
        joined: List[str] = []
        for sentence in sentences:
            if joined and SUSPENSE_END.search(joined[-1]) \
                    and re.match(r"\s*[a-zà-ÿ]", sentence):
                together = f"{joined[-1]} {sentence}"
                # an idiom that only the two halves together make (one half may
                # hold another: "tombée... amoureuse 😄 non je plaisante")
                if self._idiom_count(together) > (self._idiom_count(joined[-1])
                                                  + self._idiom_count(sentence)):
                    joined[-1] = together
                    continue
            joined.append(sentence)
        return joined

    def _seriousness(self, pattern: RiskPattern) -> Tuple[int, int]:
        try:
            rank = self.category_priority.index(pattern.category)
        except ValueError:
            rank = len(self.category_priority)
        return (-LEVEL_RANK[pattern.level], rank)


@lru_cache(maxsize=8)
def load_lexicon(path: str = str(DEFAULT_LEXICON)) -> RiskLexicon:
    """Load a lexicon once per process."""
    return RiskLexicon.load(path)
