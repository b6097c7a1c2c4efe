"""The on-call roster file: where the worker reads it, and the shape it must have."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict
from zoneinfo import ZoneInfo

import yaml

from bot.core.wording import say
from bot.people.registry import parse_time
from bot.safety import roster as roster_mod
from bot.core.config import load_settings


def roster_path() -> Path:
    """The roster file the worker reads (``ROSTER_FILE`` or the default)."""
    return Path(load_settings().roster_file or str(roster_mod.ROSTER_PATH))


def validate_roster(text: str) -> Dict[str, Any]:
    """The roster file's shape, checked before anything is written (ValueError)."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("tiers"), list) or \
            not data["tiers"]:
        raise ValueError(say("console.roster_errors.tiers"))
    for number, tier in enumerate(data["tiers"], 1):
        members = tier.get("members") if isinstance(tier, dict) else None
        if not isinstance(members, list) or not members:
            raise ValueError(say("console.roster_errors.members", number=number))
        for member in members:
            if not isinstance(member, dict) or not (member.get("phone") or
                                                     member.get("telegram")):
                raise ValueError(say("console.roster_errors.contact", number=number))
    ladder = data.get("ladder")
    if not isinstance(ladder, dict) or any(
            not isinstance(v, list) or not all(isinstance(m, int) and m >= 0 for m in v)
            for v in ladder.values()):
        raise ValueError(say("console.roster_errors.ladder"))
    referents = data.get("referents") or {}
    if not isinstance(referents, dict) or any(
            not isinstance(info, dict) or not (info.get("phone") or info.get("telegram"))
            for info in referents.values()):
        raise ValueError(say("console.roster_errors.referents"))
    digest = data.get("digest") or {}
    if not isinstance(digest, dict) or not set(digest) <= {"time", "timezone", "immediate"}:
        raise ValueError(say("console.roster_errors.digest"))
    if "time" in digest and not (isinstance(digest["time"], int) or
                                 parse_time(str(digest["time"]))):
        raise ValueError(say("console.roster_errors.digest_time"))
    if "timezone" in digest:
        try:
            ZoneInfo(str(digest["timezone"]))
        except Exception:  # noqa: BLE001 - any unknown or malformed zone name
            raise ValueError(say("console.roster_errors.digest_timezone")) from None
    return data
