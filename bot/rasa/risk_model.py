"""A risk reading of every sentence: a small classifier beside the lexicon.

The lexicon knows the ways of saying risk that someone wrote down; this model
learns from the training examples what risk messages have in common (their
character n-grams and the meaning of their words, from the French vectors) and
reads each sentence of a message apart as well as the whole: in a long message
about the cat and the weather, the one sentence about ending it is read on its
own. It only sets the message's ``risk_reading`` (category and probability of
the most worrying chunk); ``bot.rasa.nlu.RiskDetector`` decides the band.
"""

from __future__ import annotations

import logging
from functools import lru_cache
import hashlib
import json
import pickle
import re
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core.config import LEXICON_DIR, PROJECT_ROOT
from bot.core.text import SUSPENSE_END
from bot.safety.risk import load_lexicon
from bot.rasa.vectors import load_vectors

logger = logging.getLogger(__name__)

NONE = "none"
READING = "risk_reading"
# (Tried and left in session 24: keeping an explanation after "mais" with what it
# explains, "des bleus partout mais c'est le Préviscan". Minimising is how risk is
# often said, "il me frappe mais c'est ma faute", "je ne mange plus mais c'est
# rien": the sentence before "mais" is read alone too.)
_SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+|\n+|\s+(?:mais|sinon|enfin|bref|et puis)\s+",
                           re.IGNORECASE)


# "Je me suis fait agresser... par une poule", "c'est décidé j'arrête... la télé":
# after a suspense ellipsis, a continuation that completes the phrase is the same
# sentence (the first half alone is only the setup of the joke).
_COMPLETES = re.compile(r"^(?:par|a|à|au|aux|de|du|des|d'|d’|dans|devant|sous|sur|avec|pour|"
                        r"contre|la|le|les|l'|l’|un|une|en|chez|mon|ma|mes|son|sa|ses)\b",
                        re.IGNORECASE)


def _rejoin_suspense(parts: List[str]) -> List[str]:
    joined: List[str] = []
    for part in parts:
        if joined and SUSPENSE_END.search(joined[-1]) and _COMPLETES.match(part):
            joined[-1] = f"{joined[-1]} {part}"
        else:
            joined.append(part)
    return joined


def chunks(text: str, longest: int = 220) -> List[str]:
    """The message, and its sentences when it has several (long ones cut at commas)."""
    parts = _rejoin_suspense(
        [p.strip() for p in _SENTENCE_END.split(text or "") if p and p.strip()])
    pieces: List[str] = []
    for part in parts:
        if len(part) > longest:
            pieces.extend(p.strip() for p in part.split(",") if p.strip())
        else:
            pieces.append(part)
    whole = (text or "").strip()
    return [whole] + [p for p in pieces if p != whole and len(p) > 3] if whole else []


def features(vectorizers: Any, texts: List[str]) -> Any:
    """Character (and word) n-grams of the lexicon-prepared texts, and the mean
    of their French word vectors: the features both readers share.
    """
    from scipy.sparse import csr_matrix, hstack

    if not isinstance(vectorizers, (list, tuple)):
        vectorizers = [vectorizers]
    lexicon = load_lexicon()
    prepared = [lexicon.prepare(t) for t in texts]
    sparse = [vectorizer.transform(prepared) for vectorizer in vectorizers]
    dense = np.zeros((len(texts), 300), dtype=np.float32)
    for i, text in enumerate(prepared):
        mean = _mean_vector(text)
        if mean is not None:
            dense[i] = mean
    return hstack(sparse + [csr_matrix(dense * 2.0)]).tocsr()


@lru_cache(maxsize=512)
def _mean_vector(prepared: str) -> Optional[np.ndarray]:
    """The mean French word vector of a prepared text (None without a known word).

    Cached: both readers (bot.rasa.intent_model, this module) read the same sentences
    of every message.
    """
    vectors = load_vectors()
    rows = [vectors.vector(w) for w in prepared.split()]
    known = [r for r in rows if r is not None]
    return np.mean(known, axis=0) if known else None


# A risky turn shorter than this ("non", "oui", "non pas vraiment") answers a
# question: its risk is the question's, not its words'.
CONTEXT_BOUND_WORDS = 4


def written_examples(names: List[str], holdout: List[str]) -> List[Tuple[str, str]]:
    """Written messages as (text, intent) pairs, leaving out the lines whose
    ``file`` starts with a ``holdout`` prefix.

    JSON lines: a message (``text``; ``risk`` and ``category`` when it was
    written as risk or harmless, none for an everyday message to the companion)
    or a conversation (``turns``; when ``risk``, the turn ``first_risky_turn``
    is the risk, unless it is a short answer whose risk is its question's, and
    the turns before it are harmless; the turns after it are not labelled).
    """
    pairs: List[Tuple[str, str]] = []
    for name in names:
        for line in (PROJECT_ROOT / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            if holdout and str(item.get("file", "")).startswith(tuple(holdout)):
                continue
            risk = f"risk_{item.get('category')}"
            if "turns" in item:
                turns = [str(t) for t in item["turns"]]
                due = int(item.get("first_risky_turn") or 0) if item.get("risk") else len(turns)
                pairs.extend((turn, NONE) for turn in turns[:due])
                if item.get("risk") and due < len(turns) \
                        and len(turns[due].split()) >= CONTEXT_BOUND_WORDS:
                    # "non" to "Êtes-vous en sécurité ?" is a risk only there: a
                    # short answer is not learnt as risk out of its question
                    pairs.append((turns[due], risk))
            else:
                pairs.append((str(item["text"]), risk if item.get("risk") else NONE))
    return pairs


def fit_reader(examples: List[Tuple[str, str]], C: float = 20.0,
               char_ngrams: int = 4) -> Tuple[Any, Any]:
    """The sentence reader fitted on (text, intent) pairs: its vectorizers and classifier."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts, labels = [], []
    for text, intent in examples:
        texts.append(text)
        labels.append(intent[5:] if intent.startswith("risk_") else NONE)
        if not intent.startswith("risk_"):
            # The reader reads every sentence of a message (``read_with``), so it
            # learns them too: each sentence of a harmless example is harmless
            # ("Je vais prendre ma tisane et fermer les volets." in a long
            # goodnight). Sentences of a risk example are not labelled: which
            # one carries the risk is not known. On the dev half (2026-12-04,
            # reader alone): harmless scenarios with a turn read as risk 47 -> 38
            # of 204, risk scenarios unchanged, batch 10 at the asking threshold
            # recall 0.788 -> 0.801 and false alarms 0.049 -> 0.045.
            pieces = chunks(text)[1:]
            texts.extend(pieces)
            labels.extend([NONE] * len(pieces))
    lexicon = load_lexicon()
    prepared = [lexicon.prepare(t) for t in texts]
    # Character n-grams (spelling, typos) and word uni- and bigrams ("plus
    # envie", "la corde"): on the independent set's dev half (2026-12-04) the
    # words raised recall at 5% false alarms from 0.79 to 0.84. Later the same
    # day (dev half with batch 3, 700 more written sentences): a weaker
    # regularisation (C 4 -> 20) raised it from 0.875 to 0.90 (the bands were
    # measured again after). Five-character n-grams added nothing over four at
    # C 20 (0.902 / 0.898) and brought `make train` to the edge of its five
    # minutes: four it is.
    vectorizers = [
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, char_ngrams), min_df=2,
                        sublinear_tf=True).fit(prepared),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2,
                        sublinear_tf=True).fit(prepared),
    ]
    classifier = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    classifier.fit(features(vectorizers, texts), labels)
    return vectorizers, classifier


def read_with(model: Optional[Tuple[Any, Any]], text: str) -> Dict[str, Any]:
    """The most worrying chunk of ``text`` for a fitted reader: category, probability, index."""
    if model is None or not (text or "").strip():
        return {"category": NONE, "p": 0.0, "chunk": 0}
    return _most_worrying(model, chunks(text))


def _most_worrying(model: Tuple[Any, Any], pieces: List[str]) -> Dict[str, Any]:
    """The piece the reader worries about most: category, probability, index."""
    vectorizers, classifier = model
    probabilities = classifier.predict_proba(features(vectorizers, pieces))
    none = list(classifier.classes_).index(NONE)
    risk = 1.0 - probabilities[:, none]
    best = int(np.argmax(risk))
    row = probabilities[best].copy()
    row[none] = -1
    category = str(classifier.classes_[int(np.argmax(row))])
    return {"category": category, "p": float(risk[best]), "chunk": best}


def near_text(text: str) -> List[str]:
    """The sentences of ``text`` told here and now, their harmless idioms cut out
    (``RiskLexicon.here_and_now``). Empty when nothing is left or nothing was
    left out: the whole message's reading stands.
    """
    kept, changed = load_lexicon().here_and_now(text)
    return kept if changed else []


def read_near(model: Optional[Tuple[Any, Any]], text: str) -> Dict[str, Any]:
    """The reading of what ``text`` says here and now (``near_text``): its
    sentences together and each apart. A worry of the whole message that a
    distant sentence or an idiom beside it explains goes away; one that stands
    without them stays ("Mon mari a rangé les papiers de l'assurance décès…
    il a laissé tomber la chasse": the idiom "laissé tomber" explains nothing).
    """
    pieces = near_text(text)
    if model is None or not pieces:
        return {"category": NONE, "p": 0.0}
    reading = _most_worrying(model, [" ".join(pieces)] + (pieces if len(pieces) > 1 else []))
    return {"category": reading["category"], "p": reading["p"]}


class PickledReader(GraphComponent):
    """A component whose fitted model is one pickle in its model storage.

    Subclasses name the file (``FILENAME``) and fit ``self.model`` in ``train``
    before calling ``self.persist()``; loading reads our own file back.
    """

    FILENAME = "model.pkl"

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, model: Optional[Tuple[Any, Any]] = None) -> None:
        """Keep the fitted model, if any."""
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext
               ) -> "PickledReader":
        """An untrained reader."""
        return cls(config, model_storage, resource)

    def persist(self) -> Resource:
        """Write the fitted model to the model storage."""
        with self._model_storage.write_to(self._resource) as directory:
            (directory / self.FILENAME).write_bytes(pickle.dumps(self.model))
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage,
             resource: Resource, execution_context: ExecutionContext,
             **kwargs: Any) -> "PickledReader":
        """The reader it learnt (our own file, written by persist above)."""
        try:
            with model_storage.read_from(resource) as directory:
                model = pickle.loads((directory / cls.FILENAME).read_bytes())
        except (ValueError, FileNotFoundError):
            model = None
        return cls(config, model_storage, resource, model)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class SentenceRiskClassifier(PickledReader):
    """Probability of each risk category for the message and each sentence."""

    FILENAME = "risk_model.pkl"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Regularisation of the logistic regression; the written messages it
        also learns from (JSON lines with ``text``, ``risk`` and ``category``,
        relative to the project) and the writers' folders left out of them.
        """
        return {"C": 20.0, "char_ngrams": 4, "written": [], "written_holdout": []}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The files read beside the graph's training data: the written messages
        and the lexicon (its ``prepare`` shapes every feature). Without this a
        changed file would leave Rasa's cached reader in place.
        """
        digest = hashlib.sha256()
        # How messages are cut into chunks shapes what the reader learns too (a
        # change of the cut left the cached reader in place, session 24).
        digest.update((_SENTENCE_END.pattern + SUSPENSE_END.pattern
                       + _COMPLETES.pattern).encode())
        paths = [PROJECT_ROOT / p for p in config.get("written") or []]
        paths += sorted(LEXICON_DIR.glob("*.yml"))
        for path in paths:
            digest.update(str(path).encode())
            digest.update(path.read_bytes() if path.exists() else b"-")
        return digest.hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        """Fit risk category vs none on every intent example and written message."""
        examples = [(e.get("text") or "", e.get("intent") or "")
                    for e in training_data.intent_examples]
        # The written messages (config.yml: the independent set's dev half) are
        # other people's words for risk and for everyday life. Leaving one batch
        # out and reading it (2026-12-05, tools/reader_holdout.py, the reader
        # alone, recall at 5% false alarms, risk messages only): batch 23 0.923
        # -> 0.941, batch 15 0.900 -> 0.939, batch 20 0.918 -> 0.946. Then the
        # whole pipeline on batch 23 left out, at the bands chosen with it
        # (bot/lexicon/risk_fr.yml): the companion set's messages and the
        # scenarios' turns learnt as well took false alarms from 8.5% to 6.6%,
        # everyday messages read as risk from 8 to 5 of 190, recall 0.970 -> 0.973.
        self.model = fit_reader(examples + written_examples(
            self.config.get("written") or [], self.config.get("written_holdout") or []),
            C=float(self.config["C"]), char_ngrams=int(self.config["char_ngrams"]))
        return self.persist()

    def read(self, text: str) -> Dict[str, Any]:
        """The most worrying chunk: its category, probability and index; and
        the reading of what is said here and now (``near``, see ``read_near``).
        """
        reading = read_with(self.model, text)
        if reading["p"] > 0.0:
            reading["near"] = read_near(self.model, text)
        return reading

    def process(self, messages: List[Message]) -> List[Message]:
        """Attach the reading to every message."""
        for message in messages:
            message.set(READING, self.read(message.get("text") or ""))
        return messages
