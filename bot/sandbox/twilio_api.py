"""A local stand-in for the part of Twilio's REST API that Lien uses.

Usage: python -m bot.sandbox.twilio_api --port 8999 (the tests start it as
``tests.support.doubles.twilio_api``; ``make run`` serves it inside the sandbox,
``bot/sandbox/server.py``, when no Twilio credentials are set).

- ``POST /2010-04-01/Accounts/{sid}/Messages.json``: checks Basic auth, records
  the message and answers like Twilio (201, JSON with ``sid``, ``status``...).
- Test controls: ``GET /_messages`` (all recorded), ``POST /_fail`` with
  ``{"status": 429, "count": 2}`` (the next N sends fail with that status and
  are not recorded), ``POST /_reset``, ``GET /_count``, ``GET /_times?since=K``.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import time
from datetime import datetime, timezone
from typing import Any, Dict

from aiohttp import web

_counter = itertools.count(1)
# The double's state in its application (the sandbox serves it beside Telegram's).
STATE = web.AppKey("twilio", dict)


def _auth_ok(request: web.Request, account_sid: str, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user == account_sid and password == token


async def create_message(request: web.Request) -> web.Response:
    """Twilio's Messages.json create."""
    state = request.app[STATE]
    sid = request.match_info["sid"]
    if not _auth_ok(request, sid, state["token"]):
        return web.json_response({"code": 20003, "message": "Authenticate",
                                  "status": 401}, status=401)
    if state["fail"]["count"] > 0:
        state["fail"]["count"] -= 1
        status = state["fail"]["status"]
        return web.json_response({"code": 20429 if status == 429 else 20500,
                                  "message": "simulated failure", "status": status},
                                 status=status)
    form = await request.post()
    now = datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message: Dict[str, Any] = {
        "sid": f"SM{next(_counter):032d}",
        "account_sid": sid,
        "to": form.get("To"),
        "from": form.get("From"),
        "body": form.get("Body"),
        "status": "queued",
        "num_segments": "1",
        "direction": "outbound-api",
        "date_created": now,
        "date_updated": now,
        "date_sent": None,
        "error_code": None,
        "error_message": None,
        "price": None,
        "price_unit": "EUR",
        "api_version": "2010-04-01",
        "uri": f"/2010-04-01/Accounts/{sid}/Messages/x.json",
        "subresource_uris": {},
    }
    state["messages"].append(message)
    state["received_ts"].append(time.time())
    return web.json_response(message, status=201)


async def list_recorded(request: web.Request) -> web.Response:
    """All messages recorded so far."""
    return web.json_response(request.app[STATE]["messages"])


async def set_failures(request: web.Request) -> web.Response:
    """Make the next sends fail."""
    body = await request.json()
    request.app[STATE]["fail"] = {"status": int(body["status"]),
                                    "count": int(body["count"])}
    return web.json_response({"ok": True})


async def count_recorded(request: web.Request) -> web.Response:
    """How many messages were recorded (cheap, for benchmarks)."""
    return web.json_response({"count": len(request.app[STATE]["messages"])})


async def received_times(request: web.Request) -> web.Response:
    """When each message from index ``since`` on was received (for benchmarks)."""
    since = int(request.query.get("since", "0"))
    return web.json_response(request.app[STATE]["received_ts"][since:])


async def reset(request: web.Request) -> web.Response:
    """Forget everything."""
    request.app[STATE]["messages"].clear()
    request.app[STATE]["received_ts"].clear()
    request.app[STATE]["fail"] = {"status": 500, "count": 0}
    return web.json_response({"ok": True})


def add_routes(app: web.Application, token: str, prefix: str = "") -> None:
    """The double's routes (under ``prefix``) and state, on ``app``."""
    app[STATE] = {"messages": [], "received_ts": [], "fail": {"status": 500, "count": 0},
                  "token": token}
    app.router.add_post(prefix + "/2010-04-01/Accounts/{sid}/Messages.json", create_message)
    app.router.add_get(prefix + "/_messages", list_recorded)
    app.router.add_get(prefix + "/_count", count_recorded)
    app.router.add_get(prefix + "/_times", received_times)
    app.router.add_post(prefix + "/_fail", set_failures)
    app.router.add_post(prefix + "/_reset", reset)


def make_app(token: str) -> web.Application:
    """The double's application."""
    app = web.Application()
    add_routes(app, token)
    return app


def main(argv=None) -> None:
    """Serve the double alone on a port."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default="test-token")
    parser.add_argument("--quiet", action="store_true", help="no access log")
    args = parser.parse_args(argv)
    quiet: Dict[str, Any] = {"access_log": None} if args.quiet else {}
    web.run_app(make_app(args.token), host="127.0.0.1", port=args.port, print=None, **quiet)


if __name__ == "__main__":
    main()
