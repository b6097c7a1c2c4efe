"""The session cookie, the log-in form's signed nonce and the CSRF checks.

Nothing is written in Redis before a successful log-in: the log-in form's token
is a keyed hash (HMAC) of a random value kept in the browser's ``lien_login``
cookie (a signed double-submit cookie). After log-in, every POST carries the
session's CSRF token (form field ``csrf`` or header ``X-CSRF-Token``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from http.cookies import CookieError
from typing import Dict

from aiohttp import web

from bot.console.keys import STORE

COOKIE = "lien_session"
LOGIN_COOKIE = "lien_login"  # the log-in form's nonce (no server state before log-in)
LOGIN_FORM_SECONDS = 3600


def cookie(request: web.Request, name: str = COOKIE) -> str:
    """A cookie of ours, even when another cookie of the header is malformed."""
    try:
        return request.cookies.get(name, "")
    except CookieError:  # found by schemathesis: a broken Cookie header was a 503
        found = re.search(rf"(?:^|;)\s*{name}=([A-Za-z0-9_.-]{{1,100}})",
                          request.headers.get("Cookie", ""))
        return found.group(1) if found else ""


def csrf_ok(request: web.Request, form: Dict[str, str]) -> bool:
    """The POST carries the session's CSRF token."""
    session = request["session"]
    sent = request.headers.get("X-CSRF-Token") or form.get("csrf", "")
    return bool(session and sent) and hmac.compare_digest(sent, session["csrf"])


def login_nonce(request: web.Request) -> str:
    """The browser's log-in nonce ("random.issued_ts"), if well formed and recent."""
    value = cookie(request, LOGIN_COOKIE)
    found = re.fullmatch(r"([A-Za-z0-9_-]{16,64})\.([0-9]{1,12})", value)
    if not found or not 0 <= time.time() - int(found.group(2)) < LOGIN_FORM_SECONDS:
        return ""
    return value


async def login_token(request: web.Request, nonce: str) -> str:
    """The log-in form's CSRF token: a keyed hash of the browser's nonce."""
    key = await request.app[STORE].secret(b"login-form")
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


async def login_csrf_ok(request: web.Request, form: Dict[str, str]) -> bool:
    """The log-in form came from this site, to this browser (double-submit, signed)."""
    nonce, sent = login_nonce(request), form.get("csrf", "")
    return bool(nonce and sent) and hmac.compare_digest(
        sent.encode(), (await login_token(request, nonce)).encode())
