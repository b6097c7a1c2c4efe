"""Real worker processes killed mid-send, and call reminders reaching people."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis as syncredis
from aiohttp import web

from bot.people.registry import Keys, at_local
from tests.support.paths import ROOT
from tests.support.servers import _free_port
from tests.support.settings import TEST_REDIS_URL, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN

# Real worker processes killed mid-send: make test runs them, make test-fast does not.
pytestmark = pytest.mark.slow

PARIS = ZoneInfo("Europe/Paris")
DAY = datetime(2027, 3, 3).date()


class RasaStandIn:
    """Answers trigger_intent like Rasa, but holds the first request until released.

    ``finish_after_disconnect``: a held request is still carried out when its
    caller has gone (Rasa finishes what it started) or dropped (it never was).
    """

    def __init__(self, finish_after_disconnect: bool) -> None:
        self.finish = finish_after_disconnect
        self.release = threading.Event()
        self.received = threading.Event()
        self.delivered: list = []
        self.port = _free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    async def trigger(self, request: web.Request) -> web.Response:
        body = await request.json()
        person = request.match_info["person"]
        first = not self.received.is_set()
        self.received.set()
        if first:
            while not self.release.is_set():
                await asyncio.sleep(0.05)
                if request.transport is None or request.transport.is_closing():
                    if not self.finish:
                        return web.json_response({}, status=499)
        self.delivered.append((person, body["name"], time.time()))
        return web.json_response({"tracker": {}, "messages": []})

    async def tracker(self, request: web.Request) -> web.Response:
        person = request.match_info["person"]
        events = [{"event": "user", "timestamp": ts, "parse_data": {"intent": {"name": name}}}
                  for who, name, ts in self.delivered if who == person]
        return web.json_response({"events": events})

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_post("/conversations/{person}/trigger_intent", self.trigger)
        app.router.add_get("/conversations/{person}/tracker", self.tracker)
        runner = web.AppRunner(app, handle_signals=False)
        self.loop.run_until_complete(runner.setup())
        self.loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self.loop.run_forever()

    def __enter__(self) -> "RasaStandIn":
        self.thread.start()
        time.sleep(0.3)
        return self

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


def _worker(prefix: str, rasa_url: str) -> subprocess.Popen:
    env = dict(os.environ, REDIS_URL=TEST_REDIS_URL, LIEN_KEY_PREFIX=prefix,
               RASA_URL=rasa_url, WORKER_POLL_SECONDS="0.1", CHECKIN_LEASE_SECONDS="2",
               CHECKIN_SETTLE_SECONDS="4",
               LIEN_CLOCK_START="2027-03-03T09:29:59+01:00")
    return subprocess.Popen([sys.executable, "-m", "bot", "worker"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("finish_after_disconnect", [True, False],
                         ids=["handed-over-before-death", "never-handed-over"])
def test_a_worker_process_killed_mid_send_leads_to_exactly_one_message(
        finish_after_disconnect):
    prefix = f"kill{uuid.uuid4().hex[:6]}"
    client = syncredis.Redis.from_url(TEST_REDIS_URL, decode_responses=True)
    person = "sms:+33617000001"
    keys = Keys(prefix)
    client.hset(keys.person(person), mapping={
        "first_name": "Odette", "channel": "sms", "address": "+33617000001",
        "timezone": "Europe/Paris", "morning": "09:30", "evening": "", "status": "active"})
    client.zadd(keys.due, {f"{person}|morning": at_local(DAY, "09:30", "Europe/Paris")})
    with RasaStandIn(finish_after_disconnect) as rasa:
        url = f"http://127.0.0.1:{rasa.port}"
        doomed = _worker(prefix, url)
        assert rasa.received.wait(30), "the first worker never called Rasa"
        os.kill(doomed.pid, signal.SIGKILL)  # dies while the message is in flight
        doomed.wait(timeout=10)
        rasa.release.set()
        survivor = _worker(prefix, url)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if (client.get(keys.sent(person, "morning", DAY.isoformat())) or ""
                        ).startswith("sent"):
                    break
                time.sleep(0.2)
            time.sleep(1.5)
        finally:
            survivor.terminate()
            survivor.wait(timeout=20)
    assert [name for _, name, _ in rasa.delivered] == ["EXTERNAL_checkin_morning"]
    assert client.get(keys.sent(person, "morning", DAY.isoformat())).startswith("sent")
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


async def test_call_reminders_reach_the_person_and_the_volunteer(twilio_double, redis_client,
                                                                  monkeypatch):
    import requests

    from bot.calls.booking import book_call, cancel_call, import_volunteers
    from bot.worker.loop import Worker
    from bot.worker.settings import WorkerSettings

    for name, value in (("TWILIO_ACCOUNT_SID", TWILIO_SID), ("TWILIO_AUTH_TOKEN", TWILIO_TOKEN),
                        ("TWILIO_FROM_NUMBER", TWILIO_FROM), ("TWILIO_API_URL", twilio_double)):
        monkeypatch.setenv(name, value)
    prefix = f"rem{uuid.uuid4().hex[:6]}"
    volunteer_phone = f"+3362{uuid.uuid4().int % 10**7:07d}"
    await import_volunteers(redis_client, prefix, [{
        "id": "ana", "name": "Ana Morel", "phone": volunteer_phone, "telegram": "",
        "availability": "lun-dim 08:00-21:00", "max_calls_per_day": "6",
        "timezone": "Europe/Paris", "active": "1"}])
    person = "sms:+33617000002"
    await redis_client.hset(Keys(prefix).person(person), mapping={
        "first_name": "Odette", "channel": "sms", "status": "active", "register": "vous",
        "timezone": "Europe/Paris"})
    at = datetime(2027, 3, 4, 14, 30, tzinfo=PARIS).timestamp()
    booked_at = at - 86400
    await book_call(redis_client, prefix, person, at, "jeudi 14h30", booked_at,
                    reminder_minutes=60)

    class Delivery:
        sent: list = []

        async def send(self, person_id, fields, intent, text):
            self.sent.append((person_id, intent, text))

    now = {"ts": at - 3601}
    worker = Worker(redis_client, prefix, Delivery(), WorkerSettings(), now=lambda: now["ts"])
    await worker.tick()
    assert Delivery.sent == []  # not yet
    now["ts"] = at - 3600
    await worker.tick()
    assert Delivery.sent == [(person, "EXTERNAL_call_reminder",
                              "Petit rappel Odette : Ana vous appelle à 14h30. Si ce n'est "
                              "plus possible, répondez « je ne pourrai pas ».")]
    await worker.tick()
    assert len(Delivery.sent) == 1  # once

    def to_volunteer():
        messages = requests.get(f"{twilio_double}/_messages", timeout=10).json()
        return [m["body"] for m in messages if m["to"] == volunteer_phone]

    assert to_volunteer() == ["Lien : appel prévu avec Odette à 14h30 (sms). Bonne conversation !"]
    # The person cancels the next one: the volunteer is told at once.
    await book_call(redis_client, prefix, person, at + 86400, "vendredi", now["ts"])
    await cancel_call(redis_client, prefix, person, now["ts"])
    await worker.tick()
    assert "annulé" in to_volunteer()[-1] and "Odette" in to_volunteer()[-1]
    async for key in redis_client.scan_iter(match=f"{prefix}:*"):
        await redis_client.delete(key)
