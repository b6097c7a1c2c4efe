"""``python -m bot services``: the services people are pointed to."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from bot.companion.services import check_report
from bot.core import clock


def services_check(args: argparse.Namespace) -> int:
    """List the services whose check is due; non-zero when one is past its limit."""
    today = date.fromisoformat(args.today) if args.today else clock.utcnow().date()
    text, code = check_report(today)
    print(text, file=sys.stderr if code == 2 else sys.stdout)
    return code
