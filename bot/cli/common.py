"""What the command modules share: the ports, the Redis client, the log format."""

from __future__ import annotations

import logging
from typing import Any, Tuple

from bot.core.config import Settings, load_settings

RASA_PORT = load_settings().rasa_port
CONSOLE_PORT = load_settings().console.port


def redis_client() -> Tuple[Any, Settings]:
    """An asyncio Redis client on REDIS_URL (local Redis if unset), and the settings."""
    # lazy: redis-py costs ~0.1 s at start-up; chat, services and telegram never use it
    import redis.asyncio as aioredis

    settings = load_settings()
    return aioredis.from_url(settings.redis_url or "redis://127.0.0.1:6379/0"), settings


def configure_logging() -> None:
    """Log lines for the long-running commands (worker, console), at LOG_LEVEL."""
    logging.basicConfig(level=load_settings().log_level,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
