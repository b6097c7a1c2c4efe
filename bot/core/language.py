"""Which language and which register (tu / vous) a message is written in."""

from __future__ import annotations

import re
import unicodedata
from typing import Optional

from bot.core.text import normalise_text

_TU = re.compile(
    r"(?<![a-z])(tu|toi|t es|t as|t etais|te|ta|tes|ton|t inquiete|dis moi|"
    r"ecoute moi|peux tu|sais tu|es tu|as tu|stp|t y)(?![a-z])"
)
_VOUS = re.compile(r"(?<![a-z])(vous|vos|votre|svp|pouvez|etes|avez)(?![a-z])")


_ENGLISH = frozenset(
    "i im i'm my me you he she his her is are was am the an and not don't dont yes "
    "call phone tomorrow morning good need thank thanks sorry "
    "can't cant cannot help please want die kill hurt husband wife son daughter "
    "child baby neighbour neighbor fell fall breathe chest alone scared afraid "
    "tonight now with have has it this what who where when".split())
_FRENCH = frozenset(
    "je j tu il elle on nous vous ils elles le la les un une des de du et est suis "
    "ai pas plus ne mon ma mes ce ca que qui pour dans avec sur au aux mais oui non va "
    "bien tres merci bonjour bonsoir moi te se en y c m n s t qu tout fait aussi "
    "demain soir matin suis".split())


def detect_language(text: str) -> Optional[str]:
    """``en`` when a message is clearly English (people without French)."""
    # folded first: "Oui ça me va très bien" is not "a", "me", "tr", "s" (two
    # English words and no French one)
    folded = "".join(c for c in unicodedata.normalize("NFKD", (text or "").lower())
                     if not unicodedata.combining(c))
    words = re.findall(r"[a-z']+", folded)
    if len(words) < 2:
        return None
    english = sum(w in _ENGLISH for w in words)
    french = sum(w in _FRENCH for w in words)
    return "en" if english >= 2 and english > 2 * french else None


def detect_register(text: str) -> Optional[str]:
    """Return ``tu`` or ``vous`` when the message uses only one of them."""
    folded = normalise_text(text)
    uses_tu = bool(_TU.search(folded))
    uses_vous = bool(_VOUS.search(folded))
    if uses_tu and not uses_vous:
        return "tu"
    if uses_vous and not uses_tu:
        return "vous"
    return None
