"""``python -m bot run`` (everything, then a terminal chat) and ``python -m bot chat``."""

from __future__ import annotations

import argparse
import signal
import subprocess
import time
import uuid
from typing import Any, List

import requests

from bot.cli.common import CONSOLE_PORT, RASA_PORT
from bot.cli.supervisor import (
    console_lines,
    redis_cli_command,
    service_environment,
    start_console,
    start_embedded_redis,
    start_sandbox,
    start_services,
    start_worker,
    stop_services,
    train_if_needed,
    wait_until_ready,
)
from bot.console.sandbox import PATH
from bot.console.server import console_url
from bot.core.config import ensure_rasa_token, environment, load_settings
from bot.core.wording import say
from bot.sandbox import wanted as sandbox_wanted

# Printed lines the tests read: keep them stable.
READY = "Prêt"


def chat(rasa_url: str, sender: str, token: str) -> None:
    """A terminal chat over the REST channel; numbers answer buttons."""
    print(say("run.chat_intro"))
    buttons: List[dict] = []
    while True:
        try:
            text = input("vous> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if not text:
            continue
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            reply = requests.post(
                f"{rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text},
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
            reply.raise_for_status()
            messages = reply.json()
        except (requests.RequestException, ValueError) as error:
            print(say("run.unreachable", error=type(error).__name__))
            continue
        buttons = []
        for message in messages:
            if message.get("text"):
                print(f"lien> {message['text']}")
            for button in message.get("buttons") or []:
                buttons.append(button)
                print(f"      {len(buttons)}. {button.get('title')}")


def chat_command(args: argparse.Namespace) -> int:
    """`python -m bot chat`: a terminal chat with a running Rasa server."""
    chat(args.url, args.sender, ensure_rasa_token(load_settings().var_dir))
    return 0


def run(args: argparse.Namespace) -> int:
    """`make run`: everything on embedded defaults, then a terminal chat.

    The terminal shows Lien's own lines only; each service, the training and the
    sandbox write to their log under ``var/log/``.
    """
    def interrupted(*_: Any) -> None:
        raise KeyboardInterrupt  # SIGTERM stops what was started, as Ctrl-C does

    signal.signal(signal.SIGTERM, interrupted)
    settings = load_settings()
    log_dir = settings.var_dir / "log"
    redis_server = None
    processes: List[subprocess.Popen] = []
    redis_url = settings.redis_url
    try:
        if not redis_url:
            redis_server, redis_url = start_embedded_redis(settings.var_dir / "redis")
            print(say("run.embedded_redis", url=redis_url))
        model = args.model or train_if_needed(log_dir)
        env = service_environment(redis_url, settings.action_port)
        sandboxed = sandbox_wanted(environment())
        if sandboxed:
            processes.append(start_sandbox(env, log_dir))
        processes.extend(start_services(
            env, log_dir, RASA_PORT, settings.action_port, model))
        rasa_url = f"http://127.0.0.1:{RASA_PORT}"
        processes.append(start_worker(env, log_dir, rasa_url))
        (log_dir / "console.log").unlink(missing_ok=True)
        processes.append(start_console(env, log_dir, rasa_url))
        print(say("run.starting"))
        wait_until_ready(rasa_url, settings.action_port, processes=processes,
                         token=env["RASA_TOKEN"])
        for line in console_lines(log_dir):
            print(line)
        if sandboxed:
            print(say("run.sandbox_page",
                      url=console_url("127.0.0.1", CONSOLE_PORT) + PATH))
        if redis_server is not None:
            print(say("run.redis_cli", command=redis_cli_command(
                redis_server.socket_file, settings.key_prefix)))
        print(say("run.ready", ready=READY, url=rasa_url, logs=log_dir))
        if args.no_chat:
            while all(p.poll() is None for p in processes):
                time.sleep(1)
        else:
            chat(rasa_url, args.sender or f"terminal:{uuid.uuid4().hex[:8]}",
                 env["RASA_TOKEN"])
    except KeyboardInterrupt:
        pass
    finally:
        stop_services(processes)
        if redis_server is not None:
            redis_server.shutdown()
    return 0
