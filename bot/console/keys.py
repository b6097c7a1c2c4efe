"""Every key of the console application's state (``app[KEY]``), in one place.

``make_app`` sets the first five; ``bot.console.sandbox.add_page`` sets
``SANDBOX_URL`` when the sandbox's page is served.
"""

from __future__ import annotations

from aiohttp import web

from bot.console.store import ConsoleStore
from bot.core.ports import RedisClient
from bot.safety.takeover import Takeover

STORE = web.AppKey("store", ConsoleStore)
REDIS = web.AppKey("redis", RedisClient)
PREFIX = web.AppKey("prefix", str)
TAKEOVER = web.AppKey("takeover", Takeover)
OPTIONS = web.AppKey("options", dict)
SANDBOX_URL = web.AppKey("sandbox_url", str)
