"""``python -m bot console``: the listener console."""

from __future__ import annotations

import argparse

from bot.cli.common import configure_logging
from bot.console.server import serve


def console(args: argparse.Namespace) -> int:
    """Serve the listener console."""
    configure_logging()
    serve(args.host, args.port, demo=args.demo)
    return 0
