"""The action server, behind the same secret as Rasa's API (``RASA_TOKEN``).

Usage: ``python -m bot.rasa.action_server [--port 5055] [--actions actions]``.
rasa-sdk's server answers anyone who reaches it; its actions write escalations,
book calls and change a person's check-ins. Rasa sends the token as ``?token=``
(``endpoints.yml``; tools may send ``Authorization: Bearer``); every route but
``/health`` refuses a request without it (401). Listens on ``SANIC_HOST``
(loopback unless a private network is configured).
"""

from __future__ import annotations

import argparse
import hmac
import sys
from typing import Any, List, Optional

from bot.core.wording import say
from bot.core.config import load_settings


def authorised(header: str, query_token: str, token: str) -> bool:
    """Whether a request carries the token (Rasa sends ``?token=``; tools may use Bearer)."""
    given = header[7:].strip() if header.lower().startswith("bearer ") else query_token
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def main(argv: Optional[List[str]] = None) -> int:
    """Refuse to start without a token; otherwise serve the actions."""
    parser = argparse.ArgumentParser(prog="python -m bot.rasa.action_server")
    parser.add_argument("--port", type=int, default=load_settings().action_port)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    token = load_settings().rasa_token
    if len(token) < 16:
        print(say("run.rasa_token_missing"), file=sys.stderr)
        return 2
    from rasa_sdk import utils
    from rasa_sdk.endpoint import create_app
    from rasa_sdk.plugin import plugin_manager
    from sanic import response

    app = create_app(args.actions, cors_origins=None)

    @app.middleware("request")
    async def authenticate(request: Any) -> Any:
        if request.path.rstrip("/") == "/health":
            return None
        if not authorised(request.headers.get("Authorization", ""),
                          str(request.args.get("token") or ""), token):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    host = load_settings().action_host
    app.run(host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
