"""What every action module shares: settings and a Redis connection."""

from __future__ import annotations

import asyncio
from typing import Any, Dict

import redis.asyncio as aioredis

from bot.core.config import Settings, load_settings
from bot.core.keys import Keys

SETTINGS: Settings = load_settings()
_CLIENTS: Dict[int, Any] = {}


def get_redis() -> Any:
    """A Redis client bound to the running event loop (one per loop)."""
    loop = asyncio.get_running_loop()
    client = _CLIENTS.get(id(loop))
    if client is None:
        url = SETTINGS.redis_url or "redis://127.0.0.1:6379/0"
        client = aioredis.from_url(url, socket_timeout=5)
        _CLIENTS.clear()
        _CLIENTS[id(loop)] = client
    return client


def spool_path():
    """Where escalations wait when Redis cannot be reached."""
    return SETTINGS.var_dir / "spool" / "escalations.jsonl"


def person_key(sender_id: str) -> str:
    """The hash holding one person's minimal data and status."""
    return Keys(SETTINGS.key_prefix).person(sender_id)
