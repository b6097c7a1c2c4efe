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

from typing import Any

from aiohttp import web

from bot.console.keys import OPTIONS, PREFIX, REDIS, STORE, TAKEOVER
from bot.console.middlewares import guard, security_headers
from bot.console.roster_file import validate_roster
from bot.console.routes import ROUTES, setup_routes
from bot.console.store import ROLES, ConsoleStore
from bot.console.templating import setup_templates
from bot.safety.takeover import Takeover


async def warm(app: web.Application) -> None:
    """The first unknown login is no slower than the next."""
    await app[STORE].dummy_hash()


def make_app(redis: Any, prefix: str, takeover: Takeover, secure_cookie: bool = False,
             session_hours: float = 12) -> web.Application:
    """The console on a Redis client and a Takeover (the channels' outputs, Rasa).

    The caller owns both (``bot.console.server.build`` closes them when the
    application is cleaned up; tests share theirs): nothing here needs closing.
    """
    app = web.Application(middlewares=[guard], client_max_size=256 * 1024)
    app[STORE] = ConsoleStore(redis, prefix, session_hours)
    app[REDIS] = redis
    app[PREFIX] = prefix
    app[TAKEOVER] = takeover
    app[OPTIONS] = {"secure_cookie": secure_cookie}
    setup_templates(app)
    setup_routes(app)
    app.on_response_prepare.append(security_headers)
    app.on_startup.append(warm)
    return app


__all__ = ["make_app", "ROUTES", "ROLES", "validate_roster"]
