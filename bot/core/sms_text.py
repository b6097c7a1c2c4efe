"""SMS text: GSM-7 characters and segments, for every feature that writes an SMS.

A message with one character outside the GSM 03.38 alphabet (an emoji, a
typographic quote, "œ") is sent as UCS-2: 70 characters a segment instead of 160,
more than twice the cost, and some old phones show it badly. French letters that
GSM-7 lacks are replaced by their closest GSM-7 form ("ê" → "e", "ç" → "c" except
"Ç" which GSM-7 has), so the person still reads plain French. Long texts are cut
at sentence boundaries into at most a few segments.
"""

from __future__ import annotations

import re
import unicodedata
from typing import List, Sequence

# GSM 03.38 basic set and its extension table (each extension costs 2 septets).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")

_REPLACEMENTS = {
    "’": "'", "‘": "'", "‚": "'", "ʼ": "'", "´": "'", "`": "'",
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
    "–": "-", "—": "-", "‑": "-", "−": "-",
    "…": "...", "•": "-", "·": ".",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " ",
    "œ": "oe", "Œ": "OE",
}

SINGLE_SEGMENT = 160
MULTI_SEGMENT = 153  # a concatenated segment loses 7 septets to its header


def to_gsm7(text: str) -> str:
    """Replace every character GSM-7 cannot carry by its closest GSM-7 form."""
    out: List[str] = []
    for char in text:
        if char in GSM7_BASIC or char in GSM7_EXTENDED:
            out.append(char)
            continue
        if char in _REPLACEMENTS:
            out.append(_REPLACEMENTS[char])
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if base and all(c in GSM7_BASIC for c in base):
            out.append(base)
        # Anything else (emoji, symbols) is dropped rather than forcing UCS-2.
    return re.sub(r"[ ]{2,}", " ", "".join(out)).strip()


def septets(text: str) -> int:
    """How many GSM-7 septets a (GSM-7) text takes."""
    return sum(2 if c in GSM7_EXTENDED else 1 for c in text)


def _sentences(text: str) -> List[str]:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return [p for p in parts if p]


def _hard_wrap(sentence: str, limit: int) -> List[str]:
    words, chunks, current = sentence.split(" "), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if septets(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while septets(word) > limit:
            chunks.append(word[:limit])
            word = word[limit:]
        current = word
    if current:
        chunks.append(current)
    return chunks


def split_segments(text: str, max_segments: int = 3) -> List[str]:
    """Cut a message at sentence boundaries into at most ``max_segments`` SMS.

    Each piece fits one 160-septet SMS. When the text needs more pieces than
    allowed, the last piece ends with "..." and the rest is dropped: the domain's
    responses are written to fit, so this only guards against accidents.
    """
    text = to_gsm7(text)
    if not text:
        return []
    if septets(text) <= SINGLE_SEGMENT:
        return [text]
    pieces: List[str] = []
    current = ""
    for sentence in _sentences(text):
        for chunk in _hard_wrap(sentence, SINGLE_SEGMENT):
            candidate = f"{current} {chunk}".strip()
            if septets(candidate) <= SINGLE_SEGMENT:
                current = candidate
            else:
                pieces.append(current)
                current = chunk
    if current:
        pieces.append(current)
    if len(pieces) > max_segments:
        kept = pieces[:max_segments]
        last = kept[-1]
        while septets(last) > SINGLE_SEGMENT - 3:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        kept[-1] = last.rstrip(" .,;:") + "..."
        pieces = kept
    return pieces


def split_with_choices(text: str, choices: Sequence[str], max_segments: int = 3) -> List[str]:
    """The text's segments, then the numbered choices kept whole, never cut apart.

    The choices go with the last piece of text when they fit in it, otherwise in
    an SMS of their own (the text gives up a segment if it has to).
    """
    block = to_gsm7("\n".join(choices))
    if not block:
        return split_segments(text, max_segments)
    pieces = split_segments(text, max_segments)
    if pieces and septets(f"{pieces[-1]}\n{block}") <= SINGLE_SEGMENT:
        return pieces[:-1] + [f"{pieces[-1]}\n{block}"]
    if septets(block) > SINGLE_SEGMENT:
        return pieces + split_segments(block, max_segments)
    return split_segments(text, max(1, max_segments - 1)) + [block]
