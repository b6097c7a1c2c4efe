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
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import time
from datetime import date, datetime, timedelta
from http.cookies import CookieError
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional
from urllib.parse import quote, unquote, urlencode, urlsplit

import aiohttp_jinja2
import jinja2
import yaml
from aiohttp import web

from bot.safety import cases as cases_mod
from bot.safety import roster as roster_mod
from bot.calls import booking as calls_mod
from bot.core.config import PROJECT_ROOT
from bot.console.store import MAX_FAILURES, ROLES, ConsoleStore, LoginBusy, User
from bot.core.wording import raw, say
from bot.people.registry import (DEFAULT_TZ, Keys, at_local, get_person, local_date, parse_time,
                          zone)
from bot.core.phone import mask
from bot.safety.takeover import Takeover

logger = logging.getLogger(__name__)

HERE = PROJECT_ROOT / "bot" / "console"
COOKIE = "lien_session"
LOGIN_COOKIE = "lien_login"  # the log-in form's nonce (no server state before log-in)
LOGIN_FORM_SECONDS = 3600
HSTS_SECONDS = 365 * 86400  # Strict-Transport-Security, with CONSOLE_SECURE_COOKIE=1
PUBLIC = ("/login", "/health", "/static/")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

STORE = web.AppKey("store", ConsoleStore)
REDIS = web.AppKey("redis", object)
PREFIX = web.AppKey("prefix", str)
TAKEOVER = web.AppKey("takeover", Takeover)
OPTIONS = web.AppKey("options", dict)


# The range of what a query may ask for (beyond it: 400, never an overflow's 503).
MAX_U64 = 2 ** 64 - 1  # Redis cursors and stream ids
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)  # the call plan
BOOK_AHEAD_DAYS = 366  # a next call is booked within a year


class BadInput(ValueError):
    """A query parameter out of its range: 400, naming the parameter."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _stream_id(value: str, name: str) -> str:
    """A Redis stream id ("ms-seq"), both parts within 64 bits, written plainly
    ("00-0" is "0-0")."""
    found = re.fullmatch(r"([0-9]{1,20})-([0-9]{1,20})", value)
    if not found or max(int(found.group(1)), int(found.group(2))) > MAX_U64:
        raise BadInput(name)
    return f"{int(found.group(1))}-{int(found.group(2))}"


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else ("" if value is None else str(value))


def role(required: str) -> Callable[[Handler], Handler]:
    """The least role a route needs (``listener`` when not said)."""
    def mark(handler: Handler) -> Handler:
        handler.role = required  # type: ignore[attr-defined]
        return handler
    return mark


def is_api(request: web.Request) -> bool:
    """JSON API routes answer JSON, pages answer HTML."""
    return request.path.startswith("/api/")


def problem(request: web.Request, status: int, key: str, **values: Any) -> web.Response:
    """A clear refusal, as JSON for the API and as a page for people."""
    message = say(f"console.{key}", **values)
    if is_api(request):
        return web.json_response({"error": key, "message": message}, status=status)
    return aiohttp_jinja2.render_template("error.html", request,
                                          {"message": message, "status": status},
                                          status=status)


# -- middlewares ---------------------------------------------------------------------
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
    session = await store.session(_cookie(request))
    request["session"] = session
    user = await store.session_user(session)  # None when disabled or reset since
    if session and session.get("login") and user is None:
        session = request["session"] = None  # ended: the visitor is anonymous again
    request["user"] = user
    if request.path.startswith(PUBLIC):
        if request.method == "POST" and not await _login_csrf_ok(request, await _form(request)):
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
    if request.method == "POST" and not _csrf_ok(request, await _form(request)):
        return problem(request, 403, "csrf")
    return await handler(request)


def _cookie(request: web.Request, name: str = COOKIE) -> str:
    """A cookie of ours, even when another cookie of the header is malformed."""
    try:
        return request.cookies.get(name, "")
    except CookieError:  # found by schemathesis: a broken Cookie header was a 503
        found = re.search(rf"(?:^|;)\s*{name}=([A-Za-z0-9_.-]{{1,100}})",
                          request.headers.get("Cookie", ""))
        return found.group(1) if found else ""


async def _form(request: web.Request) -> Dict[str, str]:
    """The posted form (or JSON body), read once."""
    if "form" not in request:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except (ValueError, UnicodeDecodeError):
                raise web.HTTPBadRequest(text=json.dumps(
                    {"error": "bad_request", "message": say("console.bad_request", why="JSON")}),
                    content_type="application/json") from None
            if not isinstance(body, dict):
                body = {}
            request["form"] = {str(k): v if isinstance(v, str) else json.dumps(v)
                               for k, v in body.items()}
        else:
            request["form"] = {k: str(v) for k, v in (await request.post()).items()
                               if isinstance(v, str)}
    return request["form"]


def _csrf_ok(request: web.Request, form: Dict[str, str]) -> bool:
    import hmac

    session = request["session"]
    sent = request.headers.get("X-CSRF-Token") or form.get("csrf", "")
    return bool(session and sent) and hmac.compare_digest(sent, session["csrf"])


def _login_nonce(request: web.Request) -> str:
    """The browser's log-in nonce ("random.issued_ts"), if well formed and recent."""
    value = _cookie(request, LOGIN_COOKIE)
    found = re.fullmatch(r"([A-Za-z0-9_-]{16,64})\.([0-9]{1,12})", value)
    if not found or not 0 <= time.time() - int(found.group(2)) < LOGIN_FORM_SECONDS:
        return ""
    return value


async def _login_token(request: web.Request, nonce: str) -> str:
    """The log-in form's CSRF token: a keyed hash of the browser's nonce."""
    import hashlib
    import hmac

    key = await request.app[STORE].secret(b"login-form")
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


async def _login_csrf_ok(request: web.Request, form: Dict[str, str]) -> bool:
    """The log-in form came from this site, to this browser (double-submit, signed)."""
    import hmac

    nonce, sent = _login_nonce(request), form.get("csrf", "")
    return bool(nonce and sent) and hmac.compare_digest(
        sent.encode(), (await _login_token(request, nonce)).encode())


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """No framing, no inline script, no referrer, no sniffing, no caching of pages;
    HTTPS only (HSTS) when the console is behind TLS (``CONSOLE_SECURE_COOKIE=1``)."""
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


# -- helpers -------------------------------------------------------------------------
def ctx(request: web.Request, **values: Any) -> Dict[str, Any]:
    """What every page template gets."""
    session = request.get("session") or {}
    return dict(values, user=request.get("user"), csrf=session.get("csrf", ""),
                flash=request.query.get("ok", ""), refused=request.query.get("err", ""),
                flash_values={k: request.query.get(k, "")[:40] for k in FLASH_VALUES},
                levels=raw("alerts.levels"), categories=raw("alerts.categories"),
                roles=raw("users.roles"), statuses=raw("console.statuses"))


FLASH_VALUES = ("when", "volunteer", "login", "listener", "count")


def back(path: str, ok: str = "", err: str = "", **values: Any) -> web.HTTPFound:
    """Post/redirect/get, with the outcome's wording key (and its values)."""
    query = {"ok": ok} if ok else ({"err": err} if err else {})
    query.update({k: str(v) for k, v in values.items() if k in FLASH_VALUES})
    return web.HTTPFound(path + ("?" + urlencode(query) if query else ""))


def _person_summary(person_id: str, person: Dict[str, str], ref: str) -> Dict[str, Any]:
    channel, _, address = person_id.partition(":")
    return {
        "ref": ref, "first_name": person.get("first_name", ""), "channel": channel,
        "contact": mask(address) if channel == "sms" else (channel and "Telegram"),
        "status": person.get("status", ""), "referent": person.get("referent", ""),
        "register": person.get("register", "vous"),
        "missed": int(person.get("missed") or 0), "no_news": bool(person.get("no_news_id")),
        "next_call_ts": float(person.get("next_call_ts") or 0) or None,
        "timezone": person.get("timezone") or DEFAULT_TZ,
    }


async def _person(request: web.Request, person_id: str) -> Dict[str, str]:
    return await get_person(request.app[REDIS], request.app[PREFIX], person_id)


async def _people(request: web.Request, person_ids: List[str],
                  known_only: bool = False) -> List[Dict[str, Any]]:
    """Several people in brief, read in one round trip (the queue polls every 2 s)."""
    redis, prefix = request.app[REDIS], request.app[PREFIX]
    async with redis.pipeline(transaction=False) as pipe:
        for person_id in person_ids:
            pipe.hgetall(Keys(prefix).person(person_id))
        raw_people = await pipe.execute()
    if known_only:
        pairs = [(i, r) for i, r in zip(person_ids, raw_people) if r]
        person_ids, raw_people = [i for i, _ in pairs], [r for _, r in pairs]
    refs = await request.app[STORE].remember_all(person_ids)
    return [_person_summary(person_id, {_s(k): _s(v) for k, v in raw_person.items()}, ref)
            for person_id, raw_person, ref in zip(person_ids, raw_people, refs)]


async def queue_rows(request: web.Request) -> List[Dict[str, Any]]:
    """Open cases, most urgent first, with what the queue shows."""
    now = time.time()
    open_cases = await cases_mod.queue(request.app[REDIS], request.app[PREFIX], limit=200)
    people = await _people(request, [case["person_id"] for case in open_cases])
    return [{
        "id": case["id"], "level": case["level"], "category": case.get("category", ""),
        "status": case["status"], "claimed_by": case.get("claimed_by", ""),
        "waiting_seconds": max(0, int(now - float(case.get("created_ts") or now))),
        "messages": int(case.get("messages") or 1),
        "channel": summary["channel"], "first_name": summary["first_name"],
        "contact": summary["contact"], "person_ref": summary["ref"],
    } for case, summary in zip(open_cases, people)]


def _transcript(events: List[bytes], limit: int = 200) -> List[Dict[str, Any]]:
    lines = []
    for item in events:
        event = json.loads(item)
        if event.get("event") not in ("user", "bot") or not event.get("text"):
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name", "").startswith(
                "EXTERNAL_") and event["event"] == "user":
            continue
        metadata = event.get("metadata") or {}
        lines.append({"from": "person" if event["event"] == "user" else
                      ("listener" if metadata.get("listener") else "bot"),
                      "listener": metadata.get("listener", ""),
                      "text": event["text"], "ts": float(event.get("timestamp") or 0)})
    return lines[-limit:]


async def case_view(request: web.Request, case_id: str) -> Optional[Dict[str, Any]]:
    """A case, the person in brief, the conversation and the live messages."""
    redis, prefix, store = request.app[REDIS], request.app[PREFIX], request.app[STORE]
    case = await cases_mod.get_case(redis, prefix, case_id)
    if not case:
        return None
    person_id = case["person_id"]
    person = _person_summary(person_id, await _person(request, person_id),
                             await store.remember(person_id))
    base = f"{prefix}:trk:{person_id}"
    transcript = _transcript(await redis.lrange(f"{base}:cur", -400, -1))
    live = await request.app[TAKEOVER].live(person_id)
    return {
        "case": {k: case.get(k, "") for k in (
            "id", "level", "category", "status", "claimed_by", "created_ts", "outcome",
            "orientation", "messages", "resolved_ts")},
        "person": person, "transcript": transcript,
        "live": [{"id": e["id"], "from": e.get("from", ""), "text": e.get("text", ""),
                  "ts": float(e.get("ts") or 0)} for e in live],
    }


def _case_id(request: web.Request) -> str:
    case_id = request.match_info["case_id"]
    if len(case_id) > 40 or not all(c.isalnum() or c == "-" for c in case_id):
        raise web.HTTPNotFound()
    return case_id


# -- log-in --------------------------------------------------------------------------
async def login_page(request: web.Request) -> web.StreamResponse:
    """The log-in form; its CSRF token is bound to a cookie (nothing kept here)."""
    nonce = _login_nonce(request)
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
        dict(ctx(request), csrf=await _login_token(request, nonce),
             next=_local_path(request.query.get("next")), failed=failed), status=status)


def _local_path(value: Optional[str]) -> str:
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
    form = await _form(request)
    user, attempts = await store.attempt(form.get("login", ""), form.get("password", ""))
    if user is None:
        if attempts <= MAX_FAILURES + 1:  # then locked: not one entry per further try
            await store.audit(None, "login_failed" if attempts <= MAX_FAILURES
                              else "login_locked", form.get("login", "")[:40])
        return await _render_login(request, _login_nonce(request), True, status=401)
    if request["session"]:  # signed in already: that session ends
        await store.end_session(request["session"]["token"], request["session"]["login"])
    session = await store.new_session(user.login)
    await store.audit(user, "login")
    response = web.HTTPFound(_local_path(form.get("next")))
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


# -- the queue and cases -------------------------------------------------------------
async def queue_page(request: web.Request) -> web.Response:
    """The queue (the table refreshes itself from /api/queue)."""
    return aiohttp_jinja2.render_template("queue.html", request,
                                          ctx(request, rows=await queue_rows(request)))


async def api_queue(request: web.Request) -> web.Response:
    """The queue as JSON."""
    return web.json_response({"cases": await queue_rows(request)})


async def case_page(request: web.Request) -> web.Response:
    """One case: the conversation, claim, reply, resolve, book the next call."""
    case_id = _case_id(request)
    view = await case_view(request, case_id)
    if view is None:
        return problem(request, 404, "not_found")
    await request.app[STORE].audit(request["user"], "view_case", case_id)
    users = [u for u in await request.app[STORE].users() if u.login != request["user"].login]
    return aiohttp_jinja2.render_template("case.html", request, ctx(
        request, view=view, outcomes=raw("console.outcomes"),
        orientations=raw("console.orientations"), colleagues=users,
        may_resolve=may_resolve(view["case"], request["user"]),
        today=date.today().isoformat()))


async def api_case(request: web.Request) -> web.Response:
    """One case as JSON."""
    case_id = _case_id(request)
    view = await case_view(request, case_id)
    if view is None:
        return problem(request, 404, "not_found")
    await request.app[STORE].audit(request["user"], "view_case", case_id)
    return web.json_response(view)


async def api_messages(request: web.Request) -> web.Response:
    """Live messages of a case's conversation after a stream id."""
    case_id = _case_id(request)
    case = await cases_mod.get_case(request.app[REDIS], request.app[PREFIX], case_id)
    if not case:
        return problem(request, 404, "not_found")
    after = _stream_id(request.query.get("after", "0-0"), "after")
    if after == f"{MAX_U64}-{MAX_U64}":
        return web.json_response({"messages": [], "status": case["status"]})
    live = await request.app[TAKEOVER].live(case["person_id"], after=after)
    return web.json_response({"messages": [
        {"id": e["id"], "from": e.get("from", ""), "text": e.get("text", ""),
         "ts": float(e.get("ts") or 0)} for e in live], "status": case["status"]})


async def _act(request: web.Request, action: str) -> Dict[str, Any]:
    """Do one thing to a case; return {"ok": bool, "key": wording key, ...}."""
    case_id = _case_id(request)
    user: User = request["user"]
    form = await _form(request)
    redis, prefix, takeover = request.app[REDIS], request.app[PREFIX], request.app[TAKEOVER]
    case = await cases_mod.get_case(redis, prefix, case_id)
    if not case:
        return {"ok": False, "key": "not_found", "status": 404}
    store = request.app[STORE]
    if action == "claim":
        ok = await takeover.claim(case_id, user.login, user.first_name)
        await store.audit(user, "claim" if ok else "claim_refused", case_id)
        return {"ok": ok, "key": "claimed" if ok else "claim_refused",
                "values": {"listener": case.get("claimed_by", "")}}
    if action == "reply":
        text = form.get("text", "").strip()
        if not text:
            return {"ok": False, "key": "empty_reply"}
        ok = await takeover.reply(case_id, user.login, text)
        await store.audit(user, "reply" if ok else "reply_refused", case_id,
                          say("console.audit.characters", count=len(text)))
        return {"ok": ok, "key": "replied" if ok else "reply_refused"}
    if action == "release":
        to = form.get("to", "").strip().lower()
        if to and await store.user(to) is None:
            return {"ok": False, "key": "not_found", "status": 404}
        if case.get("claimed_by") != user.login and not user.can("social_worker"):
            return {"ok": False, "key": "reply_refused"}
        ok = await cases_mod.release_case(redis, prefix, case_id, time.time(), to=to or None)
        await store.audit(user, "hand_over" if to else "release", case_id, to)
        return {"ok": ok, "key": ("handed" if to else "released") if ok else "claim_refused",
                "values": {"login": to, "listener": case.get("claimed_by", "")}}
    if action == "resolve":
        outcome, orientation = form.get("outcome", ""), form.get("orientation", "none")
        if outcome not in raw("console.outcomes") or \
                orientation not in raw("console.orientations"):
            return {"ok": False, "key": "bad_request", "values": {"why": "outcome"},
                    "status": 400}
        refusal = _resolve_refusal(case, user)
        if refusal:
            await store.audit(user, "resolve_refused", case_id, refusal["key"])
            return refusal
        holder = case.get("claimed_by", "") if case.get("status") == "claimed" else ""
        ok = await takeover.resolve(case_id, outcome, orientation)
        overridden = ok and holder and holder != user.login
        await store.audit(user, ("resolve_override" if overridden else "resolve") if ok
                          else "resolve_refused", case_id,
                          f"{outcome}/{orientation}" + (f" ({holder})" if overridden else ""))
        return {"ok": ok, "key": "resolved" if ok else "resolve_refused"}
    if action == "call":
        return await _book(request, case["person_id"], form, case_id)
    raise web.HTTPNotFound()


def may_resolve(case: Dict[str, str], user: User) -> bool:
    """Whether ``user`` may close ``case`` now (the case page shows the form then)."""
    return _resolve_refusal(case, user) is None


def _resolve_refusal(case: Dict[str, str], user: User) -> Optional[Dict[str, Any]]:
    """Why ``user`` may not close ``case``: a claimed case is its holder's (admins
    may, audited); an unclaimed urgent case is taken first (its alert ladder
    stops only when someone is with the person)."""
    if case.get("status") == "claimed" and case.get("claimed_by") != user.login and \
            not user.can("admin"):
        return {"ok": False, "key": "resolve_not_yours", "status": 403,
                "values": {"listener": case.get("claimed_by", "")}}
    if case.get("status") == "pending" and case.get("level") in cases_mod.ALERT_LEVELS:
        return {"ok": False, "key": "resolve_take_first", "status": 409}
    return None


async def _book(request: web.Request, person_id: str, form: Dict[str, str],
                target: str) -> Dict[str, Any]:
    redis, prefix = request.app[REDIS], request.app[PREFIX]
    person = await _person(request, person_id)
    tz_name = person.get("timezone") or DEFAULT_TZ
    hhmm = parse_time(form.get("time", ""))
    try:
        at_ts = at_local(date.fromisoformat(form.get("date", "")), hhmm or "", tz_name)
    except (ValueError, OverflowError):
        return {"ok": False, "key": "bad_time", "status": 400}
    if not time.time() < at_ts <= time.time() + BOOK_AHEAD_DAYS * 86400:
        return {"ok": False, "key": "bad_time", "status": 400}
    at = datetime.fromtimestamp(at_ts, zone(tz_name))
    booking = await calls_mod.book_call(redis, prefix, person_id, at_ts,
                                        say("console.booked_wish"), time.time())
    await request.app[STORE].audit(request["user"], "book_call", target,
                                   at.strftime("%Y-%m-%d %H:%M"))
    return {"ok": True, "key": "booked", "values": {
        "when": at.strftime("%d/%m %H:%M"),
        "volunteer": booking.volunteer_name or say("plan.unassigned")},
        "call": {"id": booking.call_id, "at_ts": booking.at_ts}}


def case_action(action: str) -> Handler:
    """A form post on a case page (redirects back with the outcome)."""
    async def handler(request: web.Request) -> web.StreamResponse:
        result = await _act(request, action)
        path = f"/cases/{_case_id(request)}"
        if result.get("key") == "not_found":
            return problem(request, 404, "not_found")
        values = result.get("values", {})
        raise back(path, ok=result["key"], **values) if result["ok"] else \
            back(path, err=result["key"], **values)
    handler.__name__ = f"case_{action}"
    return handler


def api_case_action(action: str) -> Handler:
    """The same as JSON."""
    async def handler(request: web.Request) -> web.Response:
        result = await _act(request, action)
        message = say(f"console.{result['key']}", **result.get("values", {}))
        status = 200 if result["ok"] else result.get("status", 409)
        body = {"ok": result["ok"], "message": message}
        if "call" in result:
            body["call"] = result["call"]
        return web.json_response(body, status=status)
    handler.__name__ = f"api_case_{action}"
    return handler


# -- people --------------------------------------------------------------------------
async def people_rows(request: web.Request) -> Dict[str, Any]:
    """People in pages of 50 (a SCAN cursor), with their follow-up state."""
    cursor_text = request.query.get("cursor", "0")
    if not re.fullmatch(r"[0-9]{1,20}", cursor_text) or int(cursor_text) > MAX_U64:
        raise BadInput("cursor")
    cursor = int(cursor_text)
    cursor, ids = await request.app[REDIS].sscan(Keys(request.app[PREFIX]).index,
                                                 cursor=cursor, count=50)
    rows = await _people(request, sorted(_s(i) for i in ids), known_only=True)
    return {"people": rows, "next_cursor": int(cursor)}


async def people_page(request: web.Request) -> web.Response:
    """The people followed."""
    data = await people_rows(request)
    await request.app[STORE].audit(request["user"], "view_people")
    return aiohttp_jinja2.render_template("people.html", request, ctx(request, **data))


async def api_people(request: web.Request) -> web.Response:
    """The people followed, as JSON."""
    data = await people_rows(request)
    await request.app[STORE].audit(request["user"], "view_people")
    return web.json_response(data)


async def people_search(request: web.Request) -> web.StreamResponse:
    """Find one person by phone number or Telegram id (posted: never in a URL)."""
    from bot.core.phone import to_e164

    form = await _form(request)
    wanted = form.get("contact", "").strip()[:40]
    candidates = []
    number = to_e164(wanted) if wanted else None
    if number:
        candidates.append(f"sms:{number}")
    if wanted.lstrip("-").isdigit():
        candidates.append(f"telegram:{wanted}")
    store = request.app[STORE]
    for person_id in candidates:
        if await request.app[REDIS].exists(Keys(request.app[PREFIX]).person(person_id)):
            ref = await store.remember(person_id)
            await store.audit(request["user"], "search", ref, say("console.audit.found"))
            raise web.HTTPFound(f"/people/{ref}")
    await store.audit(request["user"], "search", "", say("console.audit.none"))
    raise back("/people", err="not_found")


async def person_view(request: web.Request) -> Optional[Dict[str, Any]]:
    """One person: follow-up state, 30 days of mood, next call, open case."""
    store = request.app[STORE]
    redis, prefix = request.app[REDIS], request.app[PREFIX]
    person_id = await store.person_of(request.match_info["ref"])
    if not person_id:
        return None
    person = await _person(request, person_id)
    if not person:
        return None
    summary = _person_summary(person_id, person, request.match_info["ref"])
    moods = {_s(k): _s(v) for k, v in (await redis.hgetall(Keys(prefix).mood(person_id))).items()}
    today = local_date(time.time(), summary["timezone"])
    days = [(today - timedelta(days=n)).isoformat() for n in range(29, -1, -1)]
    case_id = _s(await redis.get(cases_mod.CaseKeys(prefix).person_case(person_id)))
    return {"person": summary, "moods": [{"day": d, "mood": moods.get(d, "")} for d in days],
            "open_case": case_id or None,
            "paused_until": person.get("paused_until", ""),
            "morning": person.get("morning", ""), "evening": person.get("evening", "")}


async def person_page(request: web.Request) -> web.Response:
    """One person's page."""
    view = await person_view(request)
    if view is None:
        return problem(request, 404, "not_found")
    await request.app[STORE].audit(request["user"], "view_person", request.match_info["ref"])
    return aiohttp_jinja2.render_template("person.html", request, ctx(request, view=view))


async def api_person(request: web.Request) -> web.Response:
    """One person as JSON."""
    view = await person_view(request)
    if view is None:
        return problem(request, 404, "not_found")
    await request.app[STORE].audit(request["user"], "view_person", request.match_info["ref"])
    return web.json_response(view)


async def api_person_export(request: web.Request) -> web.Response:
    """Everything Lien keeps about one person (GDPR access), as a download."""
    from bot.people.privacy import export

    ref = request.match_info["ref"]
    person_id = await request.app[STORE].person_of(ref)
    if not person_id:
        return problem(request, 404, "not_found")
    data = await export(request.app[REDIS], request.app[PREFIX], person_id)
    await request.app[STORE].audit(request["user"], "export", ref)
    return web.json_response(data, headers={
        "Content-Disposition": f'attachment; filename="lien-{ref}.json"'})


async def _erase(request: web.Request) -> Optional[int]:
    from bot.people.privacy import erase

    store = request.app[STORE]
    ref = request.match_info["ref"]
    person_id = await store.person_of(ref)
    if not person_id:
        return None
    count = await erase(request.app[REDIS], request.app[PREFIX], person_id)
    await store.audit(request["user"], "erase", ref, f"{count}")
    return count


async def person_erase(request: web.Request) -> web.StreamResponse:
    """Erase one person (admin; the form asks to confirm)."""
    count = await _erase(request)
    if count is None:
        return problem(request, 404, "not_found")
    raise back("/people", ok="erased", count=count)


async def api_person_erase(request: web.Request) -> web.Response:
    """The same as JSON."""
    count = await _erase(request)
    if count is None:
        return problem(request, 404, "not_found")
    return web.json_response({"ok": True, "message": say("console.erased", count=count)})


# -- the call plan, the audit log, the roster ----------------------------------------
def service_tz() -> str:
    """The service's timezone, as ``python -m bot plan`` reads it (``LIEN_TIMEZONE``)."""
    return os.environ.get("LIEN_TIMEZONE", DEFAULT_TZ)


def _day(request: web.Request) -> date:
    """The day asked for (today when none or unreadable; 400 when out of range)."""
    try:
        day = date.fromisoformat(request.query.get("date", ""))
    except ValueError:
        return local_date(time.time(), service_tz())
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadInput("date")
    return day


async def plan_data(request: web.Request) -> Dict[str, Any]:
    """The day's calls, by volunteer then need."""
    day = _day(request)
    lines = await calls_mod.day_plan(request.app[REDIS], request.app[PREFIX], day,
                                     service_tz())
    tz = zone(service_tz())
    refs = await request.app[STORE].remember_all([line.person_id for line in lines])
    rows = [{
        "at": datetime.fromtimestamp(line.at_ts, tz).strftime("%H:%M"),
        "at_ts": line.at_ts, "volunteer": line.volunteer_name,
        "first_name": line.first_name, "channel": line.channel,
        "person_ref": ref, "reason": line.reason(),
        "risk": line.risk, "no_news": line.no_news, "missed": line.missed}
        for line, ref in zip(lines, refs)]
    return {"date": day.isoformat(), "calls": rows}


async def plan_page(request: web.Request) -> web.Response:
    """The day's call plan."""
    data = await plan_data(request)
    return aiohttp_jinja2.render_template("plan.html", request, ctx(request, **data))


async def api_plan(request: web.Request) -> web.Response:
    """The day's call plan as JSON."""
    return web.json_response(await plan_data(request))


async def audit_data(request: web.Request) -> Dict[str, Any]:
    """The newest 200 audit entries (``before`` pages back)."""
    before = request.query.get("before", "+")
    if before != "+":
        before = _stream_id(before, "before")
        if before == "0-0":
            return {"entries": []}  # nothing is older (and Redis refuses "(0-0")
    entries = await request.app[STORE].audit_log(200, before=f"({before}"
                                                  if before != "+" else "+")
    return {"entries": entries}


async def audit_page(request: web.Request) -> web.Response:
    """Who saw or did what, when."""
    return aiohttp_jinja2.render_template("audit.html", request,
                                          ctx(request, **await audit_data(request)))


async def api_audit(request: web.Request) -> web.Response:
    """The audit log as JSON."""
    return web.json_response(await audit_data(request))


def roster_path() -> Path:
    """The roster file the worker reads (``ROSTER_FILE`` or the default)."""
    return Path(os.environ.get("ROSTER_FILE") or str(roster_mod.ROSTER_PATH))


def validate_roster(text: str) -> Dict[str, Any]:
    """The roster file's shape, checked before anything is written (ValueError)."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("tiers"), list) or \
            not data["tiers"]:
        raise ValueError(say("console.roster_errors.tiers"))
    for number, tier in enumerate(data["tiers"], 1):
        members = tier.get("members") if isinstance(tier, dict) else None
        if not isinstance(members, list) or not members:
            raise ValueError(say("console.roster_errors.members", number=number))
        for member in members:
            if not isinstance(member, dict) or not (member.get("phone") or
                                                     member.get("telegram")):
                raise ValueError(say("console.roster_errors.contact", number=number))
    ladder = data.get("ladder")
    if not isinstance(ladder, dict) or any(
            not isinstance(v, list) or not all(isinstance(m, int) and m >= 0 for m in v)
            for v in ladder.values()):
        raise ValueError(say("console.roster_errors.ladder"))
    referents = data.get("referents") or {}
    if not isinstance(referents, dict) or any(
            not isinstance(info, dict) or not (info.get("phone") or info.get("telegram"))
            for info in referents.values()):
        raise ValueError(say("console.roster_errors.referents"))
    digest = data.get("digest") or {}
    if not isinstance(digest, dict) or not set(digest) <= {"time", "timezone", "immediate"}:
        raise ValueError(say("console.roster_errors.digest"))
    if "time" in digest and not (isinstance(digest["time"], int) or
                                 parse_time(str(digest["time"]))):
        raise ValueError(say("console.roster_errors.digest_time"))
    if "timezone" in digest:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(str(digest["timezone"]))
        except Exception:  # noqa: BLE001 - any unknown or malformed zone name
            raise ValueError(say("console.roster_errors.digest_timezone")) from None
    return data


async def roster_page(request: web.Request) -> web.Response:
    """The on-call roster and the alert ladder, as the file's text."""
    path = roster_path()
    source = path if path.exists() else roster_mod.ROSTER_PATH
    return aiohttp_jinja2.render_template("roster.html", request, ctx(
        request, text=source.read_text(encoding="utf-8"), path=str(path)))


async def roster_save(request: web.Request) -> web.StreamResponse:
    """Check, then write the roster file; the worker reads it again."""
    form = await _form(request)
    text = form.get("text", "")
    try:
        validate_roster(text)
    except (ValueError, yaml.YAMLError) as error:
        why = str(error).splitlines()[0][:200]
        return aiohttp_jinja2.render_template("roster.html", request, dict(ctx(
            request, text=text, path=str(roster_path())),
            refused_text=say("console.roster_invalid", why=why)), status=400)
    path = roster_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    roster_mod.roster.cache_clear()
    await request.app[STORE].audit(request["user"], "roster_edit")
    raise back("/roster", ok="roster_saved")


# -- the application ----------------------------------------------------------------
ROUTES = [
    ("GET", "/health", health, None),
    ("GET", "/login", login_page, None),
    ("POST", "/login", login, None),
    ("POST", "/logout", logout, "listener"),
    ("GET", "/", home, "listener"),
    ("GET", "/queue", queue_page, "listener"),
    ("GET", "/cases/{case_id}", case_page, "listener"),
    ("POST", "/cases/{case_id}/claim", case_action("claim"), "listener"),
    ("POST", "/cases/{case_id}/reply", case_action("reply"), "listener"),
    ("POST", "/cases/{case_id}/release", case_action("release"), "listener"),
    ("POST", "/cases/{case_id}/resolve", case_action("resolve"), "listener"),
    ("POST", "/cases/{case_id}/call", case_action("call"), "listener"),
    ("GET", "/people", people_page, "social_worker"),
    ("POST", "/people/search", people_search, "social_worker"),
    ("GET", "/people/{ref}", person_page, "social_worker"),
    ("POST", "/people/{ref}/erase", person_erase, "admin"),
    ("GET", "/plan", plan_page, "listener"),
    ("GET", "/audit", audit_page, "admin"),
    ("GET", "/roster", roster_page, "admin"),
    ("POST", "/roster", roster_save, "admin"),
    ("GET", "/api/queue", api_queue, "listener"),
    ("GET", "/api/cases/{case_id}", api_case, "listener"),
    ("GET", "/api/cases/{case_id}/messages", api_messages, "listener"),
    ("POST", "/api/cases/{case_id}/claim", api_case_action("claim"), "listener"),
    ("POST", "/api/cases/{case_id}/reply", api_case_action("reply"), "listener"),
    ("POST", "/api/cases/{case_id}/release", api_case_action("release"), "listener"),
    ("POST", "/api/cases/{case_id}/resolve", api_case_action("resolve"), "listener"),
    ("POST", "/api/cases/{case_id}/call", api_case_action("call"), "listener"),
    ("GET", "/api/people", api_people, "social_worker"),
    ("GET", "/api/people/{ref}", api_person, "social_worker"),
    ("GET", "/api/people/{ref}/export", api_person_export, "social_worker"),
    ("POST", "/api/people/{ref}/erase", api_person_erase, "admin"),
    ("GET", "/api/plan", api_plan, "listener"),
    ("GET", "/api/audit", api_audit, "admin"),
]


# The outcomes a redirect may announce (?ok= / ?err=): nothing else is shown.
KNOWN_FLASHES = frozenset({
    "claimed", "claim_refused", "replied", "reply_refused", "empty_reply", "released",
    "handed", "resolved", "resolve_refused", "resolve_not_yours", "resolve_take_first",
    "booked", "bad_time", "erased",
    "roster_saved", "not_found", "send_failed"})


def _format_ts(value: Any, with_date: bool = True) -> str:
    try:
        moment = datetime.fromtimestamp(float(value), zone(service_tz()))
    except (TypeError, ValueError):
        return ""
    return moment.strftime("%d/%m %H:%M" if with_date else "%H:%M")


def _waiting(seconds: Any) -> str:
    seconds = int(seconds or 0)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d}"


def make_app(redis: Any, prefix: str, takeover: Takeover, secure_cookie: bool = False,
             session_hours: float = 12) -> web.Application:
    """The console on a Redis client and a Takeover (the channels' outputs, Rasa)."""
    app = web.Application(middlewares=[guard], client_max_size=256 * 1024)
    app[STORE] = ConsoleStore(redis, prefix, session_hours)
    app[REDIS] = redis
    app[PREFIX] = prefix
    app[TAKEOVER] = takeover
    app[OPTIONS] = {"secure_cookie": secure_cookie}
    env = aiohttp_jinja2.setup(
        app, loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True))
    env.filters["when"] = _format_ts
    env.globals["static"] = lambda name: app.router["static"].url_for(filename=name)
    env.globals["say"] = say
    env.globals["known"] = KNOWN_FLASHES
    env.filters["waiting"] = _waiting
    for method, path, handler, needed in ROUTES:
        if needed:
            role(needed)(handler)
        app.router.add_route(method, path, handler)
    app.router.add_static("/static/", HERE / "static", append_version=True, name="static")
    app.on_response_prepare.append(security_headers)

    async def warm(_: web.Application) -> None:
        await app[STORE].dummy_hash()  # the first unknown login is no slower than the next

    app.on_startup.append(warm)
    return app


__all__ = ["make_app", "ROUTES", "ROLES", "validate_roster"]
