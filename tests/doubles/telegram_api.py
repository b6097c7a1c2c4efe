"""A local stand-in for the Telegram Bot API methods Lien uses.

Usage: python -m tests.doubles.telegram_api --port 8998 --token 123:abc

``POST /bot{token}/{method}`` for getMe, sendMessage, answerCallbackQuery and
setWebhook (form, multipart or JSON bodies, like the real API). Test controls:
``GET /_calls`` (every call, method and parameters), ``POST /_flood`` with
``{"count": 1, "retry_after": 1}`` (the next sendMessage calls answer 429),
``POST /_reset``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

from aiohttp import web

_ids = itertools.count(1)


async def _params(request: web.Request) -> dict:
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post()
    params = {}
    for key, value in form.items():
        try:
            params[key] = json.loads(value)
        except (TypeError, ValueError):
            params[key] = value
    return params


async def bot_method(request: web.Request) -> web.Response:
    """One Bot API method."""
    state = request.app["state"]
    if request.match_info["token"] != state["token"]:
        return web.json_response({"ok": False, "error_code": 401,
                                  "description": "Unauthorized"}, status=401)
    method = request.match_info["method"]
    params = await _params(request)
    if method == "getMe":
        return web.json_response({"ok": True, "result": {
            "id": 4242, "is_bot": True, "first_name": "Lien", "username": "lien_test_bot"}})
    if method == "sendMessage" and state["flood"]["count"] > 0:
        state["flood"]["count"] -= 1
        after = state["flood"]["retry_after"]
        return web.json_response({"ok": False, "error_code": 429,
                                  "description": f"Too Many Requests: retry after {after}",
                                  "parameters": {"retry_after": after}}, status=429)
    state["calls"].append({"method": method, "params": params})
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
    return web.json_response(request.app["state"]["calls"])


async def flood(request: web.Request) -> web.Response:
    """Make the next sendMessage calls hit flood control."""
    body = await request.json()
    request.app["state"]["flood"] = {"count": int(body["count"]),
                                     "retry_after": int(body.get("retry_after", 1))}
    return web.json_response({"ok": True})


async def reset(request: web.Request) -> web.Response:
    """Forget everything."""
    request.app["state"]["calls"].clear()
    request.app["state"]["flood"] = {"count": 0, "retry_after": 1}
    return web.json_response({"ok": True})


def make_app(token: str) -> web.Application:
    """The double's application."""
    app = web.Application()
    app["state"] = {"calls": [], "flood": {"count": 0, "retry_after": 1}, "token": token}
    app.router.add_post("/bot{token}/{method}", bot_method)
    app.router.add_get("/_calls", calls)
    app.router.add_post("/_flood", flood)
    app.router.add_post("/_reset", reset)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    web.run_app(make_app(args.token), host="127.0.0.1", port=args.port, print=None)
