"""Benchmark of one wave of presence messages (``make bench``); prints a report.

Enrols N people (default 100,000) due at the same minute, then measures how fast
one worker hands the wave to the provider (the local Twilio double, through the
real twilio client) with no rate limit, and how close it keeps to a configured
rate (default 30 a second). The worker's resident memory is sampled during the
wave. Delivery is ``direct`` (the worker hands messages to the provider); the
Rasa path is bounded by the Rasa servers, measured by ``tools.bench``.

Usage: python -m tools.bench_checkins [--people N] [--rate R] [--rate-seconds S]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import time
import uuid
from typing import Dict, List

import requests

from bot.cli.supervisor import start_embedded_redis
from bot.core.config import PROJECT_ROOT, load_settings
from bot.people.registry import Keys, Person, import_persons

TOKEN = "bench-token"
SID = "AC" + "1" * 32


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_double() -> tuple:
    """The Twilio double (tests/support/doubles/twilio_api.py) on a free port."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.doubles.twilio_api", "--port", str(port),
         "--token", TOKEN, "--quiet"],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{url}/_count", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)
    return process, url


def due_minute() -> tuple:
    """A minute just past, as an instant and as the persons' local "HH:MM"."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    local = datetime.fromtimestamp(time.time() - 60, ZoneInfo("Europe/Paris"))
    local = local.replace(second=0, microsecond=0)
    return local.timestamp(), local.strftime("%H:%M")


async def enrol(redis, prefix: str, people: int, due: float, hhmm: str,
                start: int = 0) -> float:
    """Enrol ``people`` active persons, all due at ``due``; return seconds taken."""
    began = time.perf_counter()
    keys = Keys(prefix)
    batch: List[Person] = []
    for index in range(start, start + people):
        batch.append(Person(first_name=f"P{index}", channel="sms",
                            address=f"+3361{index:07d}", consent_at="2026-11-01",
                            consent_how="bench", status="active", morning=hhmm,
                            evening=""))
        if len(batch) == 5000:
            await import_persons(redis, prefix, batch, due - 3600, batch=5000)
            batch = []
    if batch:
        await import_persons(redis, prefix, batch, due - 3600, batch=5000)
    # Everyone due at the same instant: one wave.
    members = [f"sms:+3361{i:07d}|morning" for i in range(start, start + people)]
    for chunk in range(0, len(members), 10000):
        await redis.zadd(keys.due, {m: due for m in members[chunk:chunk + 10000]})
    return time.perf_counter() - began


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def wave(redis_url: str, prefix: str, double_url: str, expected: int, workers: int,
         rate: float, timeout: float) -> Dict:
    """Start ``workers`` real worker processes; time the hand-off of ``expected``."""
    env = dict(os.environ, REDIS_URL=redis_url, LIEN_KEY_PREFIX=prefix,
               CHECKIN_DELIVERY="direct", CHECKIN_GRACE_MINUTES="1440",
               QUIET_HOURS="00:00-00:00", CHECKIN_BATCH="500",
               CHECKIN_CONCURRENCY="100", CHECKIN_RATE_PER_SECOND=str(rate),
               WORKER_POLL_SECONDS="0.1", LOG_LEVEL="ERROR", PYTHONPATH=str(PROJECT_ROOT))
    start_count = requests.get(f"{double_url}/_count", timeout=10).json()["count"]
    processes = [subprocess.Popen([sys.executable, "-m", "bot", "worker"], cwd=PROJECT_ROOT,
                                  env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(workers)]
    samples: List[int] = []
    first = last = None
    count = 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            count = requests.get(f"{double_url}/_count", timeout=10).json()["count"] \
                - start_count
            now = time.monotonic()
            if count and first is None:
                first = (now, count)
            if first is not None:
                samples.append(sum(_rss_kib(p.pid) for p in processes))
            if count >= expected:
                last = now
                break
            time.sleep(0.1)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    if first is None or last is None or last <= first[0]:
        return {"sent": count, "seconds": 0.0, "rate": 0.0, "rss_start_mib": 0,
                "rss_peak_mib": 0, "rss_end_mib": 0, "rss_samples": 0, "workers": workers}
    # The provider's own clock, in steady state: the first tenth of the wave also
    # pays for the processes' start (imports, connections) and is left out.
    times = requests.get(f"{double_url}/_times", params={"since": start_count},
                         timeout=30).json()
    skip = len(times) // 10
    seconds = times[-1] - times[skip]
    return {"sent": count, "seconds": seconds,
            "rate": (len(times) - 1 - skip) / seconds if seconds > 0 else 0.0,
            "workers": workers,
            "rss_start_mib": samples[0] / 1024, "rss_peak_mib": max(samples) / 1024,
            "rss_end_mib": samples[-1] / 1024, "rss_samples": len(samples)}


async def run(args: argparse.Namespace) -> Dict:
    """Enrol, run the unlimited wave, then the rate-limited one."""
    import redis.asyncio as aioredis

    settings = load_settings()
    redis_server = None
    redis_url = settings.redis_url
    if not redis_url:

        redis_server, redis_url = start_embedded_redis(settings.var_dir / "redis")
    double, url = start_double()
    os.environ.update(TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN,
                      TWILIO_FROM_NUMBER="+33700000000", TWILIO_API_URL=url,
                      SMS_RATE_PER_SECOND="0")
    redis = aioredis.from_url(redis_url, socket_timeout=30)
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    report: Dict = {"people": args.people}
    try:
        due, hhmm = due_minute()
        report["enrol_seconds"] = await enrol(redis, prefix, args.people, due, hhmm)
        print(f"enrolled {args.people} people in {report['enrol_seconds']:.1f}s", flush=True)
        report["unlimited"] = await asyncio.to_thread(
            wave, redis_url, prefix, url, args.people, args.workers, 0, args.timeout)
        rated_people = int(args.rate * args.rate_seconds)
        await enrol(redis, prefix, rated_people, due, hhmm, start=args.people)
        report["limited"] = await asyncio.to_thread(
            wave, redis_url, prefix, url, rated_people, args.workers, args.rate,
            args.rate_seconds * 3 + 30)
        report["limited"]["configured_rate"] = args.rate
    finally:
        async for key in redis.scan_iter(match=f"{prefix}:*", count=5000):
            await redis.delete(key)
        await redis.close()
        double.terminate()
        double.wait(timeout=10)
        if redis_server is not None:
            redis_server.shutdown()
    return report


def main(argv=None) -> int:
    """Run and print the report."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench_checkins")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--rate-seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes (python -m bot worker)")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    report = asyncio.run(run(args))
    free, limited = report["unlimited"], report["limited"]
    print(f"\n== One wave of presence messages ({report['people']} people, "
          f"{free['workers']} worker processes, direct to the Twilio double) ==")
    print(f"no rate limit : {free['sent']} handed over in {free['seconds']:.1f}s = "
          f"{free['rate']:.0f} msg/s (target >= 1000) -> "
          f"{'OK' if free['rate'] >= 1000 else 'TOO SLOW'}; provider received "
          f"{free['sent']}")
    drift = limited["rate"] / limited["configured_rate"] - 1
    print(f"rate {limited['configured_rate']:.0f}/s   : {limited['sent']} in "
          f"{limited['seconds']:.1f}s = {limited['rate']:.2f} msg/s ({100 * drift:+.1f}%, "
          f"target within 5%) -> {'OK' if abs(drift) <= 0.05 else 'OFF'}")
    print(f"workers' memory: {free['rss_start_mib']:.0f} MiB at the first message, peak "
          f"{free['rss_peak_mib']:.0f} MiB, {free['rss_end_mib']:.0f} MiB at the end "
          f"({free['rss_samples']} samples)")
    out = load_settings().var_dir / "bench" / "checkins.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"report: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
