"""The people followed: the list, the search, one person, export and erasure."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any, Dict, Optional

import aiohttp_jinja2
from aiohttp import web

from bot.console.helpers import MAX_U64, BadInput, as_text, back, ctx, problem, read_form
from bot.console.keys import PREFIX, REDIS, STORE
from bot.console.lookups import people_brief, person_record, person_summary
from bot.console.silence import person_silence
from bot.core.phone import to_e164
from bot.core.wording import say
from bot.people.privacy import erase, export
from bot.people.registry import Keys, local_date
from bot.safety import cases as cases_mod


async def people_rows(request: web.Request) -> Dict[str, Any]:
    """People in pages of 50 (a SCAN cursor), with their follow-up state."""
    cursor_text = request.query.get("cursor", "0")
    if not re.fullmatch(r"[0-9]{1,20}", cursor_text) or int(cursor_text) > MAX_U64:
        raise BadInput("cursor")
    cursor = int(cursor_text)
    cursor, ids = await request.app[REDIS].sscan(Keys(request.app[PREFIX]).index,
                                                 cursor=cursor, count=50)
    rows = await people_brief(request, sorted(as_text(i) for i in ids), known_only=True)
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
    form = await read_form(request)
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
    """One person: follow-up state, 30 days of mood, next call, open case; the
    watch level, the last sign of life, the ladder's episode and the circle of care.
    """
    store = request.app[STORE]
    redis, prefix = request.app[REDIS], request.app[PREFIX]
    person_id = await store.person_of(request.match_info["ref"])
    if not person_id:
        return None
    person = await person_record(request, person_id)
    if not person:
        return None
    summary = person_summary(person_id, person, request.match_info["ref"])
    moods = {as_text(k): as_text(v)
             for k, v in (await redis.hgetall(Keys(prefix).mood(person_id))).items()}
    today = local_date(time.time(), summary["timezone"])
    days = [(today - timedelta(days=n)).isoformat() for n in range(29, -1, -1)]
    case_id = as_text(await redis.get(cases_mod.CaseKeys(prefix).person_case(person_id)))
    return {"person": summary, "moods": [{"day": d, "mood": moods.get(d, "")} for d in days],
            "open_case": case_id or None,
            "paused_until": person.get("paused_until", ""),
            "morning": person.get("morning", ""), "evening": person.get("evening", ""),
            **await person_silence(redis, prefix, person_id, person)}


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
    ref = request.match_info["ref"]
    person_id = await request.app[STORE].person_of(ref)
    if not person_id:
        return problem(request, 404, "not_found")
    data = await export(request.app[REDIS], request.app[PREFIX], person_id)
    await request.app[STORE].audit(request["user"], "export", ref)
    return web.json_response(data, headers={
        "Content-Disposition": f'attachment; filename="lien-{ref}.json"'})


async def _erase(request: web.Request) -> Optional[int]:
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
