"""Benchmarks of the assistant (``make bench``); prints a report, asserts nothing.

1. Latency (p50/p95/p99) and throughput through the REST webhook at 1 and 10
   concurrent users, for Lien (Redis tracker store, action server) and, in the
   same run, for a plain ``rasa init`` assistant (the baseline).
2. The second reading of a message without its distant sentences and idioms
   (``risk_model.read_near``): the parse time of messages that have one, with
   and without that reading, in process.
3. A person with a long history (600 past sessions of four exchanges: about ten
   months of morning and evening check-ins) against a new person, with the
   tracker store used in production.

Usage: python -m tools.bench [--messages N] [--sessions N] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Sequence

import aiohttp

from bot.cli.supervisor import (
    service_environment,
    start_embedded_redis,
    start_services,
    stop_services,
    wait_until_ready,
)
from bot.core.config import PROJECT_ROOT, load_settings
from bot.rasa.tracker_store import SessionRedisTrackerStore
from bot.rasa.vectors import load_vectors

LIEN_MESSAGES = [
    "bonjour", "bof pas terrible", "je me sens un peu seule", "jai mal dormi",
    "merci beaucoup", "j'ai fait un tour au jardin", "ça va mieux", "au revoir",
]
BASELINE_MESSAGES = ["hello", "I am sad", "yes", "great", "bye", "are you a bot?"]


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def _user(session, url, sender, messages, count, latencies):
    for i in range(count):
        start = time.perf_counter()
        async with session.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": sender, "message": messages[i % len(messages)]},
            # Lien's REST channel requires the token; the baseline ignores it.
            params={"token": os.environ.get("RASA_TOKEN", "")},
        ) as reply:
            await reply.read()
            if reply.status != 200:
                raise RuntimeError(f"HTTP {reply.status}")
        latencies.append(time.perf_counter() - start)


async def load(url: str, messages: List[str], users: int, per_user: int) -> Dict:
    """Send per_user messages from each of `users` concurrent people."""
    latencies: List[float] = []
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        # Warm-up, not measured.
        await _user(session, url, f"warm:{uuid.uuid4().hex}", messages, 3, [])
        start = time.perf_counter()
        await asyncio.gather(*[
            _user(session, url, f"bench:{uuid.uuid4().hex}", messages, per_user,
                  latencies)
            for _ in range(users)
        ])
        elapsed = time.perf_counter() - start
    return {
        "users": users,
        "messages": len(latencies),
        "p50_ms": 1000 * percentile(latencies, 50),
        "p95_ms": 1000 * percentile(latencies, 95),
        "p99_ms": 1000 * percentile(latencies, 99),
        "throughput": len(latencies) / elapsed,
    }


def _baseline_model(work: Path) -> Path:
    """A `rasa init` assistant, trained once and cached under var/bench."""
    models = sorted((work / "models").glob("*.tar.gz"))
    if models:
        return models[-1]
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    rasa = str(Path(sys.executable).with_name("rasa"))
    # `rasa init --no-prompt` writes the starter project and trains it.
    subprocess.run([rasa, "init", "--no-prompt", "--init-dir", str(work)],
                   cwd=work, check=True, stdout=subprocess.DEVNULL)
    return sorted((work / "models").glob("*.tar.gz"))[-1]


def _start_baseline(work: Path, model: Path, port: int) -> subprocess.Popen:
    rasa = str(Path(sys.executable).with_name("rasa"))
    log = open(work / "server.log", "ab")
    return subprocess.Popen(
        [rasa, "run", "--interface", "127.0.0.1", "--model", str(model),
         "--port", str(port)],
        cwd=work, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


async def _populate_history(redis_url: str, prefix: str, sender: str, sessions: int,
                            exchanges: int) -> None:
    """Write a long past into the production tracker store, as Rasa would."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        SessionStarted,
        UserUttered,
    )


    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    store = SessionRedisTrackerStore(domain=domain, url=redis_url, key_prefix=prefix,
                                     record_escalations=False)
    t0 = time.time() - (sessions + 2) * 43200
    tracker = await store.get_or_create_tracker(sender)
    for s in range(sessions):
        tracker = await store.retrieve(sender)
        t = t0 + s * 43200
        tracker.update(ActionExecuted("action_session_start", timestamp=t))
        tracker.update(SessionStarted(timestamp=t + 0.01))
        tracker.update(ActionExecuted("action_listen", timestamp=t + 0.02))
        for _ in range(exchanges):
            t += 60
            parse = {"text": "bof", "intent": {"name": "mood_bad", "confidence": 0.9},
                     "entities": [], "intent_ranking": []}
            tracker.update(UserUttered("bof", parse["intent"], parse_data=parse,
                                       timestamp=t, input_channel="rest"))
            tracker.update(ActionExecuted("utter_mood_bad", timestamp=t + 0.1))
            tracker.update(BotUttered("Je vous entends.", timestamp=t + 0.2))
            tracker.update(ActionExecuted("action_listen", timestamp=t + 0.3))
        await store.save(tracker)
    await store.redis.close()


async def history_latency(url: str, sender: str, count: int) -> List[float]:
    """Latencies of `count` messages from one person, one after the other."""
    latencies: List[float] = []
    async with aiohttp.ClientSession() as session:
        await _user(session, url, sender, LIEN_MESSAGES, count, latencies)
    return latencies


def _row(name: str, r: Dict) -> str:
    return (f"{name:<10} {r['users']:>5} {r['messages']:>6} {r['p50_ms']:>9.1f} "
            f"{r['p95_ms']:>9.1f} {r['p99_ms']:>9.1f} {r['throughput']:>10.1f}")


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def print_training_and_vectors_cost(out: Path) -> None:
    """What a newcomer waits for (`make train` from scratch), and the vectors' cost."""
    before, start = _rss_mib(), time.perf_counter()
    vectors = load_vectors()
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(1000):
        vectors.vector("mourir")
        vectors.vector("jveux")
    lookup_us = (time.perf_counter() - start) / 2000 * 1e6
    print(f"\n== French word vectors ==\nload {loaded:.1f} s, resident memory "
          f"+{_rss_mib() - before:.0f} MiB, {lookup_us:.1f} µs a word")
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("rasa")), "train", "--force",
                    "--skip-validation", "--fixed-model-name", "scratch", "--out", str(out)],
                   cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    took = time.perf_counter() - start
    print(f"== make train from scratch: {took:.0f} s (target under 300 s) -> "
          f"{'OK' if took < 300 else 'TOO SLOW'} ==")


# Messages with a sentence told at a distance or an idiom: the sentence reader
# reads them twice (``read_near``).
NEAR_MESSAGES = [
    "J'ai vu un film hier soir sur un homme qui voulait mourir. Ce soir je suis seul.",
    "Il y a dix ans j'ai fait une tentative. Maintenant ça va, je jardine.",
    "Mon mari a laissé tomber la chasse, il range ses papiers, il ne dit plus rien.",
    "Je suis morte de rire devant la télé, le chat a renversé le bol.",
    "Aux infos ils parlaient d'une femme battue. Moi mon voisin crie tous les soirs.",
    "Quand j'étais petite mon père buvait. Aujourd'hui je suis fatiguée de tout.",
]


def print_near_reading_cost(model: Path, rounds: int = 20) -> None:
    """What the second reading (``read_near``) adds to a parse, in process."""
    from bot.rasa import risk_model
    from tools.evaluation.common import Driver

    agent = Driver(model).agent

    async def parse_all() -> float:
        start = time.perf_counter()
        for _ in range(rounds):
            for text in NEAR_MESSAGES:
                await agent.parse_message(text)
        return (time.perf_counter() - start) / (rounds * len(NEAR_MESSAGES)) * 1000

    asyncio.run(parse_all())  # warm up
    with_near = asyncio.run(parse_all())
    original = risk_model.near_text
    risk_model.near_text = lambda text: []  # type: ignore[assignment]
    try:
        without = asyncio.run(parse_all())
    finally:
        risk_model.near_text = original  # type: ignore[assignment]
    print(f"\n== Second reading without distant sentences and idioms (read_near) ==\n"
          f"parse of a message that has one: {with_near:.1f} ms with it, {without:.1f} ms "
          f"without (+{with_near - without:.1f} ms)")


def print_lexicon_reading_cost(rounds: int = 3) -> None:
    """The lexicon's reading of the independent set's dev half, in process: the
    time per message, and what reading two sentences in a row together adds.
    """
    from bot.safety.risk import RiskLexicon, load_lexicon
    from tools.evaluation.common import load_set

    lexicon = load_lexicon()
    texts = [line["text"] for name in ("risk", "companion")
             for line in load_set(name, "dev") if line.get("text")]

    def per_message() -> float:
        start = time.perf_counter()
        for _ in range(rounds):
            for text in texts:
                lexicon.match(text)
        return (time.perf_counter() - start) / (rounds * len(texts)) * 1000

    per_message()  # warm up
    with_pairs = per_message()
    original = RiskLexicon.sentence_pairs
    RiskLexicon.sentence_pairs = staticmethod(lambda sentences: [])  # type: ignore
    try:
        without = per_message()
    finally:
        RiskLexicon.sentence_pairs = original  # type: ignore
    print(f"\n== The lexicon's reading ({len(texts)} messages of the dev half) ==\n"
          f"{with_pairs:.2f} ms a message, {without:.2f} ms without reading sentence "
          f"pairs together (+{with_pairs - without:.2f} ms)")


def main(argv=None) -> int:
    """Run the benchmarks and print the report."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench")
    parser.add_argument("--messages", type=int, default=40, help="per user")
    parser.add_argument("--sessions", type=int, default=600)
    parser.add_argument("--exchanges", type=int, default=4)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args(argv)

    settings = load_settings()
    redis_server = None
    redis_url = os.environ.get("BENCH_REDIS_URL") or settings.redis_url
    if not redis_url:

        redis_server, redis_url = start_embedded_redis(settings.var_dir / "bench-redis")
    prefix = f"lienbench{uuid.uuid4().hex[:6]}"
    os.environ["LIEN_KEY_PREFIX"] = prefix
    print_training_and_vectors_cost(settings.var_dir / "bench" / "train")
    subprocess.run([str(Path(sys.executable).with_name("rasa")), "train",
                    "--fixed-model-name", "lien", "--out", "models"],
                   cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL)
    print_near_reading_cost(PROJECT_ROOT / "models" / "lien.tar.gz")
    print_lexicon_reading_cost()
    env = service_environment(redis_url, 5155)
    os.environ["RASA_TOKEN"] = env["RASA_TOKEN"]
    env["LIEN_KEY_PREFIX"] = prefix
    processes = start_services(env, settings.var_dir / "bench-log", 5105, 5155,
                               str(PROJECT_ROOT / "models" / "lien.tar.gz"))
    baseline = None
    results: Dict[str, List[Dict]] = {"lien": [], "baseline": []}
    try:
        if not args.skip_baseline:
            work = settings.var_dir / "bench" / "baseline"
            model = _baseline_model(work)
            baseline = _start_baseline(work, model, 5106)
        wait_until_ready("http://127.0.0.1:5105", 5155)
        for users in (1, 10):
            per_user = args.messages if users == 1 else max(4, args.messages // 4)
            results["lien"].append(asyncio.run(
                load("http://127.0.0.1:5105", LIEN_MESSAGES, users, per_user)))
            if baseline is not None:
                wait_until_ready_baseline("http://127.0.0.1:5106")
                results["baseline"].append(asyncio.run(
                    load("http://127.0.0.1:5106", BASELINE_MESSAGES, users, per_user)))

        print("\n== REST webhook latency (ms) and throughput (messages/s) ==")
        print(f"{'assistant':<10} {'users':>5} {'msgs':>6} {'p50':>9} {'p95':>9} "
              f"{'p99':>9} {'msg/s':>10}")
        for name in ("lien", "baseline"):
            for r in results[name]:
                print(_row(name, r))
        for lien_r, base_r in zip(results["lien"], results["baseline"]):
            verdict = "OK" if lien_r["p50_ms"] <= base_r["p50_ms"] * 1.0 + 1e-9 else "SLOWER"
            print(f"users={lien_r['users']}: lien p50 {lien_r['p50_ms']:.1f} ms vs "
                  f"baseline {base_r['p50_ms']:.1f} ms -> {verdict}")

        long_sender = f"bench:long:{uuid.uuid4().hex[:6]}"
        t = time.perf_counter()
        asyncio.run(_populate_history(redis_url, prefix, long_sender, args.sessions,
                                      args.exchanges))
        populated = time.perf_counter() - t
        count = 30
        new_lat = asyncio.run(history_latency("http://127.0.0.1:5105",
                                              f"bench:new:{uuid.uuid4().hex[:6]}", count))
        long_lat = asyncio.run(history_latency("http://127.0.0.1:5105", long_sender,
                                               count))
        new_p50 = statistics.median(new_lat) * 1000
        long_p50 = statistics.median(long_lat) * 1000
        ratio = long_p50 / new_p50
        print(f"\n== Long history ({args.sessions} past sessions of {args.exchanges} "
              f"exchanges, written in {populated:.0f}s) ==")
        print(f"new person   p50 {new_p50:.1f} ms  p95 "
              f"{1000 * percentile(new_lat, 95):.1f} ms")
        print(f"long history p50 {long_p50:.1f} ms  p95 "
              f"{1000 * percentile(long_lat, 95):.1f} ms")
        print(f"ratio {ratio:.2f} (target <= 1.20) -> "
              f"{'OK' if ratio <= 1.2 else 'TOO SLOW'}")
        report = {"rest": results, "long_history": {
            "new_p50_ms": new_p50, "long_p50_ms": long_p50, "ratio": ratio}}
        out = settings.var_dir / "bench" / "report.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
        print(f"\nreport: {out}")
    finally:
        stop_services(processes + ([baseline] if baseline else []))
        if redis_server is not None:
            redis_server.shutdown()
    return 0


def wait_until_ready_baseline(url: str, timeout: float = 300) -> None:
    """Wait until the baseline server answers a message.

    ``rasa run`` without ``--enable-api`` (as a plain `rasa init` assistant is
    run) has no ``/status``: a greeting through the REST webhook is the probe.
    """
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = requests.post(f"{url}/webhooks/rest/webhook", timeout=5,
                                   json={"sender": "bench-probe", "message": "hello"})
            if answer.ok and answer.json():
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.5)
    raise TimeoutError("baseline not ready")


if __name__ == "__main__":
    sys.exit(main())
