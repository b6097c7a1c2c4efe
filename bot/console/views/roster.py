"""The on-call roster and the alert ladder, edited as the file's text (admins)."""

from __future__ import annotations

import aiohttp_jinja2
import yaml
from aiohttp import web

from bot.console.helpers import back, ctx, read_form
from bot.console.keys import STORE
from bot.console.roster_file import roster_path, validate_roster
from bot.core.wording import say
from bot.safety import roster as roster_mod


async def roster_page(request: web.Request) -> web.Response:
    """The on-call roster and the alert ladder, as the file's text."""
    path = roster_path()
    source = path if path.exists() else roster_mod.ROSTER_PATH
    return aiohttp_jinja2.render_template("roster.html", request, ctx(
        request, text=source.read_text(encoding="utf-8"), path=str(path)))


async def roster_save(request: web.Request) -> web.StreamResponse:
    """Check, then write the roster file; the worker reads it again."""
    form = await read_form(request)
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
