"""What every view shares: refusals, page context, redirects, the posted form,
query parameters in range, and the least role a route needs.
"""

from __future__ import annotations

import json
import re
from typing import Any, Awaitable, Callable, Dict
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from bot.core.config import PROJECT_ROOT
from bot.core.wording import raw, say
from bot.people.registry import DEFAULT_TZ
from bot.core.config import load_settings

HERE = PROJECT_ROOT / "bot" / "console"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# The range of what a query may ask for (beyond it: 400, never an overflow's 503).
MAX_U64 = 2 ** 64 - 1  # Redis cursors and stream ids


class BadInput(ValueError):
    """A query parameter out of its range: 400, naming the parameter."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def stream_id(value: str, name: str) -> str:
    """A Redis stream id ("ms-seq"), both parts within 64 bits, written plainly
    ("00-0" is "0-0").
    """
    found = re.fullmatch(r"([0-9]{1,20})-([0-9]{1,20})", value)
    if not found or max(int(found.group(1)), int(found.group(2))) > MAX_U64:
        raise BadInput(name)
    return f"{int(found.group(1))}-{int(found.group(2))}"


def as_text(value: Any) -> str:
    """A Redis value as text ("" for None)."""
    return value.decode() if isinstance(value, bytes) else ("" if value is None else str(value))


def service_tz() -> str:
    """The service's timezone, as ``python -m bot plan`` reads it (``LIEN_TIMEZONE``)."""
    return load_settings().timezone or DEFAULT_TZ


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


async def read_form(request: web.Request) -> Dict[str, str]:
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
