"""The pages' Jinja2 environment: autoescape (a message is always shown as text),
the filters and globals the templates use.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.console.helpers import HERE, service_tz
from bot.core.wording import raw, say
from bot.people.registry import zone

# The outcomes a redirect may announce (?ok= / ?err=): nothing else is shown.
KNOWN_FLASHES = frozenset({
    "claimed", "claim_refused", "replied", "reply_refused", "empty_reply", "released",
    "handed", "resolved", "resolve_refused", "resolve_not_yours", "resolve_take_first",
    "booked", "bad_time", "erased",
    "roster_saved", "not_found", "send_failed",
    "seen", "watch_saved", "circle_added", "circle_removed"})


def format_ts(value: Any, with_date: bool = True, tz: str = "") -> str:
    """A timestamp in the service's timezone, or in ``tz`` (a person's local time);
    "" when unreadable.
    """
    try:
        moment = datetime.fromtimestamp(float(value), zone(tz or service_tz()))
    except (TypeError, ValueError):
        return ""
    return moment.strftime("%d/%m %H:%M" if with_date else "%H:%M")


def waiting(seconds: Any) -> str:
    """How long a case has waited, briefly."""
    seconds = int(seconds or 0)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d}"


def setup_templates(app: web.Application) -> None:
    """Jinja2 on the console's templates, for this application."""
    env = aiohttp_jinja2.setup(
        app, loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True))
    env.filters["when"] = format_ts
    env.globals["static"] = lambda name: app.router["static"].url_for(filename=name)
    env.globals["say"] = say
    env.globals["known"] = KNOWN_FLASHES
    env.filters["waiting"] = waiting
    # Silence is a signal: the ladder's words, the watch levels, a contact's agreement.
    env.globals["ladder_steps"] = raw("console.ladder_steps")
    env.globals["ladder_statuses"] = raw("console.ladder_statuses")
    env.globals["watch_levels"] = raw("console.watch_levels")
    env.globals["contact_statuses"] = raw("circle.statuses")
