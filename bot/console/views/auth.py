"""Log-in, log-out, the health check and the home page."""

from __future__ import annotations

import secrets
import time
from typing import Optional
from urllib.parse import unquote, urlsplit

import aiohttp_jinja2
from aiohttp import web

from bot.console.helpers import ctx, read_form
from bot.console.keys import OPTIONS, STORE
from bot.console.session import (COOKIE, LOGIN_COOKIE, LOGIN_FORM_SECONDS, login_nonce,
                                 login_token)
from bot.console.store import MAX_FAILURES


async def login_page(request: web.Request) -> web.StreamResponse:
    """The log-in form; its CSRF token is bound to a cookie (nothing kept here)."""
    nonce = login_nonce(request)
    fresh = not nonce
    if fresh:
        nonce = f"{secrets.token_urlsafe(24)}.{int(time.time())}"
    page = await _render_login(request, nonce, False)
    if fresh:
        page.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="Strict", path="/login",
                        max_age=LOGIN_FORM_SECONDS,
                        secure=request.app[OPTIONS]["secure_cookie"])
    return page


async def _render_login(request: web.Request, nonce: str, failed: bool,
                        status: int = 200) -> web.Response:
    return aiohttp_jinja2.render_template(
        "login.html", request,
        dict(ctx(request), csrf=await login_token(request, nonce),
             next=local_path(request.query.get("next")), failed=failed), status=status)


def local_path(value: Optional[str]) -> str:
    r"""Where to go after log-in: a path of this site only (no open redirect).

    Browsers drop tabs and newlines and read ``\`` as ``/``, so ``/%09/evil``
    or ``/\evil`` lead to another site: anything but printable ASCII, any
    backslash, anything that starts with ``//`` or has a scheme or a host,
    before or after percent-decoding, goes to the queue instead.
    """
    if not value or len(value) > 1000:
        return "/queue"
    decoded = value
    for _ in range(3):  # encodings inside encodings
        decoded, before = unquote(decoded), decoded
        if decoded == before:
            break
    for text in (value, decoded):
        if any(not 0x21 <= ord(c) <= 0x7E for c in text) or "\\" in text or \
                not text.startswith("/") or text.startswith("//"):
            return "/queue"
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return "/queue"
    return value


def _set_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/",
                        secure=request.app[OPTIONS]["secure_cookie"])


async def login(request: web.Request) -> web.StreamResponse:
    """Check the password; a new session id on success (no fixation)."""
    store = request.app[STORE]
    form = await read_form(request)
    user, attempts = await store.attempt(form.get("login", ""), form.get("password", ""))
    if user is None:
        if attempts <= MAX_FAILURES + 1:  # then locked: not one entry per further try
            await store.audit(None, "login_failed" if attempts <= MAX_FAILURES
                              else "login_locked", form.get("login", "")[:40])
        return await _render_login(request, login_nonce(request), True, status=401)
    if request["session"]:  # signed in already: that session ends
        await store.end_session(request["session"]["token"], request["session"]["login"])
    session = await store.new_session(user.login)
    await store.audit(user, "login")
    response = web.HTTPFound(local_path(form.get("next")))
    _set_cookie(request, response, session["token"])
    response.del_cookie(LOGIN_COOKIE, path="/login")
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    """End the session."""
    await request.app[STORE].audit(request["user"], "logout")
    await request.app[STORE].end_session(request["session"]["token"], request["user"].login)
    response = web.HTTPFound("/login")
    response.del_cookie(COOKIE, path="/")
    raise response


async def health(_: web.Request) -> web.Response:
    """For the container's health check."""
    return web.json_response({"status": "ok"})


async def home(_: web.Request) -> web.StreamResponse:
    """The queue is the home page."""
    raise web.HTTPFound("/queue")
