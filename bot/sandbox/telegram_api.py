"""A local stand-in for the Telegram Bot API methods Lien uses.

Usage: python -m bot.sandbox.telegram_api --port 8998 --token 123:abc (the
tests start it as ``tests.support.doubles.telegram_api``; ``make run`` serves it inside
the sandbox, ``bot/sandbox/server.py``, when no Telegram credentials are set).

``POST /bot{token}/{method}`` for getMe, sendMessage, answerCallbackQuery and
setWebhook (form, multipart or JSON bodies, like the real API). Test controls:
``GET /_calls`` (every call: method, parameters, ``ts`` when received),
``POST /_flood`` with ``{"count": 1, "retry_after": 1}`` (the next sendMessage
calls answer 429), ``POST /_fail`` with ``{"method": "answerCallbackQuery", "count": 1,
"status": 502}`` (the next calls of that method answer a gateway error, as
Telegram's front does when it drops a request), ``POST /_reset``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

from aiohttp import web

_ids = itertools.count(1)
# The double's state in its application (the sandbox serves it beside Twilio's).
STATE = web.AppKey("telegram", dict)


async def _params(request: web.Request) -> dict:
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post()
    params = {}
    for key, value in form.items():
        try:
            # A file is kept as it is (json.loads would refuse it: TypeError).
            params[key] = json.loads(value) if isinstance(value, (str, bytes)) else value
        except (TypeError, ValueError):
            params[key] = value
    return params


async def bot_method(request: web.Request) -> web.Response:
    """One Bot API method."""
    state = request.app[STATE]
    if request.match_info["token"] != state["token"]:
        return web.json_response({"ok": False, "error_code": 401,
                                  "description": "Unauthorized"}, status=401)
    method = request.match_info["method"]
    params = await _params(request)
    if method == "getMe":
        return web.json_response({"ok": True, "result": {
            "id": 4242, "is_bot": True, "first_name": "Lien", "username": "lien_test_bot"}})
    failing = state["fail"].get(method)
    if failing and failing["count"] > 0:
        failing["count"] -= 1
        return web.json_response({"ok": False, "error_code": failing["status"],
                                  "description": "Bad Gateway"}, status=failing["status"])
    if method == "sendMessage" and state["flood"]["count"] > 0:
        state["flood"]["count"] -= 1
        after = state["flood"]["retry_after"]
        return web.json_response({"ok": False, "error_code": 429,
                                  "description": f"Too Many Requests: retry after {after}",
                                  "parameters": {"retry_after": after}}, status=429)
    state["calls"].append({"method": method, "params": params, "ts": time.time()})
    if method == "sendMessage":
        return web.json_response({"ok": True, "result": {
            "message_id": next(_ids), "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "text": params.get("text", "")}})
    if method in ("answerCallbackQuery", "setWebhook", "deleteWebhook"):
        return web.json_response({"ok": True, "result": True})
    return web.json_response({"ok": False, "error_code": 404,
                              "description": "Not Found"}, status=404)


async def calls(request: web.Request) -> web.Response:
    """Every call recorded."""
    return web.json_response(request.app[STATE]["calls"])


async def flood(request: web.Request) -> web.Response:
    """Make the next sendMessage calls hit flood control."""
    body = await request.json()
    request.app[STATE]["flood"] = {"count": int(body["count"]),
                                     "retry_after": int(body.get("retry_after", 1))}
    return web.json_response({"ok": True})


async def fail(request: web.Request) -> web.Response:
    """Make the next calls of one method fail with a gateway error."""
    body = await request.json()
    request.app[STATE]["fail"][str(body["method"])] = {
        "count": int(body["count"]), "status": int(body.get("status", 502))}
    return web.json_response({"ok": True})


async def reset(request: web.Request) -> web.Response:
    """Forget everything."""
    request.app[STATE]["calls"].clear()
    request.app[STATE]["flood"] = {"count": 0, "retry_after": 1}
    request.app[STATE]["fail"] = {}
    return web.json_response({"ok": True})


def add_routes(app: web.Application, token: str, prefix: str = "") -> None:
    """The double's routes (under ``prefix``) and state, on ``app``."""
    app[STATE] = {"calls": [], "flood": {"count": 0, "retry_after": 1}, "fail": {},
                  "token": token}
    app.router.add_post(prefix + "/bot{token}/{method}", bot_method)
    app.router.add_get(prefix + "/_calls", calls)
    app.router.add_post(prefix + "/_flood", flood)
    app.router.add_post(prefix + "/_fail", fail)
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
    parser.add_argument("--token", required=True)
    args = parser.parse_args(argv)
    web.run_app(make_app(args.token), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
