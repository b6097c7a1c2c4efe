"""``python -m bot persons``: enrolment, GDPR access and erasure."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import redis_client
from bot.core import clock
from bot.core.config import load_settings
from bot.core.wording import say
from bot.people.privacy import erase, export
from bot.people.registry import import_persons, read_csv


def persons_import(args: argparse.Namespace) -> int:
    """Validate the whole file, then write it (nothing half-imported)."""
    persons, errors = read_csv(Path(args.file), load_settings().quiet_hours or "21:00-08:00")
    if errors:
        for error in errors:
            print(error, file=sys.stderr)
        print(say("import.aborted", count=len(errors)), file=sys.stderr)
        return 1

    def progress(done: int, total: int) -> None:
        if total > 1000:
            print(say("import.progress", done=done, total=total), file=sys.stderr,
                  flush=True)

    async def write() -> Any:
        client, settings = redis_client()
        try:
            return await import_persons(client, settings.key_prefix, persons,
                                        clock.now(), progress)
        finally:
            await client.close()

    summary = asyncio.run(write())
    print(say("import.summary", total=summary.total, created=summary.created,
              updated=summary.updated, unchanged=summary.unchanged))
    if summary.kept_opted_out:
        print(say("import.kept_opted_out", count=summary.kept_opted_out))
    return 0


def persons_export(args: argparse.Namespace) -> int:
    """Print one person's data as JSON (GDPR access)."""
    async def read() -> Any:
        client, settings = redis_client()
        try:
            return await export(client, settings.key_prefix, args.person_id)
        finally:
            await client.close()

    data = asyncio.run(read())
    if not data["person"] and not data["conversation"]:
        print(say("privacy.unknown", person=args.person_id), file=sys.stderr)
        return 1
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


def persons_erase(args: argparse.Namespace) -> int:
    """Erase one person's data (GDPR erasure)."""
    if not args.yes:
        print(say("privacy.confirm", person=args.person_id), file=sys.stderr)
        return 2

    async def run_erase() -> int:
        client, settings = redis_client()
        try:
            return await erase(client, settings.key_prefix, args.person_id)
        finally:
            await client.close()

    print(say("privacy.erased", person=args.person_id, count=asyncio.run(run_erase())))
    return 0
