"""``python -m bot console``: serve the listener console (aiohttp)."""

from __future__ import annotations

import logging
import secrets
from typing import Any, Optional

import redis.asyncio as aioredis
from aiohttp import web

from bot.console.app import make_app
from bot.console.sandbox import add_page
from bot.console.store import ConsoleStore
from bot.core.config import load_settings
from bot.core.wording import say
from bot.delivery import DirectDelivery
from bot.safety.takeover import Takeover

logger = logging.getLogger(__name__)


def console_url(host: str, port: int) -> str:
    """The address staff open (CONSOLE_URL when the console is behind a proxy)."""
    return load_settings().console.url or f"http://{host}:{port}"


async def build(redis: Any, prefix: str, rasa_url: str) -> web.Application:
    """The console wired to the channels' outputs and the Rasa server."""
    outputs = DirectDelivery(redis, prefix)
    settings = load_settings()
    takeover = Takeover(redis, prefix, rasa_url, outputs, settings.rasa_token)
    app = make_app(redis, prefix, takeover,
                   secure_cookie=settings.console.secure_cookie,
                   session_hours=settings.console.session_hours)
    sandbox_url = settings.console.sandbox_url
    if sandbox_url:  # make run without provider credentials (bot/sandbox): /sandbox
        add_page(app, sandbox_url)

    async def close(_: web.Application) -> None:
        await outputs.close()
        await redis.close()

    app.on_cleanup.append(close)
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
    redis_url = settings.redis_url or "redis://127.0.0.1:6379/0"

    async def start() -> web.Application:
        # Built inside run_app's own event loop: the Redis client belongs to it.
        redis = aioredis.from_url(redis_url, socket_timeout=10)
        if demo:
            password = await demo_account(redis, settings.key_prefix)
            if password:
                print(say("console.demo_account", password=password), flush=True)
        app = await build(redis, settings.key_prefix, settings.rasa_url)

        async def announce(_: web.Application) -> None:
            print(say("console.started", url=console_url(host, port)), flush=True)
            print(say("console.login_hint"), flush=True)

        app.on_startup.append(announce)
        return app

    # No access log: paths carry case ids and references only, but keep logs lean.
    web.run_app(start(), host=host, port=port, access_log=None, print=None)
