"""Start Rasa's server with its HTTP API behind ``RASA_TOKEN``.

Usage: ``python -m bot.rasa.server --model models/lien.tar.gz --port 5005 ...``
(any ``rasa run`` option). The token is read from the environment, never from
the command line (where ``ps`` would show it); without it nothing starts, since
an open API lets anyone read conversations, pause them, send messages through
``trigger_intent`` and replace the model.
"""

from __future__ import annotations

import sys
from typing import List, Optional

from bot.core.wording import say
from bot.core.config import load_settings


def rasa_argv(token: str, options: List[str]) -> List[str]:
    """The ``rasa run`` arguments: API on, behind the token, then ``options``."""
    # "--auth-token=…" in one word: a token may start with "-" (token_urlsafe).
    return ["rasa", "run", "--enable-api", f"--auth-token={token}", *options]


def main(argv: Optional[List[str]] = None) -> int:
    """Refuse to start without a token; otherwise run Rasa in this process."""
    options = list(sys.argv[1:] if argv is None else argv)
    token = load_settings().rasa_token
    if not token or len(token) < 16:
        print(say("run.rasa_token_missing"), file=sys.stderr)
        return 2
    if any(flag in options for flag in ("--auth-token", "--jwt-secret", "--enable-api")):
        print(say("run.rasa_token_flags"), file=sys.stderr)
        return 2
    sys.argv = rasa_argv(token, options)
    from rasa.__main__ import main as rasa_main

    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
