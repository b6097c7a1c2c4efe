"""The silence drill (``make drill``): a morning of check-ins on a fast clock, the
ladder after a silence carried out by the real worker processes; prints one line.

Issue 14, "silence is a signal": for people on the ``renforcee`` watch level, a
human is alerted (a contact of the circle of care asked, or the on-call tier
paged) within 120 minutes of the missed check-in (p95), nobody is forgotten, no
message goes twice, and an all-clear reaches everyone who was asked.

What runs: Redis (``REDIS_URL``, else an embedded one under ``var/``), the
providers' stand-ins (``python -m bot.sandbox``) and ``--workers`` real worker
processes (``python -m bot worker``, ``CHECKIN_DELIVERY=direct``: check-ins go
straight to the Twilio stand-in), all on one simulated clock
(``LIEN_CLOCK_START``, ``LIEN_CLOCK_SPEED`` and ``LIEN_CLOCK_ANCHOR``, see
bot/core/clock.py) that runs ``--speed`` times faster than the machine's.

The morning (seeded, ``--seed``):

- ``--people`` people (default 2,000), half of them ``renforcee``, each of those
  with one or two contacts who already agreed (set directly with
  bot.people.circle); one morning check-in each, at a minute drawn over
  ``--spread`` minutes from 08:30 (Europe/Paris, on a Tuesday);
- everyone answers (bot.checkins.answers.note_answer, as the tracker store
  does) a few minutes after their check-in, some only after the re-ask; except
  ``--silent`` people (half of them ``renforcee``, rounded up), who never answer,
  so their silences start at their own random check-in times;
- a contact asked (read from the Twilio stand-in's message list) answers OK
  (60%), AIDE (10%) or nothing (30%), 2 to 40 minutes later
  (bot.checkins.circle_answers.contact_reply, as the SMS channel does);
- once the re-asks have begun (a seeded moment between 50 and 90 + ``--spread``
  minutes after 08:30), one worker process is killed (SIGKILL) as soon as it
  holds a leased job (a check-in, a ladder step or a page; at the latest 20
  simulated minutes later): its leases expire and the other workers take them up.

The fast clock: every delay the worker reads from the clock (due times, the
ladder's delays, ``CHECKIN_LEASE_SECONDS``) is in simulated seconds; what it
waits on the machine's clock is not: ``WORKER_POLL_SECONDS`` (an idle worker's
pause) is machine seconds, so a step can be late by ``poll x speed`` simulated
seconds. The drill sets the poll to 20 simulated seconds, and the lease to
``--lease`` simulated seconds: by default 120 (a dead worker's steps are taken
up at most 2 simulated minutes late), or one machine second when the speed
makes 120 shorter than that (a lease must outlast the batch it covers, or a
second worker takes the same step while the first is still at it). Still on
the machine's clock, and untouched: a dead worker's escalations not yet made
into cases wait 30 machine seconds (bot/safety/cases.py, ``min_idle_ms``).

The line, for the silent ``renforcee`` people (times from the check-in's
sending, the episode's ``checkin_ts``):

- ``first_contact_p95_min``: to the first contact asked (``first_asked_ts``),
  or to the escalation when no contact could be asked;
- ``human_alerted_p95_min``: to the first human alerted: a contact asked, or
  the on-call tier paged (the page's arrival at the stand-in);
- ``all_clear=A/B``: B silent people a contact answered OK about; A of them
  whose ladder ended in an all-clear that reached everyone asked (the contact
  who said OK gets the channel's reply, the others the "tout va bien" message);
- ``missed``: silent ``renforcee`` people nobody was asked about (no contact
  asked, nobody paged);
- ``duplicates``: messages sent twice: the same text to the same recipient, or
  a second check-in or re-ask to one person (one episode a person this morning).

Percentiles are nearest-rank, over the people alerted (``missed`` counts the
others). Details go to stderr and ``var/bench/drill.json``; stdout ends with the
line. Exits 1 when a figure of the issue is missed.

Usage: python -m tools.drill [--people N] [--silent K] [--speed S] [--workers W]
       [--spread MIN] [--lease SEC] [--seed N] [--kill-delay-ms MS]
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import itertools
import json
import logging
import math
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import aiohttp
import redis.asyncio as aioredis

from bot import sandbox
from bot.checkins import circle_answers, ladder
from bot.checkins.answers import note_answer
from bot.cli.supervisor import start_embedded_redis
from bot.core import clock
from bot.core.config import PROJECT_ROOT, environment, load_settings
from bot.core.keys import CaseKeys, Keys, LadderKeys
from bot.people import circle
from bot.people.registry import Person, at_local, import_persons, zone
from bot.safety.roster import roster
from tools.drill_figures import (
    DAY,
    TZ,
    Contact,
    DrillFigures,
    Someone,
    is_ask,
    is_reask,
    line,
    met,
)

FIRST = "08:30"  # the first check-in; the others within --spread minutes
# What contacts do when asked: OK, AIDE or nothing (issue 14's proportions).
CONTACT_ANSWERS = (("OK", 0.6), ("AIDE", 0.1), ("", 0.3))
CONTACT_DELAY_MIN = (2.0, 40.0)
# Answering people: most within the re-ask's delay, a fifth only after the re-ask.
ANSWER_EARLY_MIN = (1.0, 44.0)
ANSWER_LATE_MIN = (46.0, 85.0)
ANSWER_LATE_SHARE = 0.2
# An idle worker's pause, in simulated seconds (WORKER_POLL_SECONDS is machine time).
POLL_SIMULATED = 20.0
# The kill comes between these minutes after 08:30 (plus --spread for the end):
# the re-asks, then the first questions to the circles.
KILL_FROM_MIN, KILL_TO_MIN = 50.0, 90.0


def plan(people: int, silent: int, spread: int, seed: int) -> List[Someone]:
    """Who is who this morning (seeded)."""
    rng = random.Random(seed)
    order = list(range(people))
    rng.shuffle(order)
    strong = set(order[:people // 2])
    strong_silent = rng.sample(sorted(strong), min(len(strong), math.ceil(silent / 2)))
    others = sorted(set(range(people)) - strong)
    quiet = set(strong_silent) | set(rng.sample(others, min(len(others),
                                                            silent - len(strong_silent))))
    base_h, base_m = (int(part) for part in FIRST.split(":"))
    everyone: List[Someone] = []
    for index in range(people):
        minute = base_h * 60 + base_m + rng.randrange(max(1, spread))
        late = rng.random() < ANSWER_LATE_SHARE
        someone = Someone(
            index=index, number=f"+3361{index:07d}",
            level="renforcee" if index in strong else "standard",
            hhmm=f"{minute // 60:02d}:{minute % 60:02d}", silent=index in quiet,
            answer_min=rng.uniform(*(ANSWER_LATE_MIN if late else ANSWER_EARLY_MIN)))
        if index in strong:
            for rank in range(rng.choice((1, 2))):
                draw, answer = rng.random(), ""
                for word, share in CONTACT_ANSWERS:
                    if draw < share:
                        answer = word
                        break
                    draw -= share
                someone.contacts.append(Contact(
                    number=f"+3376{2 * index + rank:07d}", answer=answer,
                    delay_min=rng.uniform(*CONTACT_DELAY_MIN), person=index))
        everyone.append(someone)
    return everyone


class Drill(DrillFigures):
    """One run: the processes, the simulated people and contacts, the figures."""

    def __init__(self, args: argparse.Namespace, redis_url: str, redis: Any,
                 sandbox_url: str, env: Dict[str, str]) -> None:
        self.args = args
        self.redis_url = redis_url
        self.redis = redis
        self.url = sandbox_url
        self.env = env
        self.prefix = f"drill{uuid.uuid4().hex[:8]}"
        self.people = plan(args.people, args.silent, args.spread, args.seed)
        self.rng = random.Random(args.seed + 1)
        self.by_number: Dict[str, Tuple[str, Any]] = {}
        for someone in self.people:
            self.by_number[someone.number] = ("person", someone)
            for contact in someone.contacts:
                self.by_number[contact.number] = ("contact", contact)
        first = at_local(DAY, FIRST, TZ)
        self.origin = first - 120.0  # the clock reads 08:28 at the anchor
        self.anchor = 0.0
        self.last_planned = max(at_local(DAY, s.hhmm, TZ) for s in self.people)
        self.messages: List[Dict[str, Any]] = []
        self.seen_checkin: Dict[int, float] = {}
        self.events: List[Tuple[float, int, str, Any]] = []
        self._seq = itertools.count()
        self.replies: List[Dict[str, Any]] = []
        self.workers: List[subprocess.Popen] = []
        self.killed: Dict[str, Any] = {}
        self.lateness: Dict[str, List[float]] = {"answer": [], "contact": []}

    # -- the clock ----------------------------------------------------------------------
    def now(self) -> float:
        """The simulated time (the workers read the same)."""
        return clock.reading(time.time(), self.origin, self.anchor, self.args.speed)

    def simulated(self, machine_ts: float) -> float:
        """A machine timestamp (the stand-in's) on the simulated clock."""
        return clock.reading(machine_ts, self.origin, self.anchor, self.args.speed)

    def hhmm(self, ts: float) -> str:
        """A simulated instant as local HH:MM:SS."""
        return datetime.fromtimestamp(ts, zone(TZ)).strftime("%H:%M:%S")

    # -- set-up -------------------------------------------------------------------------
    async def enrol(self) -> None:
        """The people, their check-in times, and their circles (agreed already)."""
        before = self.origin - 3600
        persons = [Person(first_name=f"P{s.index}", channel="sms", address=s.number,
                          consent_at="2027-02-01", consent_how="drill", status="active",
                          morning=s.hhmm, evening="", watch=s.level)
                   for s in self.people]
        await import_persons(self.redis, self.prefix, persons, before, batch=1000)
        strong = [s for s in self.people if s.contacts]
        for start in range(0, len(strong), 100):
            await asyncio.gather(*(self._circle(s, before) for s in strong[start:start + 100]))

    async def _circle(self, someone: Someone, now: float) -> None:
        for rank, contact in enumerate(someone.contacts):
            added = await circle.add_contact(
                self.redis, self.prefix, someone.id, f"C{someone.index}{'ab'[rank]}",
                ("voisine", "fils")[rank], now, phone=contact.number)
            await circle.set_status(self.redis, self.prefix, someone.id, added, "agreed", now)

    def start_workers(self) -> None:
        """The real worker processes, on the drill's clock."""
        speed = self.args.speed
        self.anchor = time.time() + 3.0  # their start-up runs before 08:28
        env = dict(self.env, REDIS_URL=self.redis_url, LIEN_KEY_PREFIX=self.prefix,
                   CHECKIN_DELIVERY="direct", CHECKIN_BATCH="50",
                   CHECKIN_LEASE_SECONDS=str(self.args.lease),
                   WORKER_POLL_SECONDS=f"{POLL_SIMULATED / speed:.3f}",
                   LIEN_CLOCK_START=datetime.fromtimestamp(self.origin, zone(TZ)).isoformat(),
                   LIEN_CLOCK_SPEED=str(speed), LIEN_CLOCK_ANCHOR=f"{self.anchor:.3f}",
                   LOG_LEVEL="WARNING", PYTHONPATH=str(PROJECT_ROOT))
        logs = self.log_dir()
        for number in range(self.args.workers):
            log = open(logs / f"worker{number}.log", "wb")
            self.workers.append(subprocess.Popen(
                [sys.executable, "-m", "bot", "worker"], cwd=PROJECT_ROOT, env=env,
                stdout=log, stderr=subprocess.STDOUT))
            log.close()

    def log_dir(self) -> Path:
        """Where the processes' logs go (var/drill/)."""
        path = load_settings().var_dir / "drill"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def stop_workers(self) -> None:
        """SIGTERM to the workers still running; wait for them."""
        for process in self.workers:
            if process.poll() is None:
                process.terminate()
        for process in self.workers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    # -- what the people and contacts do ----------------------------------------------
    def later(self, due: float, kind: str, what: Any) -> None:
        """Something a person or a contact will do at simulated time ``due``."""
        heapq.heappush(self.events, (due, next(self._seq), kind, what))

    def read(self, message: Dict[str, Any]) -> None:
        """A message the stand-in received: who will answer it, and when."""
        who = self.by_number.get(str(message.get("to", "")))
        if who is None:
            return
        kind, someone = who
        text = str(message.get("text", ""))
        sent = self.simulated(float(message.get("ts") or 0))
        if kind == "person":
            if is_reask(text) or someone.index in self.seen_checkin:
                return
            self.seen_checkin[someone.index] = sent
            if not someone.silent:
                self.later(sent + someone.answer_min * 60, "answer", someone)
        elif is_ask(text) and someone.answer:
            self.later(sent + someone.delay_min * 60, "contact", someone)

    async def act(self, due: float, kind: str, what: Any) -> None:
        """A person answers, or a contact answers the ask."""
        now = self.now()
        self.lateness[kind].append(now - due)
        if kind == "answer":
            await note_answer(self.redis, self.prefix, what.id, "mood_good", now)
            return
        reply = await circle_answers.contact_reply(self.redis, self.prefix, f"sms:{what.number}",
                                           what.answer, now)
        self.replies.append({"person": what.person, "contact": what.number,
                             "word": what.answer, "reply": reply or "", "ts": now})

    async def people_and_contacts(self, stop: asyncio.Event) -> None:
        """Fire what is due, at most 20 at a time."""
        gate = asyncio.Semaphore(20)
        running: set = set()

        async def one(event: Tuple[float, int, str, Any]) -> None:
            async with gate:
                try:
                    await self.act(event[0], event[2], event[3])
                except Exception as error:  # noqa: BLE001 - counted, the drill goes on
                    print(f"drill: {event[2]} failed: {error!r}", file=sys.stderr)

        while not stop.is_set():
            now = self.now()
            while self.events and self.events[0][0] <= now:
                task = asyncio.ensure_future(one(heapq.heappop(self.events)))
                running.add(task)
                task.add_done_callback(running.discard)
            await asyncio.sleep(0.05)
        if running:
            await asyncio.gather(*running)

    async def watch_messages(self, session: aiohttp.ClientSession,
                             stop: asyncio.Event) -> None:
        """Read the stand-in's message list as it grows."""
        count = 0
        while not stop.is_set():
            await self.fetch(session)
            if len(self.messages) == count:
                await asyncio.sleep(0.3)
            count = len(self.messages)
            await asyncio.sleep(0.2)

    async def fetch(self, session: aiohttp.ClientSession) -> None:
        """New messages since the last look."""
        async with session.get(f"{self.url}/twilio/_count") as reply:
            total = (await reply.json())["count"]
        if total == len(self.messages):
            return
        async with session.get(f"{self.url}/_messages") as reply:
            listed = [m for m in await reply.json() if m.get("channel") == "sms"]
        for message in listed[len(self.messages):]:
            self.messages.append(message)
            self.read(message)

    # -- the kill -------------------------------------------------------------------------
    async def kill_one(self, stop: asyncio.Event) -> None:
        """Once the re-asks have begun, SIGKILL one worker as it holds a lease."""
        first = at_local(DAY, FIRST, TZ)
        when = self.rng.uniform(first + KILL_FROM_MIN * 60,
                                first + (KILL_TO_MIN + self.args.spread) * 60)
        victim = self.workers[self.rng.randrange(len(self.workers))]
        while not stop.is_set() and self.now() < when:
            await asyncio.sleep(0.2)
        hashes = {"checkins": Keys(self.prefix).lease_owner,
                  "ladder": LadderKeys(self.prefix).lease_owner,
                  "pages": CaseKeys(self.prefix).alerts("lease_owner")}
        marker = f":{victim.pid}:"
        held: Dict[str, int] = {}
        give_up = time.monotonic() + 20 * 60 / self.args.speed  # 20 simulated minutes
        while not stop.is_set() and time.monotonic() < give_up:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in hashes.values():
                    pipe.hvals(key)
                found = await pipe.execute()
            held = {name: sum(marker in owner.decode() for owner in owners)
                    for name, owners in zip(hashes, found)}
            if any(held.values()):
                # Somewhere in the middle of what it holds, not always at its start.
                await asyncio.sleep(self.rng.uniform(0, self.args.kill_delay_ms / 1000))
                break
            await asyncio.sleep(0.005)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        self.killed = {"pid": victim.pid, "at": self.hhmm(self.now()), "holding": held}
        print(f"drill: worker {victim.pid} killed (SIGKILL) at {self.killed['at']}, "
              f"holding {held}", file=sys.stderr, flush=True)

    # -- the end ---------------------------------------------------------------------------
    async def settled(self) -> bool:
        """Every silent renforcée person's ladder has ended or reached on-call, nothing
        is due or leased, and nobody has anything left to answer.
        """
        now = self.now()
        if self.events or now < self.last_planned + 10 * 60:
            return False
        keys = LadderKeys(self.prefix)
        if await self.redis.zcount(keys.due, "-inf", now) or await self.redis.zcard(
                keys.leased):
            return False
        for someone in self.silent_strong():
            episode = await ladder.episode_of(self.redis, self.prefix, someone.id)
            if episode.get("status") == "open":
                return False
            if episode.get("status") == "escalated" and \
                    await self.paged_at(episode) is None:
                return False
            if not episode and now < self.seen_checkin.get(someone.index, 0) + 300:
                return False  # its check-in went just now: the episode is opening
        return True

    async def run(self, session: aiohttp.ClientSession) -> None:
        """From 08:28 until the ladders have settled (at most 4 simulated hours after
        the last check-in).
        """
        stop = asyncio.Event()
        tasks = [asyncio.ensure_future(self.people_and_contacts(stop)),
                 asyncio.ensure_future(self.watch_messages(session, stop)),
                 asyncio.ensure_future(self.kill_one(stop))]
        limit = self.last_planned + 4 * 3600
        calm = 0
        try:
            while self.now() < limit:
                await asyncio.sleep(0.5)
                for task in tasks:
                    if task.done() and task.exception() is not None:
                        raise task.exception()  # type: ignore[misc]
                calm = calm + 1 if await self.settled() else 0
                if calm >= 4 and self.killed:
                    break
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(1.0)
        await self.fetch(session)

    # -- the figures ---------------------------------------------------------------------
async def drill(args: argparse.Namespace) -> Dict[str, Any]:
    """Start everything, run the morning, measure, clean up."""
    settings = load_settings()
    roster()  # the pages' recipients: refused early rather than in a worker
    began = time.monotonic()
    redis_server = None
    redis_url = settings.redis_url
    if not redis_url:
        redis_server, redis_url = start_embedded_redis(settings.var_dir / "redis")
    box, url = sandbox.start(settings.var_dir / "drill")
    env = environment()
    env.update(sandbox.environment(url))
    redis = aioredis.from_url(redis_url, socket_timeout=30)
    run = Drill(args, redis_url, redis, url, env)
    try:
        await run.enrol()
        silent = run.silent_strong()
        print(f"drill: {len(run.people)} people ({sum(bool(s.contacts) for s in run.people)}"
              f" renforcée, {sum(len(s.contacts) for s in run.people)} contacts), "
              f"{sum(s.silent for s in run.people)} silent ({len(silent)} renforcée); "
              f"check-ins {FIRST} to {max(s.hhmm for s in run.people)}; speed "
              f"x{args.speed:g}, {args.workers} workers, lease {args.lease:g} s, poll "
              f"{POLL_SIMULATED:g} s (simulated)", file=sys.stderr, flush=True)
        run.start_workers()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            await run.run(session)
            run.stop_workers()
            figures = await run.figures()
    finally:
        run.stop_workers()
        async for key in redis.scan_iter(match=f"{run.prefix}:*", count=1000):
            await redis.delete(key)
        await redis.close()
        box.terminate()
        box.wait(timeout=10)
        if redis_server is not None:
            redis_server.shutdown()
    figures["simulated_until"] = run.hhmm(run.now())
    figures["seconds"] = round(time.monotonic() - began, 1)
    figures["speed"] = args.speed
    figures["workers"] = args.workers
    return figures


def main(argv: Optional[List[str]] = None) -> int:
    """Run the drill; details on stderr, the line last on stdout."""
    parser = argparse.ArgumentParser(prog="python -m tools.drill")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--silent", type=int, default=40)
    parser.add_argument("--speed", type=float, default=120.0,
                        help="simulated seconds per second (LIEN_CLOCK_SPEED)")
    parser.add_argument("--workers", type=int, default=3,
                        help="worker processes (python -m bot worker); one is killed")
    parser.add_argument("--spread", type=int, default=30,
                        help="minutes over which the check-ins are spread from 08:30")
    parser.add_argument("--lease", type=float, default=0.0,
                        help="CHECKIN_LEASE_SECONDS in simulated seconds (default: 120, "
                        "or one machine second if that is longer)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--kill-delay-ms", type=float, default=0.0,
                        help="once the victim holds a lease, kill it up to this much later")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the ladder's own log lines: not here
    args.lease = args.lease or max(120.0, args.speed)
    if args.workers < 2:
        parser.error("--workers: at least 2 (one is killed)")
    if not 0 < args.silent <= args.people:
        parser.error("--silent: between 1 and --people")
    figures = asyncio.run(drill(args))
    details = {k: v for k, v in figures.items() if k != "missed_who"}
    print(f"drill: {json.dumps(details, ensure_ascii=False)}", file=sys.stderr)
    for who in figures["missed_who"]:
        print(f"drill: missed {who}", file=sys.stderr)
    out = load_settings().var_dir / "bench" / "drill.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"drill: {figures['seconds']:.0f} s; report {out}", file=sys.stderr, flush=True)
    print(line(figures), flush=True)
    return 0 if met(figures) else 1


if __name__ == "__main__":
    sys.exit(main())
