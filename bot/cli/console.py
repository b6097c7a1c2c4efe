"""``python -m bot console``: the listener console."""

from __future__ import annotations

import argparse

from bot.cli.common import configure_logging


def console(args: argparse.Namespace) -> int:
    """Serve the listener console."""
    # lazy: the console's aiohttp web application and templates (~0.3 s at start-up)
    from bot.console.server import serve

    configure_logging()
    serve(args.host, args.port, demo=args.demo)
    return 0
