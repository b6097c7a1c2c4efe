"""The queue: open cases, most urgent first (the page polls ``/api/queue``)."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

import aiohttp_jinja2
from aiohttp import web

from bot.console.helpers import ctx
from bot.console.keys import PREFIX, REDIS
from bot.console.lookups import people_brief
from bot.console.silence import episode_view
from bot.safety import cases as cases_mod


async def queue_rows(request: web.Request) -> List[Dict[str, Any]]:
    """Open cases, most urgent first, with what the queue shows."""
    now = time.time()
    open_cases = await cases_mod.queue(request.app[REDIS], request.app[PREFIX], limit=200)
    people = await people_brief(request, [case["person_id"] for case in open_cases])
    ladders = {case["person_id"]: await episode_view(request.app[REDIS], request.app[PREFIX],
                                                     case["person_id"])
               for case in open_cases if case.get("category") == "no_news"}
    return [dict({
        "id": case["id"], "level": case["level"], "category": case.get("category", ""),
        "status": case["status"], "claimed_by": case.get("claimed_by", ""),
        "waiting_seconds": max(0, int(now - float(case.get("created_ts") or now))),
        "messages": int(case.get("messages") or 1),
        "channel": summary["channel"], "first_name": summary["first_name"],
        "contact": summary["contact"], "person_ref": summary["ref"],
    }, **_silence(ladders.get(case["person_id"]))) for case, summary in zip(open_cases, people)]


def _silence(episode: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """A no_news case in the queue: the ladder's step (or how it ended) and whom it
    asked (first names only).
    """
    if not episode:
        return {"ladder_status": "", "ladder_step": "", "checking": []}
    return {"ladder_status": episode["status"], "ladder_step": episode["step"],
            "checking": episode["asked"]}


async def queue_page(request: web.Request) -> web.Response:
    """The queue (the table refreshes itself from /api/queue)."""
    return aiohttp_jinja2.render_template("queue.html", request,
                                          ctx(request, rows=await queue_rows(request)))


async def api_queue(request: web.Request) -> web.Response:
    """The queue as JSON."""
    return web.json_response({"cases": await queue_rows(request)})
