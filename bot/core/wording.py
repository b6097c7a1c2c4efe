"""Every word the service says is read here, from the files in bot/resources/.

``say``/``raw`` read the operator's wording (``operator_fr.yml``: the command
line, the console, alerts); ``load(name)`` reads any other wording file once
(``checkins_fr.yml``, ``ladder_fr.yml``, ``takeover_fr.yml``,
``channels_fr.yml``, ``services/_messages_fr.yml``). The files are the only place
where wording lives; the code names keys.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

import yaml

from bot.core.config import RESOURCES

PATH = RESOURCES / "operator_fr.yml"


@lru_cache(maxsize=16)
def load(name: str) -> Dict[str, Any]:
    """A wording file of bot/resources/ (read once)."""
    return dict(yaml.safe_load((RESOURCES / name).read_text(encoding="utf-8")) or {})


def _messages() -> Dict[str, Any]:
    return load(PATH.name)


def raw(key: str) -> Any:
    """The value at a dotted key ("import.summary")."""
    node: Any = _messages()
    for part in key.split("."):
        node = node[part]
    return node


def say(key: str, **values: Any) -> str:
    """The message at a dotted key, its placeholders filled."""
    return str(raw(key)).format(**values)
