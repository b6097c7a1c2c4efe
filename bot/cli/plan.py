"""``python -m bot plan``: the day's calls per volunteer."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from typing import Any

from bot.calls.booking import day_plan, render_plan
from bot.cli.common import redis_client
from bot.core import clock
from bot.core.config import load_settings
from bot.people.registry import DEFAULT_TZ


def plan(args: argparse.Namespace) -> int:
    """Print the day's calls per volunteer, by priority."""
    tz_name = load_settings().timezone or DEFAULT_TZ
    day = date.fromisoformat(args.date) if args.date else clock.utcnow().date()

    async def read() -> Any:
        client, settings = redis_client()
        try:
            return await day_plan(client, settings.key_prefix, day, tz_name)
        finally:
            await client.close()

    sys.stdout.write(render_plan(asyncio.run(read()), day, args.csv, tz_name))
    return 0
