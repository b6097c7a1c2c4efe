"""The words of a presence message: personal, varied, never the same twice running."""

from __future__ import annotations

import random
from datetime import date
from functools import lru_cache
from typing import Any, Dict, Optional, Tuple

import yaml

from bot.config import PROJECT_ROOT

PATH = PROJECT_ROOT / "bot" / "resources" / "checkins_fr.yml"


@lru_cache(maxsize=1)
def wording() -> Dict[str, Any]:
    """The check-in wording file."""
    return yaml.safe_load(PATH.read_text(encoding="utf-8"))


def name_part(first_name: str) -> str:
    """", Marie" or nothing."""
    first_name = (first_name or "").strip()
    return f" {first_name}" if first_name else ""


def compose(
    slot: str,
    person: Dict[str, str],
    day: date,
    yesterday_mood: Optional[str],
    last_variant: Optional[int],
    seed: str = "",
) -> Tuple[str, int]:
    """The message for one person, slot and day, and the variant chosen.

    The variant is never ``last_variant`` (yesterday's), chosen among the
    others deterministically from ``seed`` so a retried send says the same.
    """
    words = wording()
    register = "tu" if person.get("register") == "tu" else "vous"
    variants = words[slot][register]
    choices = [i for i in range(len(variants)) if i != last_variant]
    rng = random.Random(f"{seed}|{slot}|{day.isoformat()}")
    index = rng.choice(choices)
    text = variants[index].format(
        name=name_part(person.get("first_name", "")),
        weekday=words["weekdays"][day.weekday()],
    )
    if yesterday_mood in words["callbacks"]:
        callback = rng.choice(words["callbacks"][yesterday_mood][register])
        greeting, sep, question = text.partition("! ")
        if not sep:
            greeting, sep, question = text.partition(". ")
        if sep:
            text = f"{greeting}{sep}{callback} {question}"
        else:
            text = f"{callback} {text}"
    return text, index
