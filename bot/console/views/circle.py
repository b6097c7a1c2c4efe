"""Silence is a signal, on a person's page (social workers): the watch level, and
the circle of care (a contact added only with the person's agreement, removed
without a trace). Every change is audited, never with a number in it.
"""

from __future__ import annotations

import re
import time
from typing import Any, Dict, List

import aiohttp_jinja2
from aiohttp import web

from bot.checkins import ladder
from bot.console.helpers import Handler, back, ctx, problem, read_form
from bot.console.keys import PREFIX, REDIS, STORE
from bot.console.lookups import person_record
from bot.console.views.people import person_view
from bot.core.wording import say
from bot.people import circle
from bot.people.registry import Keys

YES = ("1", "on", "true", "oui", "yes")
_CONTACT_ID = re.compile(r"[0-9a-f]{1,40}")


def error_words(codes: List[str]) -> List[str]:
    """The French sentence of each refusal code (one per problem)."""
    words = []
    for code in codes:
        key = "console.circle_consent" if code == "consent" else f"circle.errors.{code}"
        try:
            words.append(say(key, max=circle.MAX_CONTACTS))
        except KeyError:
            words.append(code)
    return words


async def _person(request: web.Request) -> str:
    """The person behind the page's reference ('' when unknown or erased)."""
    person_id = await request.app[STORE].person_of(request.match_info["ref"])
    if person_id and await person_record(request, person_id):
        return person_id
    return ""


async def _act(request: web.Request, action: str) -> Dict[str, Any]:
    """Do one thing to a person's watch or circle; {"ok", "key", ...}."""
    person_id = await _person(request)
    if not person_id:
        return {"ok": False, "key": "not_found", "status": 404}
    redis, prefix, store = request.app[REDIS], request.app[PREFIX], request.app[STORE]
    user, ref = request["user"], request.match_info["ref"]
    form = await read_form(request)
    if action == "watch":
        level = form.get("watch", "")
        if level not in ladder.WATCH_LEVELS:
            return {"ok": False, "key": "bad_request", "values": {"why": "watch"},
                    "status": 400}
        on_silence = "1" if form.get("circle_on_silence", "").lower() in YES else "0"
        await redis.hset(Keys(prefix).person(person_id),
                         mapping={"watch": level, "circle_on_silence": on_silence})
        await store.audit(user, "watch", ref, f"{level}/{on_silence}")
        return {"ok": True, "key": "watch_saved"}
    if action == "add":
        name, relation = form.get("first_name", ""), form.get("relation", "")
        reach = {k: form.get(k, "") for k in ("phone", "telegram", "hours")}
        if form.get("agreed", "").lower() not in YES:
            codes = circle.check_contact(name, relation, **reach)[1] + ["consent"]
        else:
            try:
                contact = await circle.add_contact(redis, prefix, person_id, name, relation,
                                                   time.time(), **reach)
            except circle.CircleError as error:
                codes = str(error).splitlines()
            else:
                await store.audit(user, "circle_add", ref, f"{contact.id} ({contact.channel})")
                return {"ok": True, "key": "circle_added", "contact": contact.id}
        await store.audit(user, "circle_refused", ref, ",".join(codes))
        return {"ok": False, "key": "circle_refused", "status": 400,
                "errors": error_words(codes)}
    if action == "remove":
        contact_id = request.match_info["contact_id"]
        if not _CONTACT_ID.fullmatch(contact_id) or \
                not await circle.remove_contact(redis, prefix, person_id, contact_id):
            return {"ok": False, "key": "not_found", "status": 404}
        await store.audit(user, "circle_remove", ref, contact_id)
        return {"ok": True, "key": "circle_removed"}
    raise web.HTTPNotFound()


def person_action(action: str) -> Handler:
    """A form post on a person's page: back to the page with the outcome, or the
    page again with every problem of a refused contact (what was typed is kept,
    except the number).
    """
    async def handler(request: web.Request) -> web.StreamResponse:
        result = await _act(request, action)
        if result["ok"]:
            raise back(f"/people/{request.match_info['ref']}", ok=result["key"])
        if result["key"] != "circle_refused":
            return problem(request, result["status"], result["key"],
                           **result.get("values", {}))
        view = await person_view(request)
        if view is None:
            return problem(request, 404, "not_found")
        form = await read_form(request)
        return aiohttp_jinja2.render_template("person.html", request, ctx(
            request, view=view, circle_errors=result["errors"],
            circle_form={k: form.get(k, "")[:60] for k in ("first_name", "relation", "hours")}),
            status=400)
    handler.__name__ = f"person_{action}"
    return handler


def api_person_action(action: str) -> Handler:
    """The same as JSON (``errors``: each problem of a refused contact, in French)."""
    async def handler(request: web.Request) -> web.Response:
        result = await _act(request, action)
        if result["key"] == "not_found" or result["key"] == "bad_request":
            return problem(request, result["status"], result["key"],
                           **result.get("values", {}))
        body: Dict[str, Any] = {"ok": result["ok"], "message": say(f"console.{result['key']}")}
        for extra in ("errors", "contact"):
            if extra in result:
                body[extra] = result[extra]
        return web.json_response(body, status=200 if result["ok"] else result["status"])
    handler.__name__ = f"api_person_{action}"
    return handler
