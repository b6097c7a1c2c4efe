"""Every route of the console, in one table: (method, path, handler, least role).

A role of ``None`` is a public route (log-in, health); the middleware lets
anything else through only to a signed-in user with that role at least. The
sandbox's page (``/sandbox``) is added by ``bot.console.sandbox.add_page`` when
the console runs beside the sandbox.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from aiohttp import web

from bot.console.helpers import HERE, Handler, role
from bot.console.views.audit import api_audit, audit_page
from bot.console.views.auth import health, home, login, login_page, logout
from bot.console.views.circle import api_person_action, person_action
from bot.console.views.cases import (api_case, api_case_action, api_messages, case_action,
                                     case_page)
from bot.console.views.people import (api_people, api_person, api_person_erase,
                                      api_person_export, people_page, people_search,
                                      person_erase, person_page)
from bot.console.views.plan import api_plan, plan_page
from bot.console.views.queue import api_queue, queue_page
from bot.console.views.roster import roster_page, roster_save

ROUTES: List[Tuple[str, str, Handler, Optional[str]]] = [
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
    ("POST", "/people/{ref}/watch", person_action("watch"), "social_worker"),
    ("POST", "/people/{ref}/circle", person_action("add"), "social_worker"),
    ("POST", "/people/{ref}/circle/{contact_id}/remove", person_action("remove"),
     "social_worker"),
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
    ("POST", "/api/people/{ref}/watch", api_person_action("watch"), "social_worker"),
    ("POST", "/api/people/{ref}/circle", api_person_action("add"), "social_worker"),
    ("POST", "/api/people/{ref}/circle/{contact_id}/remove", api_person_action("remove"),
     "social_worker"),
    ("GET", "/api/plan", api_plan, "listener"),
    ("GET", "/api/audit", api_audit, "admin"),
]


def setup_routes(app: web.Application) -> None:
    """The table's routes (each handler marked with its role) and the static files."""
    for method, path, handler, needed in ROUTES:
        if needed:
            role(needed)(handler)
        app.router.add_route(method, path, handler)
    app.router.add_static("/static/", HERE / "static", append_version=True, name="static")
