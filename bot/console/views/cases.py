"""One case: the conversation, claim, reply, hand over, resolve, book the next call."""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from typing import Any, Dict, List, Optional

import aiohttp_jinja2
from aiohttp import web

from bot.calls import booking as calls_mod
from bot.console.helpers import (MAX_U64, Handler, back, ctx, problem, read_form,
                                 stream_id)
from bot.console.keys import PREFIX, REDIS, STORE, TAKEOVER
from bot.console.lookups import person_record, person_summary
from bot.console.silence import SEEN, episode_view, seen_and_resolve
from bot.console.store import User
from bot.core.records import Case
from bot.core.wording import raw, say
from bot.people.registry import DEFAULT_TZ, at_local, parse_time, zone
from bot.safety import cases as cases_mod
from bot.core.keys import TrackerKeys

BOOK_AHEAD_DAYS = 366  # a next call is booked within a year


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
    person = person_summary(person_id, await person_record(request, person_id),
                            await store.remember(person_id))
    current = TrackerKeys(prefix).parts(person_id)[0]
    transcript = _transcript(await redis.lrange(current, -400, -1))
    live = await request.app[TAKEOVER].live(person_id)
    return {
        "case": {k: case.get(k, "") for k in (
            "id", "level", "category", "status", "claimed_by", "created_ts", "outcome",
            "orientation", "messages", "resolved_ts")},
        "person": person, "transcript": transcript,
        "ladder": await episode_view(redis, prefix, person_id)
        if case.get("category") == "no_news" else None,
        "live": [{"id": e["id"], "from": e.get("from", ""), "text": e.get("text", ""),
                  "ts": float(e.get("ts") or 0)} for e in live],
    }


def _case_id(request: web.Request) -> str:
    case_id = request.match_info["case_id"]
    if len(case_id) > 40 or not all(c.isalnum() or c == "-" for c in case_id):
        raise web.HTTPNotFound()
    return case_id


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
    after = stream_id(request.query.get("after", "0-0"), "after")
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
    form = await read_form(request)
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
        if outcome == SEEN:  # "vu en personne, tout va bien": the ladder ends too
            ok = await seen_and_resolve(redis, prefix, takeover, case["person_id"], case_id,
                                        user.login, orientation)
        else:
            ok = await takeover.resolve(case_id, outcome, orientation)
        overridden = ok and holder and holder != user.login
        await store.audit(user, ("resolve_override" if overridden else "resolve") if ok
                          else "resolve_refused", case_id,
                          f"{outcome}/{orientation}" + (f" ({holder})" if overridden else ""))
        return {"ok": ok, "key": ("seen" if outcome == SEEN else "resolved") if ok
                else "resolve_refused"}
    if action == "call":
        return await _book(request, case["person_id"], form, case_id)
    raise web.HTTPNotFound()


def may_resolve(case: Case, user: User) -> bool:
    """Whether ``user`` may close ``case`` now (the case page shows the form then)."""
    return _resolve_refusal(case, user) is None


def _resolve_refusal(case: Case, user: User) -> Optional[Dict[str, Any]]:
    """Why ``user`` may not close ``case``: a claimed case is its holder's (admins
    may, audited); an unclaimed urgent case is taken first (its alert ladder
    stops only when someone is with the person).
    """
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
    person = await person_record(request, person_id)
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
