"""Lien's command line.

Usage:
    python -m bot run              # Redis (embedded if REDIS_URL is unset), the
                                   # action server, the Rasa server, and a chat;
                                   # without Twilio/Telegram credentials, a local
                                   # sandbox stands in for them (bot/sandbox)
    python -m bot chat [--url U]   # a terminal chat with a running Rasa server
    python -m bot replay-spool     # write spooled escalations to Redis
    python -m bot telegram set-webhook   # register the Telegram webhook
    python -m bot persons import persons.csv     # enrol people (validated first)
    python -m bot persons export sms:+33612345678    # GDPR access (JSON)
    python -m bot persons erase sms:+33612345678 --yes   # GDPR erasure
    python -m bot circle add sms:+33612345678 --name Paul --relation voisin
                             (--phone 06… | --telegram 123) [--hours 08:00-21:00]
    python -m bot circle list sms:+33612345678      # numbers masked
    python -m bot circle remove sms:+33612345678 CONTACT_ID
    python -m bot volunteers import volunteers.csv
    python -m bot worker [--workers N]   # presence messages, missed check-ins,
                                         # call reminders
    python -m bot plan [--date YYYY-MM-DD] [--csv]   # the day's calls
    python -m bot console [--port 8080]  # the listener console
    python -m bot users add LOGIN --role admin|social_worker|listener [--name N]
    python -m bot users list
    python -m bot users disable LOGIN    # its sessions end, no more log-in
    python -m bot services check [--today YYYY-MM-DD]   # numbers due for a check
"""

from __future__ import annotations

import argparse
import importlib
import uuid
from typing import Any, Callable, List, Optional

from bot.cli.common import CONSOLE_PORT
from bot.core.config import load_settings


def main(argv: Optional[List[str]] = None) -> int:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="start everything and chat")
    run_parser.add_argument("--model", help="a trained model (default: train)")
    run_parser.add_argument("--no-chat", action="store_true")
    run_parser.add_argument("--sender", help="conversation id of the chat")
    run_parser.set_defaults(func="bot.cli.run:run")
    chat_parser = commands.add_parser("chat", help="chat with a running server")
    chat_parser.add_argument("--url", default=load_settings().rasa_url)
    chat_parser.add_argument("--sender", default=f"terminal:{uuid.uuid4().hex[:8]}")
    chat_parser.set_defaults(func="bot.cli.run:chat_command")
    replay_parser = commands.add_parser("replay-spool", help="replay escalations")
    replay_parser.set_defaults(func="bot.cli.spool:replay")
    telegram = commands.add_parser("telegram", help="Telegram administration")
    telegram_commands = telegram.add_subparsers(dest="telegram_command", required=True)
    webhook = telegram_commands.add_parser("set-webhook", help="register the webhook")
    webhook.set_defaults(func="bot.cli.telegram:telegram_set_webhook")
    persons = commands.add_parser("persons", help="the people Lien keeps a link with")
    persons_commands = persons.add_subparsers(dest="persons_command", required=True)
    imp = persons_commands.add_parser("import", help="enrol from a CSV file")
    imp.add_argument("file")
    imp.set_defaults(func="bot.cli.persons:persons_import")
    exp = persons_commands.add_parser("export", help="one person's data as JSON")
    exp.add_argument("person_id", help="sms:+33612345678 or telegram:123")
    exp.set_defaults(func="bot.cli.persons:persons_export")
    era = persons_commands.add_parser("erase", help="erase one person's data")
    era.add_argument("person_id")
    era.add_argument("--yes", action="store_true", help="really erase")
    era.set_defaults(func="bot.cli.persons:persons_erase")
    add_circle_commands(commands)
    volunteers = commands.add_parser("volunteers", help="the volunteers who call")
    volunteer_commands = volunteers.add_subparsers(dest="volunteers_command", required=True)
    vimp = volunteer_commands.add_parser("import", help="import from a CSV file")
    vimp.add_argument("file")
    vimp.set_defaults(func="bot.cli.volunteers:volunteers_import")
    worker_parser = commands.add_parser("worker", help="the scheduler worker")
    worker_parser.add_argument("--workers", type=int, default=1,
                               help="concurrent workers in this process")
    worker_parser.set_defaults(func="bot.cli.worker:worker")
    console_parser = commands.add_parser("console", help="the listener console")
    console_parser.add_argument("--host", default=load_settings().console.host)
    console_parser.add_argument("--port", type=int, default=CONSOLE_PORT)
    console_parser.add_argument("--demo", action="store_true",
                                help="create an admin account if there is none")
    console_parser.set_defaults(func="bot.cli.console:console")
    users = commands.add_parser("users", help="console accounts")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    uadd = users_commands.add_parser("add", help="create an account")
    uadd.add_argument("login")
    uadd.add_argument("--role", required=True, choices=["listener", "social_worker", "admin"])
    uadd.add_argument("--name", default="", help="first name and name, as colleagues see it")
    uadd.add_argument("--reset", action="store_true", help="change an existing account")
    uadd.add_argument("--password-stdin", action="store_true",
                      help="read the password from standard input")
    uadd.set_defaults(func="bot.cli.users:users_add")
    ulist = users_commands.add_parser("list", help="list accounts")
    ulist.set_defaults(func="bot.cli.users:users_list")
    udisable = users_commands.add_parser(
        "disable", help="close an account (its sessions end; --reset opens it again)")
    udisable.add_argument("login")
    udisable.set_defaults(func="bot.cli.users:users_disable")
    plan_parser = commands.add_parser("plan", help="the day's call plan")
    plan_parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
    plan_parser.add_argument("--csv", action="store_true", help="CSV instead of a table")
    plan_parser.set_defaults(func="bot.cli.plan:plan")
    services = commands.add_parser("services", help="the services people are pointed to")
    services_commands = services.add_subparsers(dest="services_command", required=True)
    scheck = services_commands.add_parser("check", help="entries due for a check")
    scheck.add_argument("--today", help="YYYY-MM-DD (default: today)")
    scheck.set_defaults(func="bot.cli.services:services_check")
    args = parser.parse_args(argv)
    return command(args.func)(args)


def add_circle_commands(commands: Any) -> None:
    """``circle add|list|remove``: a person's circle of care (with their agreement)."""
    circle = commands.add_parser("circle", help="a person's circle of care")
    circle_commands = circle.add_subparsers(dest="circle_command", required=True)
    cadd = circle_commands.add_parser(
        "add", help="add a contact (asked to agree first: OUI or STOP)")
    cadd.add_argument("person_id", help="sms:+33612345678 or telegram:123")
    cadd.add_argument("--name", required=True, help="the contact's first name")
    cadd.add_argument("--relation", required=True, help="voisin, fille, ami…")
    cadd.add_argument("--phone", help="the contact's mobile (SMS)")
    cadd.add_argument("--telegram", help="or the contact's Telegram id")
    cadd.add_argument("--hours", help="when they may be asked (default 08:00-21:00)")
    cadd.set_defaults(func="bot.cli.circle:circle_add")
    clist = circle_commands.add_parser("list", help="the contacts (numbers masked)")
    clist.add_argument("person_id")
    clist.set_defaults(func="bot.cli.circle:circle_list")
    cremove = circle_commands.add_parser("remove", help="take a contact out (nothing kept)")
    cremove.add_argument("person_id")
    cremove.add_argument("contact_id")
    cremove.set_defaults(func="bot.cli.circle:circle_remove")


def command(dotted: str) -> Callable[[argparse.Namespace], int]:
    """The function of a command, loaded by name: a command imports only what it
    needs (``persons import`` never loads Rasa's channels or the console).
    """
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)
