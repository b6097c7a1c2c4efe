"""The console's middleware (session, log-in, role and CSRF checks; never a 500)
and its security headers (a response-prepare signal).
"""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

from aiohttp import web

from bot.console.helpers import BadInput, Handler, is_api, problem, read_form
from bot.console.keys import OPTIONS, STORE
from bot.console.session import cookie, csrf_ok, login_csrf_ok
from bot.console.store import LoginBusy

logger = logging.getLogger(__name__)

HSTS_SECONDS = 365 * 86400  # Strict-Transport-Security, with CONSOLE_SECURE_COOKIE=1
PUBLIC = ("/login", "/health", "/static/")


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Session, log-in, role and CSRF checks, then the handler; never a 500."""
    try:
        return await _guarded(request, handler)
    except web.HTTPException:
        raise
    except BadInput as error:
        return problem(request, 400, "bad_request", why=error.name)
    except LoginBusy:  # a flood of log-ins: no traceback per attempt
        return problem(request, 503, "unavailable")
    except (ValueError, KeyError, json.JSONDecodeError, OverflowError) as error:
        return problem(request, 400, "bad_request", why=type(error).__name__)
    except Exception:  # noqa: BLE001 - Redis or Rasa down: say so, keep serving
        logger.exception("console request failed: %s %s", request.method, request.path)
        return problem(request, 503, "unavailable")


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    store = request.app[STORE]
    session = await store.session(cookie(request))
    request["session"] = session
    user = await store.session_user(session)  # None when disabled or reset since
    if session and session.get("login") and user is None:
        session = request["session"] = None  # ended: the visitor is anonymous again
    request["user"] = user
    if request.path.startswith(PUBLIC):
        if request.method == "POST" and not await login_csrf_ok(request,
                                                                await read_form(request)):
            return problem(request, 403, "csrf")
        return await handler(request)
    if user is None:
        if is_api(request):
            return problem(request, 401, "anonymous")
        raise web.HTTPFound("/login?next=" + quote(request.path_qs, safe=""))
    needed = getattr(handler, "role", "listener")
    if not user.can(needed):
        await store.audit(user, "refused", request.path[:80])
        return problem(request, 403, "forbidden")
    if request.method == "POST" and not csrf_ok(request, await read_form(request)):
        return problem(request, 403, "csrf")
    return await handler(request)


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """No framing, no inline script, no referrer, no sniffing, no caching of pages;
    HTTPS only (HSTS) when the console is behind TLS (``CONSOLE_SECURE_COOKIE=1``).
    """
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.app[OPTIONS]["secure_cookie"]:  # behind TLS: browsers stay on HTTPS
        response.headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
