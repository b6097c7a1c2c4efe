"""The sandbox's page: what ``make run`` would have sent, kept on this machine.

Only in sandbox mode (``python -m bot run`` without Twilio or Telegram
credentials, see ``bot/sandbox``): the console then shows, at ``/sandbox``, every
SMS and Telegram message the service sent to the local stand-ins, alerts
included, read from the sandbox's own listing (``/_messages``).
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import aiohttp
import aiohttp_jinja2
from aiohttp import web

from bot.console.helpers import ctx, role
from bot.console.keys import SANDBOX_URL

PATH = "/sandbox"
SHOWN = 500  # the newest ones


async def sent_messages(url: str) -> List[Dict[str, Any]]:
    """The sandbox's listing, newest first (ValueError or ClientError if unreadable)."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        async with http.get(f"{url}/_messages") as reply:
            reply.raise_for_status()
            messages = await reply.json()
    if not isinstance(messages, list):
        raise ValueError("listing")
    return list(reversed(messages))[:SHOWN]


@role("listener")
async def sandbox_page(request: web.Request) -> web.Response:
    """Messages envoyés (bac à sable)."""
    try:
        messages, unreachable = await sent_messages(request.app[SANDBOX_URL]), False
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        messages, unreachable = [], True
    return aiohttp_jinja2.render_template(
        "sandbox.html", request,
        ctx(request, messages=messages, unreachable=unreachable, shown=SHOWN))


def add_page(app: web.Application, sandbox_url: str) -> None:
    """Serve the page, reading the sandbox at ``sandbox_url``."""
    app[SANDBOX_URL] = sandbox_url.rstrip("/")
    app.router.add_get(PATH, sandbox_page)
