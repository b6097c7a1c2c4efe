"""Text folding shared by every reader: lower case, no accents, no punctuation.

Messages and the patterns written against them (risk lexicon, memory, services,
booking) are folded the same way, so "J'AI plus envie" and "jai plus envie"
meet the same pattern.
"""

from __future__ import annotations

import re
import unicodedata
from typing import List

_APOSTROPHES = "'’`´ʼ‘"
_PUNCTUATION = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
_REPEATS = re.compile(r"([a-z])\1+")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold(text: str) -> str:
    """Lower case, no accents, œ/æ spelt out, repeated letters collapsed."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    text = _strip_accents(text)
    return _REPEATS.sub(r"\1", text)


def normalise_text(text: str) -> str:
    """Fold a message to the form patterns are written against."""
    text = _fold(text)
    for mark in _APOSTROPHES:
        text = text.replace(mark, " ")
    text = _PUNCTUATION.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()


_ESCAPE = re.compile(r"(\\.)")


def normalise_pattern(pattern: str) -> str:
    r"""Fold a regular expression the way messages are folded (keeps its syntax).

    Escapes are kept as written: folded with the letters after them, ``\bbleus``
    became ``\bleus`` (a boundary, then "leus") and ``\W`` became ``\w``.
    """
    pattern = "".join(part if _ESCAPE.fullmatch(part) else _fold(part)
                      for part in _ESCAPE.split(pattern))
    for mark in _APOSTROPHES:
        pattern = pattern.replace(mark, " ")
    return pattern


_SENTENCES = re.compile(r"(?<=[.!?;…])\s+|\n+")
# "Je me suis fait agresser... par une poule": a sentence left in suspense
SUSPENSE_END = re.compile(r"(?:\.\.\.|…)\s*$")


def split_sentences(text: str) -> List[str]:
    """The sentences of a message (the whole message when it has one)."""
    parts = [p for p in _SENTENCES.split(text or "") if p and p.strip()]
    return parts or [text or ""]
