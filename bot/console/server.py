"""``python -m bot console``: serve the listener console (aiohttp)."""

from __future__ import annotations

import logging
import secrets
from typing import Any, Optional

from aiohttp import web

from bot.console.app import make_app
from bot.console.keys import REDIS
from bot.console.sandbox import add_page
from bot.console.store import ConsoleStore
from bot.core.config import load_settings
from bot.core.wording import say

logger = logging.getLogger(__name__)


def console_url(host: str, port: int) -> str:
    """The address staff open (CONSOLE_URL when the console is behind a proxy)."""
    return load_settings().console.url or f"http://{host}:{port}"


def build(prefix: str) -> web.Application:
    """The console as it runs: its own Redis client and outputs (make_app's
    cleanup_ctx), the sandbox's page when ``make run`` has no provider credentials.
    """
    settings = load_settings()
    app = make_app(None, prefix, secure_cookie=settings.console.secure_cookie,
                   session_hours=settings.console.session_hours)
    if settings.console.sandbox_url:  # make run without provider credentials: /sandbox
        add_page(app, settings.console.sandbox_url)
    return app


async def demo_account(redis: Any, prefix: str) -> Optional[str]:
    """On embedded defaults with no account yet: an ``admin`` with a random password."""
    store = ConsoleStore(redis, prefix)
    if await store.users():
        return None
    password = secrets.token_urlsafe(9)
    await store.add_user("admin", "Admin", "admin", password)
    return password


def serve(host: str, port: int, demo: bool = False) -> None:
    """Run until SIGTERM/SIGINT."""
    settings = load_settings()
    app = build(settings.key_prefix)

    async def announce(app: web.Application) -> None:
        if demo:
            password = await demo_account(app[REDIS], settings.key_prefix)
            if password:
                print(say("console.demo_account", password=password), flush=True)
        print(say("console.started", url=console_url(host, port)), flush=True)
        print(say("console.login_hint"), flush=True)

    # aiohttp 3.9's signal hints predate aiosignal 1.4's generic Signal (see console.app).
    app.on_startup.append(announce)  # type: ignore[arg-type]  # stale aiohttp hint
    # No access log: paths carry case ids and references only, but keep logs lean.
    web.run_app(app, host=host, port=port, access_log=None, print=None)
