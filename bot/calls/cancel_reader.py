"""A learnt reading of a call called off, for the messages after a booking.

The rules (``explicit_cancel``, the reader's ``cancel``) know the words people
use most; people also call a call off with none of them ("ce n'est plus
d'actualité, merci de le retirer", "on arrête là pour l'appel", "ce jour-là il ne
faudra pas compter sur moi"). This reader learns the turn that calls a booked
call off from the independent booking set's dev half (``tests/eval/booking.dev.jsonl``:
the last turn of a conversation that ends cancelled, against every turn of the
conversations that end booked), with character n-grams (typos and SMS spelling
share them), and answers only after a booking (``bot.rasa.booking_policy``,
``actions.calls.ActionAmendCall``), where a moment named still moves the call.

Measured with one batch of writers left out of its learning (2026-12-06, on
batches 33 to 38): at 0.7 it found half of the cancellations the rules missed,
for at most one more turn read as a cancellation per batch (the batch read last,
38, had been read by no rule: 5 of 10 found). ``scikit-learn`` is already
installed with Rasa; it is fitted once per process (a few seconds), and without
its data file the rules alone answer.
"""

from __future__ import annotations

import json
import logging
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Optional, Tuple

from bot.core.config import PROJECT_ROOT
from bot.core.french_time import normalise

LOGGER = logging.getLogger(__name__)
# Words that make a message about the call (its own or the volunteer's): a
# message a few turns after the booking is read only with one of them
# ("mon fils a oublié mon anniversaire" is about no call).
CALL_TALK_RE = re.compile(r"\b(?:r?app?ell?\w*|telephon\w*|coup de fil|rdv|rendez vous|benevole|"
                          r"joignable|call|calling|phone|ring)\b")
SOURCE = PROJECT_ROOT / "tests" / "eval" / "booking.dev.jsonl"
THRESHOLD = 0.7


def examples(path: Path = SOURCE) -> Tuple[List[str], List[int]]:
    """(turns, 1 when the turn calls the booked call off).

    ``LIEN_CANCEL_READER_HOLDOUT`` (a batch folder, "batch38/") leaves that
    batch out, to measure the reader end to end on lines it has not learnt.
    """
    holdout = os.environ.get("LIEN_CANCEL_READER_HOLDOUT", "")
    texts: List[str] = []
    labels: List[int] = []
    if not path.exists():
        return texts, labels
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if holdout and str(item.get("file", "")).startswith(holdout):
            continue
        turns = [t for t in item.get("turns") or [] if isinstance(t, str)]
        if item.get("expect") == "cancelled" and len(turns) >= 2:
            texts += turns[1:]
            labels += [0] * (len(turns) - 2) + [1]
        elif item.get("expect") == "booked":
            texts += turns
            labels += [0] * len(turns)
    return texts, labels


@lru_cache(maxsize=1)
def _model() -> Optional[Tuple[Any, Any]]:
    texts, labels = examples()
    if sum(labels) < 20 or len(labels) - sum(labels) < 20:
        LOGGER.warning("cancel reader: no examples at %s; the rules alone read cancellations",
                       SOURCE)
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), preprocessor=normalise,
                                 sublinear_tf=True, min_df=2)
    features = vectorizer.fit_transform(texts)
    classifier = LogisticRegression(C=10, max_iter=2000, class_weight="balanced")
    classifier.fit(features, labels)
    return vectorizer, classifier


def probability(text: str) -> float:
    """How likely the message calls the booked call off (0 without a model)."""
    model = _model()
    if model is None or not (text or "").strip():
        return 0.0
    vectorizer, classifier = model
    return float(classifier.predict_proba(vectorizer.transform([text]))[0, 1])


def calls_off(text: str) -> bool:
    """Whether a message after a booking reads as calling it off."""
    return probability(text) >= THRESHOLD


def talks_of_a_call(text: str) -> bool:
    """Whether the message names a call, a volunteer or an appointment."""
    return bool(CALL_TALK_RE.search(normalise(text or "")))


__all__ = ["CALL_TALK_RE", "SOURCE", "THRESHOLD", "calls_off", "examples", "probability",
           "talks_of_a_call"]
