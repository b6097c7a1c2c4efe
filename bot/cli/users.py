"""``python -m bot users``: the listener console's accounts."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

from bot.cli.common import CONSOLE_PORT, redis_client
from bot.console.server import console_url
from bot.console.store import ConsoleStore, UserError
from bot.core.wording import say


def users_add(args: argparse.Namespace) -> int:
    """Create a console account (the password is asked twice, or read from stdin)."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(say("users.prompt", login=args.login))
        if getpass.getpass(say("users.again")) != password:
            print(say("users.mismatch"), file=sys.stderr)
            return 2

    async def write() -> Any:
        client, settings = redis_client()
        try:
            return await ConsoleStore(client, settings.key_prefix).add_user(
                args.login, args.name or args.login, args.role, password, replace=args.reset)
        finally:
            await client.close()

    try:
        user = asyncio.run(write())
    except UserError as error:
        print(say(str(error)), file=sys.stderr)
        return 2
    print(say("users.created", login=user.login, role_word=say(f"users.roles.{user.role}"),
              url=console_url("127.0.0.1", CONSOLE_PORT)))
    return 0


def users_list(_: argparse.Namespace) -> int:
    """List console accounts (never their passwords)."""
    async def read() -> Any:
        client, settings = redis_client()
        try:
            return await ConsoleStore(client, settings.key_prefix).users(
                include_disabled=True)
        finally:
            await client.close()

    users = asyncio.run(read())
    if not users:
        print(say("users.none"))
    for user in users:
        print(say("users.listed_disabled" if user.disabled else "users.listed",
                  login=user.login, name=user.name,
                  role_word=say(f"users.roles.{user.role}")))
    return 0


def users_disable(args: argparse.Namespace) -> int:
    """Close a console account: every session ends, no more log-in."""
    async def write() -> bool:
        client, settings = redis_client()
        try:
            return await ConsoleStore(client, settings.key_prefix).disable_user(args.login)
        finally:
            await client.close()

    if not asyncio.run(write()):
        print(say("users.unknown", login=args.login), file=sys.stderr)
        return 2
    print(say("users.disabled", login=args.login.strip().lower()))
    return 0
