"""The day's call plan, by volunteer then need."""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any, Dict

import aiohttp_jinja2
from aiohttp import web

from bot.calls import booking as calls_mod
from bot.console.helpers import BadInput, ctx, service_tz
from bot.console.keys import PREFIX, REDIS, STORE
from bot.people.registry import local_date, zone

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)  # the days a query may ask for


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
