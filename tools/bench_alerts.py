"""Benchmark of the alert path (``make bench``); prints a report.

"From a risk SMS received to the first alert handed to the provider: p99 under
1 second with 20 conversations running at once."

Starts the action server, the Rasa server and one worker process (``python -m
bot worker``, its defaults), with the Twilio double as the provider and a roster
of one on-call number. N enrolled people (default 20) talk at once through
signed Twilio webhooks: a few harmless messages, then a risk message, again and
again. For each risk SMS, the time from posting the webhook to the double
receiving the on-call alert naming that person (the double's own clock); the
benchmark then closes the case as a listener would, so the person's next risk
message opens a new case and alerts again.

Usage: python -m tools.bench_alerts [--people N] [--rounds R] [--target-ms MS]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional

import aiohttp
from twilio.request_validator import RequestValidator

from bot.cli.supervisor import (
    service_environment,
    start_embedded_redis,
    start_services,
    start_worker,
    stop_services,
    train_if_needed,
    wait_until_ready,
)
from bot.core.config import load_settings
from bot.core.wording import say
from bot.people.registry import Person as Registered
from bot.people.registry import import_persons
from bot.safety.cases import get_case, resolve_case
from bot.safety.escalation import EscalationKeys
from tools.bench import LIEN_MESSAGES, percentile
from tools.bench_checkins import SID, TOKEN, _free_port, start_double

RISK_MESSAGES = [
    "je veux en finir", "jveux en finir", "je vais me tuer ce soir",
    "j'ai envie de mourir", "je vais en finir ce soir",
]
ON_CALL = "+33600009001"
FROM_NUMBER = "+33700000000"
ALERT_RE = re.compile(r"pour (Bench\d+)\..*/cases/(\S+)")


class AlertWatcher:
    """Polls the Twilio double; wakes whoever waits for an alert naming a person."""

    def __init__(self, session: aiohttp.ClientSession, double_url: str) -> None:
        self.session = session
        self.double_url = double_url
        self.seen = 0
        self.waiting: Dict[str, asyncio.Future] = {}

    def expect(self, first_name: str) -> asyncio.Future:
        """A future set to (received time, case id) when the alert arrives."""
        future = asyncio.get_running_loop().create_future()
        self.waiting[first_name] = future
        return future

    async def run(self, stop: asyncio.Event) -> None:
        """Read new messages every 20 ms until stopped."""
        while not stop.is_set():
            async with self.session.get(f"{self.double_url}/_count") as reply:
                count = (await reply.json())["count"]
            if count > self.seen:
                async with self.session.get(f"{self.double_url}/_messages") as reply:
                    messages = await reply.json()
                async with self.session.get(f"{self.double_url}/_times",
                                            params={"since": "0"}) as reply:
                    times = await reply.json()
                for message, received in list(zip(messages, times))[self.seen:]:
                    match = ALERT_RE.search(message["body"] or "")
                    if message["to"] == ON_CALL and match:
                        future = self.waiting.pop(match.group(1), None)
                        if future is not None and not future.done():
                            future.set_result((received, match.group(2)))
                self.seen = min(len(messages), len(times))
            await asyncio.sleep(0.02)


class Person:
    """One enrolled person texting the service through signed Twilio webhooks."""

    def __init__(self, index: int, rasa_url: str, session: aiohttp.ClientSession) -> None:
        self.first_name = f"Bench{index:02d}"
        self.number = f"+3369{uuid.uuid4().int % 10**7:07d}"
        self.url = f"{rasa_url}/webhooks/sms/webhook"
        self.session = session
        self.validator = RequestValidator(TOKEN)

    async def text(self, body: str) -> None:
        """Post one SMS as Twilio would; wait for the webhook's answer."""
        params = {"MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": SID,
                  "From": self.number, "To": FROM_NUMBER, "Body": body, "NumMedia": "0"}
        signature = self.validator.compute_signature(self.url, params)
        async with self.session.post(self.url, data=params,
                                     headers={"X-Twilio-Signature": signature}) as reply:
            await reply.read()
            if reply.status != 200:
                raise RuntimeError(f"webhook answered {reply.status}")


async def converse(person: Person, watcher: AlertWatcher, redis, prefix: str, rounds: int,
                   timeout: float, samples: List[Dict], missed: List[str],
                   rng: random.Random) -> None:
    """Harmless messages, then a risk message; wait for its alert; close the case."""
    for _ in range(rounds):
        for body in rng.sample(LIEN_MESSAGES, rng.randint(1, 3)):
            await person.text(body)
        alert = watcher.expect(person.first_name)
        posted = time.time()
        await person.text(rng.choice(RISK_MESSAGES))
        try:
            received, case_id = await asyncio.wait_for(alert, timeout)
        except asyncio.TimeoutError:
            missed.append(person.first_name)
            return
        samples.append({"posted": posted, "alerted": received, "case": case_id})
        # A listener closes it: the next risk message opens a new case.
        await resolve_case(redis, prefix, case_id, "bench", "", time.time())


async def stages(redis, prefix: str, samples: List[Dict]) -> Dict[str, float]:
    """Where the time goes (medians, ms): webhook to the escalation's write (the
    stream entry's id is Redis's clock), to the case (the worker's clock), to the alert.
    """
    written: Dict[str, float] = {}
    for entry_id, fields in await redis.xrange(EscalationKeys(prefix).stream, count=100000):
        written[fields[b"id"].decode()] = int(entry_id.split(b"-")[0]) / 1000
    parts: Dict[str, List[float]] = {"sms_to_escalation": [], "escalation_to_case": [],
                                     "case_to_alert": []}
    for sample in samples:
        case = await get_case(redis, prefix, sample["case"])
        first = written.get(case.get("escalations", "").split(",")[0])
        if first is None:
            continue
        opened = float(case["opened_ts"])
        parts["sms_to_escalation"].append(first - sample["posted"])
        parts["escalation_to_case"].append(opened - first)
        parts["case_to_alert"].append(sample["alerted"] - opened)
    return {name: 1000 * percentile(values, 50) for name, values in parts.items() if values}


async def measure(rasa_url: str, double_url: str, redis_url: str, prefix: str,
                  people: int, rounds: int, timeout: float, seed: int) -> Dict:
    """Run the conversations at once; return the latencies of the alerts."""
    import redis.asyncio as aioredis


    redis = aioredis.from_url(redis_url)
    rng = random.Random(seed)
    stop = asyncio.Event()
    samples: List[Dict] = []
    missed: List[str] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        persons = [Person(i, rasa_url, session) for i in range(people)]
        await import_persons(redis, prefix, [
            Registered(first_name=p.first_name, channel="sms", address=p.number,
                       consent_at="2026-11-01", consent_how="bench", status="active",
                       morning="", evening="") for p in persons], time.time())
        watcher = AlertWatcher(session, double_url)
        async with session.get(f"{double_url}/_count") as reply:
            watcher.seen = (await reply.json())["count"]
        polling = asyncio.create_task(watcher.run(stop))
        began = time.perf_counter()
        try:
            await asyncio.gather(*(converse(p, watcher, redis, prefix, rounds, timeout,
                                            samples, missed, random.Random(rng.random()))
                                   for p in persons))
        finally:
            stop.set()
            await polling
            elapsed = time.perf_counter() - began
            breakdown = await stages(redis, prefix, samples)
            async for key in redis.scan_iter(match=f"{prefix}:*", count=1000):
                await redis.delete(key)
            await redis.close()
    return {"people": people, "rounds": rounds, "missed": missed, "seconds": elapsed,
            "latencies": [s["alerted"] - s["posted"] for s in samples],
            "stages_p50_ms": breakdown}


def _roster(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "tiers:\n  - name: astreinte\n    members:\n"
        f"      - {{name: Astreinte, phone: '{ON_CALL}'}}\n"
        "ladder:\n  critical: [0]\n  high: [0]\n", encoding="utf-8")
    return path


def wait_for_worker(log: Path, offset: int, process, timeout: float = 60) -> None:
    """Wait until the worker says it started (it has warmed its provider clients)."""
    started = say("worker.started", mode="", workers=0, batch=0).split(" (")[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the worker stopped (see {log})")
        with open(log, "rb") as handle:
            handle.seek(offset)
            if started in handle.read().decode("utf-8", "replace"):
                return
        time.sleep(0.1)
    raise TimeoutError("the worker did not start")


def main(argv: Optional[List[str]] = None) -> int:
    """Start everything, run the conversations, print the report."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench_alerts")
    parser.add_argument("--people", type=int, default=20, help="conversations at once")
    parser.add_argument("--rounds", type=int, default=5, help="risk messages per person")
    parser.add_argument("--target-ms", type=float, default=1000.0)
    parser.add_argument("--timeout", type=float, default=30.0, help="per alert")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)

    settings = load_settings()
    redis_server = None
    redis_url = os.environ.get("BENCH_REDIS_URL") or settings.redis_url
    if not redis_url:

        redis_server, redis_url = start_embedded_redis(settings.var_dir / "bench-redis")

    model = train_if_needed()
    prefix = f"lienalerts{uuid.uuid4().hex[:6]}"
    os.environ["LIEN_KEY_PREFIX"] = prefix
    double, double_url = start_double()
    rasa_port, action_port = _free_port(), _free_port()
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    log_dir = settings.var_dir / "bench-alerts-log"
    env = service_environment(redis_url, action_port)
    env.update(
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN, TWILIO_FROM_NUMBER=FROM_NUMBER,
        TWILIO_API_URL=double_url, PUBLIC_URL=rasa_url, SMS_RATE_PER_SECOND="0",
        ROSTER_FILE=str(_roster(settings.var_dir / "bench" / "alerts-roster.yml")),
        CONSOLE_URL="https://lien.example.org", LOG_LEVEL="WARNING",
    )
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN"):
        env.pop(name, None)
    processes = start_services(env, log_dir, rasa_port, action_port, model)
    try:
        wait_until_ready(rasa_url, action_port, processes=processes)
        log = log_dir / "worker.log"
        offset = log.stat().st_size if log.exists() else 0
        processes.append(start_worker(env, log_dir, rasa_url))
        wait_for_worker(log, offset, processes[-1])
        report = asyncio.run(measure(rasa_url, double_url, redis_url, prefix, args.people,
                                     args.rounds, args.timeout, args.seed))
    finally:
        stop_services(processes)
        double.terminate()
        double.wait(timeout=10)
        if redis_server is not None:
            redis_server.shutdown()

    latencies = report["latencies"]
    expected = args.people * args.rounds
    print(f"\n== Risk SMS to the first on-call alert ({args.people} conversations at once, "
          f"{args.rounds} risk messages each, {report['seconds']:.0f}s) ==")
    if not latencies:
        print(f"no alert measured ({len(report['missed'])} missed) -> FAIL")
        return 1
    summary = {q: 1000 * percentile(latencies, q) for q in (50, 95, 99)}
    summary["max"] = 1000 * max(latencies)
    print(f"alerts {len(latencies)}/{expected}  p50 {summary[50]:.0f} ms  "
          f"p95 {summary[95]:.0f} ms  p99 {summary[99]:.0f} ms  max {summary['max']:.0f} ms")
    print("where the time goes (p50): " + ", ".join(
        f"{name.replace('_', ' ')} {ms:.0f} ms" for name, ms in report["stages_p50_ms"].items()))
    passed = not report["missed"] and len(latencies) == expected and \
        summary[99] < args.target_ms
    if report["missed"]:
        print(f"missed (no alert within {args.timeout:.0f}s): {report['missed']}")
    print(f"p99 under {args.target_ms:.0f} ms -> {'PASS' if passed else 'FAIL'}")
    out = settings.var_dir / "bench" / "alerts.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**report, "p50_ms": summary[50], "p95_ms": summary[95],
                               "p99_ms": summary[99], "max_ms": summary["max"],
                               "passed": passed}, indent=2))
    print(f"report: {out}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
