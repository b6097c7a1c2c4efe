"""Operator wording (French), read from bot/resources/operator_fr.yml."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

import yaml

from bot.core.config import PROJECT_ROOT

PATH = PROJECT_ROOT / "bot" / "resources" / "operator_fr.yml"


@lru_cache(maxsize=1)
def _messages() -> Dict[str, Any]:
    return yaml.safe_load(PATH.read_text(encoding="utf-8"))


def raw(key: str) -> Any:
    """The value at a dotted key ("import.summary")."""
    node: Any = _messages()
    for part in key.split("."):
        node = node[part]
    return node


def say(key: str, **values: Any) -> str:
    """The message at a dotted key, its placeholders filled."""
    return str(raw(key)).format(**values)
