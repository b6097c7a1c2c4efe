"""A local stand-in for the part of Twilio's REST API that Lien uses.

Usage: python -m tests.doubles.twilio_api --port 8999

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

from aiohttp import web

_counter = itertools.count(1)


def _auth_ok(request: web.Request, account_sid: str, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user == account_sid and password == token


async def create_message(request: web.Request) -> web.Response:
    """Twilio's Messages.json create."""
    state = request.app["state"]
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
    message = {
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
    return web.json_response(request.app["state"]["messages"])


async def set_failures(request: web.Request) -> web.Response:
    """Make the next sends fail."""
    body = await request.json()
    request.app["state"]["fail"] = {"status": int(body["status"]),
                                    "count": int(body["count"])}
    return web.json_response({"ok": True})


async def count_recorded(request: web.Request) -> web.Response:
    """How many messages were recorded (cheap, for benchmarks)."""
    return web.json_response({"count": len(request.app["state"]["messages"])})


async def received_times(request: web.Request) -> web.Response:
    """When each message from index ``since`` on was received (for benchmarks)."""
    since = int(request.query.get("since", "0"))
    return web.json_response(request.app["state"]["received_ts"][since:])


async def reset(request: web.Request) -> web.Response:
    """Forget everything."""
    request.app["state"]["messages"].clear()
    request.app["state"]["received_ts"].clear()
    request.app["state"]["fail"] = {"status": 500, "count": 0}
    return web.json_response({"ok": True})


def make_app(token: str) -> web.Application:
    """The double's application."""
    app = web.Application()
    app["state"] = {"messages": [], "received_ts": [], "fail": {"status": 500, "count": 0}, "token": token}
    app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", create_message)
    app.router.add_get("/_messages", list_recorded)
    app.router.add_get("/_count", count_recorded)
    app.router.add_get("/_times", received_times)
    app.router.add_post("/_fail", set_failures)
    app.router.add_post("/_reset", reset)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default="test-token")
    parser.add_argument("--quiet", action="store_true", help="no access log")
    args = parser.parse_args()
    web.run_app(make_app(args.token), host="127.0.0.1", port=args.port, print=None,
                **({"access_log": None} if args.quiet else {}))
