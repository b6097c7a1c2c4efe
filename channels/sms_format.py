"""Shaping bot messages for SMS: numbered choices for buttons, the answer hints
(GSM-7 and segments are in ``bot/core/sms_text.py``).

A message with one character outside the GSM 03.38 alphabet (an emoji, a
typographic quote, "œ") is sent as UCS-2: 70 characters a segment instead of 160,
more than twice the cost, and some old phones show it badly. French letters that
GSM-7 lacks are replaced by their closest GSM-7 form ("ê" → "e", "ç" → "c" except
"Ç" which GSM-7 has), so the person still reads plain French.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence


from bot.core.config import RESOURCES
from bot.core.sms_text import to_gsm7
from bot.core.wording import load


WORDING_FILE = RESOURCES / "channels_fr.yml"


def wording() -> Dict[str, str]:
    """The channel's own words, from the data file."""
    return dict(load(WORDING_FILE.name)["sms"])


def numbered_choices(buttons: Sequence[Dict[str, str]]) -> List[str]:
    """Lines "1. Oui" ... for the buttons of a message, then "Répondez 1 ou 2."."""
    if not buttons:
        return []
    lines = [f"{i}. {to_gsm7(b.get('title', ''))}" for i, b in enumerate(buttons, 1)]
    words = wording()
    numbers = [str(i) for i in range(1, len(buttons) + 1)]
    choices = numbers[0] if len(numbers) == 1 else (
        words["choices_separator"].join(numbers[:-1])
        + words["choices_last_separator"] + numbers[-1]
    )
    return lines + [to_gsm7(words["choices_hint"].format(choices=choices))]


def payload_for_reply(reply: str, buttons: Sequence[Dict[str, str]]) -> Optional[str]:
    """The payload of the button a reply such as "2" or " 2. " picks, if any."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", reply or "")
    if not match:
        return None
    index = int(match.group(1))
    if 1 <= index <= len(buttons):
        return buttons[index - 1].get("payload")
    return None
