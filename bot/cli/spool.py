"""``python -m bot replay-spool``: the escalations spooled while Redis was down."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import redis_client
from bot.core.wording import say
from bot.safety.escalation import replay_spool


def replay(_: argparse.Namespace) -> int:
    """Write the escalations spooled while Redis was down."""
    client, settings = redis_client()
    count = asyncio.run(
        replay_spool(client, settings.key_prefix,
                     settings.var_dir / "spool" / "escalations.jsonl")
    )
    print(say("run.replayed", count=count))
    return 0
