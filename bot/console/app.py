"""The listener console: an aiohttp application (HTML pages and a JSON API).

Every route but ``/login``, ``/health`` and ``/static`` needs a signed-in user;
every POST (forms and API) needs the session's CSRF token (form field ``csrf``
or header ``X-CSRF-Token``). Nothing is written in Redis before a successful
log-in: the log-in form's token is a keyed hash (HMAC) of a random value kept
in the browser's ``lien_login`` cookie (a signed double-submit cookie).
Roles: ``listener`` works the queue and cases; ``social_worker`` also sees
people, the call plan and exports; ``admin`` also erases, edits the on-call
roster and reads the audit log. Pages are rendered
by Jinja2 with autoescape (a message is always shown as text); the live parts
(queue, conversation) poll the JSON API from a static script (the Content
Security Policy forbids inline scripts). The API is described in
``bot/console/openapi.yml``; a test keeps the two in step.

The package, as aiohttp's demos lay it out: this factory; ``routes`` (the one
table of routes); ``views/`` (one module per area); ``middlewares``; ``keys``
(every key of the application's state); ``helpers``, ``session``, ``lookups``,
``roster_file`` and ``templating`` for what the views share.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Optional

import redis.asyncio as aioredis
from aiohttp import web

from bot.console.keys import OPTIONS, PREFIX, REDIS, STORE, TAKEOVER
from bot.console.middlewares import guard, security_headers
from bot.console.roster_file import validate_roster
from bot.console.routes import ROUTES, setup_routes
from bot.console.store import ROLES, ConsoleStore
from bot.console.templating import setup_templates
from bot.core.config import load_settings
from bot.delivery import DirectDelivery
from bot.safety.takeover import Takeover


async def warm(app: web.Application) -> None:
    """The first unknown login is no slower than the next."""
    await app[STORE].dummy_hash()


def attach(app: web.Application, redis: Any, takeover: Takeover) -> None:
    """Put the Redis client, the store and the takeover in the application's state."""
    app[STORE] = ConsoleStore(redis, app[PREFIX], app[OPTIONS]["session_hours"])
    app[REDIS] = redis
    app[TAKEOVER] = takeover


async def own_resources(app: web.Application) -> AsyncIterator[None]:
    """The console's own Redis client and channel outputs, closed at cleanup."""
    settings = load_settings()
    redis = aioredis.from_url(settings.redis_url or "redis://127.0.0.1:6379/0",
                              socket_timeout=10)
    outputs = DirectDelivery(redis, app[PREFIX])
    attach(app, redis, Takeover(redis, app[PREFIX], settings.rasa_url, outputs,
                                settings.rasa_token))
    yield
    await outputs.close()
    await redis.close()


def make_app(redis: Any = None, prefix: str = "lien", takeover: Optional[Takeover] = None,
             secure_cookie: bool = False, session_hours: float = 12) -> web.Application:
    """The console application.

    Without ``redis`` it owns its Redis client and the channels' outputs
    (``own_resources``, through ``cleanup_ctx``: made at start-up, closed at
    cleanup), as ``python -m bot console`` runs it. Tests hand in their own client
    and Takeover, which they close themselves.
    """
    app = web.Application(middlewares=[guard], client_max_size=256 * 1024)
    app[PREFIX] = prefix
    app[OPTIONS] = {"secure_cookie": secure_cookie, "session_hours": session_hours}
    if redis is None:
        app.cleanup_ctx.append(own_resources)
    else:
        if takeover is None:
            raise ValueError("a console on a given Redis client needs its Takeover")
        attach(app, redis, takeover)
    setup_templates(app)
    setup_routes(app)
    # aiohttp 3.9 types its signals Signal[Callable[...]], which aiosignal 1.4 (generic
    # over the handlers' arguments) reads as handlers taking a callable: a stub mismatch.
    app.on_response_prepare.append(security_headers)  # type: ignore[arg-type]  # stale aiohttp hint
    app.on_startup.append(warm)  # type: ignore[arg-type]  # stale aiohttp hint
    return app


__all__ = ["make_app", "ROUTES", "ROLES", "validate_roster"]
