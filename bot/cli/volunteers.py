"""``python -m bot volunteers``: the volunteers who call."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Dict

from bot.calls.booking import import_volunteers, read_volunteers
from bot.cli.common import redis_client
from bot.core.wording import say


def volunteers_import(args: argparse.Namespace) -> int:
    """Validate, then write the volunteers."""
    rows, errors = read_volunteers(Path(args.file))
    if errors:
        for error in errors:
            print(error, file=sys.stderr)
        print(say("import.aborted", count=len(errors)), file=sys.stderr)
        return 1

    async def write() -> Dict[str, int]:
        client, settings = redis_client()
        try:
            return await import_volunteers(client, settings.key_prefix, rows)
        finally:
            await client.close()

    print(say("volunteers.summary", **asyncio.run(write())))
    return 0
