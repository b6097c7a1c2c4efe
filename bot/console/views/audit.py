"""The audit log: who saw or did what, when (admins)."""

from __future__ import annotations

from typing import Any, Dict

import aiohttp_jinja2
from aiohttp import web

from bot.console.helpers import ctx, stream_id
from bot.console.keys import STORE


async def audit_data(request: web.Request) -> Dict[str, Any]:
    """The newest 200 audit entries (``before`` pages back)."""
    before = request.query.get("before", "+")
    if before != "+":
        before = stream_id(before, "before")
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
