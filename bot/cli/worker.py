"""``python -m bot worker``: the scheduler worker."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import configure_logging
from bot.core.config import load_settings
from bot.worker.serve import install_fast_loop, serve
from bot.worker.settings import WorkerSettings


def worker(args: argparse.Namespace) -> int:
    """Run the scheduler worker until SIGTERM."""
    configure_logging()
    settings = load_settings()
    install_fast_loop()
    asyncio.run(serve(settings.redis_url or "redis://127.0.0.1:6379/0",
                      settings.key_prefix, WorkerSettings.from_env(), args.workers))
    return 0
