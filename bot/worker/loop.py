"""The scheduler worker: presence messages, missed check-ins, call reminders.

``python -m bot worker`` runs it; any number of workers on any number of
machines share the work through Redis:

- Due check-ins are **claimed atomically** (one Lua script moves a batch from
  ``{p}:checkins:due`` to ``{p}:checkins:leased`` with a lease and an owner). A
  worker that dies leaves its lease to expire; the next claim puts the item
  back and another worker takes it.
- Before sending, the worker takes the **idempotency key** of the person, slot
  and local day (``SET NX``): ``sending:<ts>:<worker>`` then ``sent:<ts>``. A
  key left in ``sending`` by a dead worker is checked against the conversation
  (did Rasa get the check-in after that moment?) before anything is re-sent.
- A check-in is sent only within the **grace window** after its planned local
  time (default 90 minutes: no "bonjour" at 15:00 after an outage), never in
  the quiet hours, never to a person who is pending, paused, opted out, or
  talking with a listener.
- Delivery goes **through Rasa** by default: ``POST
  /conversations/{id}/trigger_intent`` with ``EXTERNAL_checkin_morning`` or
  ``_evening`` and the person's output channel, so the answer lands in
  context. ``CHECKIN_DELIVERY=direct`` hands the message to the channel's
  provider from the worker itself and lets the tracker store add it to the
  conversation at the person's next message (for waves larger than the Rasa
  servers can take).
- An idle worker **wakes up as soon as an escalation lands** (``XREAD BLOCK`` on
  the stream from the last entry it saw), so an alert never waits for the poll.
- An unanswered check-in counts as **missed** once its answer window passes;
  N missed in a row (default 2) raise a ``no_news`` escalation (level
  ``watch``); any answer clears it (see the tracker store).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import resource
import signal
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time as dtime, timedelta
from typing import Any, Callable, Dict, List, Optional, Tuple

import aiohttp

from bot.core import clock
from bot.checkins.wording import compose_remembered, name_part, wording
from bot.safety.escalation import Escalation, EscalationKeys, record_escalation
from bot.people.registry import (
    DEFAULT_QUIET, Keys, at_local, in_quiet_hours, local_date, next_due, zone,
)

logger = logging.getLogger(__name__)

SENT_TTL = 3 * 86400
# A hand-off to Rasa gives up after this; CHECKIN_SETTLE_SECONDS must exceed it.
REQUEST_TIMEOUT = 60
# An idle worker waits for new escalations in blocks of at most this (XREAD BLOCK).
MAX_BLOCK_SECONDS = 5.0

_CLAIM = """
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[3])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)
for _, m in ipairs(expired) do
  local due = redis.call('HGET', KEYS[3], m) or ARGV[1]
  redis.call('ZREM', KEYS[2], m)
  redis.call('HDEL', KEYS[3], m)
  redis.call('HDEL', KEYS[4], m)
  redis.call('ZADD', KEYS[1], 'NX', due, m)
end
local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit)
local out = {}
for i = 1, #items, 2 do
  local m = items[i]
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZADD', KEYS[2], ARGV[2], m)
  redis.call('HSET', KEYS[3], m, items[i + 1])
  redis.call('HSET', KEYS[4], m, ARGV[4])
  out[#out + 1] = m
  out[#out + 1] = items[i + 1]
end
return out
"""

_COMPLETE = """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if ARGV[3] ~= '' then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return 1
"""


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else ("" if value is None else str(value))


@dataclass
class WorkerSettings:
    """The worker's settings, from the environment."""

    delivery: str = "rasa"
    batch: int = 200
    concurrency: int = 50
    lease_seconds: float = 120.0
    grace_seconds: float = 90 * 60
    quiet_hours: str = DEFAULT_QUIET
    missed_threshold: int = 2
    answer_window_seconds: float = 3 * 3600
    rate_per_second: float = 0.0
    poll_seconds: float = 1.0
    reminder_minutes: int = 60
    retry_seconds: float = 60.0
    settle_seconds: float = 90.0
    retention_days: float = 90.0
    # The uncertain band: a direct question left unanswered this long raises
    # the watch case to high and pages (bot/safety/cases.py, raise_unanswered_questions).
    watch_answer_seconds: float = 30 * 60

    @classmethod
    def from_env(cls) -> "WorkerSettings":
        """Read ``CHECKIN_*`` variables (see the README's configuration table)."""
        env = os.environ.get
        return cls(
            delivery=env("CHECKIN_DELIVERY", "rasa") or "rasa",
            batch=int(env("CHECKIN_BATCH", "200")),
            concurrency=int(env("CHECKIN_CONCURRENCY", "50")),
            lease_seconds=float(env("CHECKIN_LEASE_SECONDS", "120")),
            grace_seconds=float(env("CHECKIN_GRACE_MINUTES", "90")) * 60,
            quiet_hours=env("QUIET_HOURS", DEFAULT_QUIET) or DEFAULT_QUIET,
            missed_threshold=int(env("MISSED_CHECKINS_ALERT", "2")),
            answer_window_seconds=float(env("CHECKIN_ANSWER_WINDOW_MINUTES", "180")) * 60,
            rate_per_second=float(env("CHECKIN_RATE_PER_SECOND", "0") or 0),
            poll_seconds=float(env("WORKER_POLL_SECONDS", "1")),
            reminder_minutes=int(env("CALL_REMINDER_MINUTES", "60")),
            settle_seconds=float(env("CHECKIN_SETTLE_SECONDS", "90")),
            retention_days=float(env("RETENTION_DAYS", "90")),
            watch_answer_seconds=float(env("WATCH_ANSWER_MINUTES", "30")) * 60,
        )


_PACE = """
local now = tonumber(ARGV[1])
local step = tonumber(ARGV[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nxt)
redis.call('SET', KEYS[1], tostring(slot + step), 'PX', 60000)
return tostring(slot - now)
"""


class Pacer:
    """At most ``rate`` hand-offs a second for ALL workers together (0: no limit).

    The next free slot lives in Redis (one Lua script hands slots out in order),
    so two workers on two machines share the provider's rate instead of each
    sending at it.
    """

    def __init__(self, rate: float, redis: Any = None, key: str = "") -> None:
        self.rate = rate
        self.redis = redis
        self.key = key
        self._script = redis.register_script(_PACE) if redis is not None else None
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Wait for the next slot."""
        if self.rate <= 0:
            return
        loop = asyncio.get_running_loop()
        if self._script is not None:
            delay = float(await self._script(keys=[self.key],
                                             args=[repr(time.time()), repr(1.0 / self.rate)]))
        else:
            async with self._lock:
                now = loop.time()
                slot = max(now, self._next)
                self._next = slot + 1.0 / self.rate
                delay = slot - now
        if delay > 0:
            await asyncio.sleep(delay)


class DeliveryError(Exception):
    """The message was certainly not handed over (safe to retry)."""


class RasaDelivery:
    """Check-ins through Rasa's trigger_intent, on the person's channel."""

    OUTPUT = {"sms": "sms", "telegram": "telegram"}

    def __init__(self, rasa_url: str, token: Optional[str] = None) -> None:
        self.rasa_url = rasa_url.rstrip("/")
        # Rasa's API always requires its token (bot/rasa/server.py).
        self.token = os.environ.get("RASA_TOKEN", "") if token is None else token
        self._session: Optional[aiohttp.ClientSession] = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(limit=64),
            )
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()

    def _params(self, channel: str) -> Dict[str, str]:
        params = {"output_channel": self.OUTPUT.get(channel, "latest")}
        if self.token:
            params["token"] = self.token
        return params

    async def send(self, person_id: str, person: Dict[str, str], intent: str,
                   text: str) -> None:
        """Trigger the intent; Rasa utters ``text`` on the person's channel."""
        url = f"{self.rasa_url}/conversations/{person_id}/trigger_intent"
        body: Dict[str, Any] = {"name": intent}
        if text:
            body["entities"] = {"checkin_text": text}
        try:
            async with self._http().post(
                url, json=body, params=self._params(person.get("channel", ""))
            ) as reply:
                if reply.status >= 400:
                    detail = (await reply.text())[:200]
                    raise DeliveryError(f"rasa answered {reply.status}: {detail}")
        except aiohttp.ClientConnectorError as error:
            raise DeliveryError(str(error)) from error

    async def delivered_since(self, person_id: str, intent: str, since: float) -> Optional[bool]:
        """Whether the conversation holds ``intent`` after ``since`` (None: unknown)."""
        url = f"{self.rasa_url}/conversations/{person_id}/tracker"
        params = {"include_events": "AFTER_RESTART"}
        if self.token:
            params["token"] = self.token
        try:
            async with self._http().get(url, params=params) as reply:
                if reply.status != 200:
                    return None
                tracker = await reply.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return None
        for event in tracker.get("events") or []:
            if (event.get("event") == "user"
                    and (event.get("parse_data") or {}).get("intent", {}).get("name") == intent
                    and float(event.get("timestamp") or 0) >= since - 5):
                return True
        return False


class DirectDelivery:
    """Check-ins handed to the provider by the worker; Rasa learns of them later.

    The tracker store adds the check-in to the conversation when the person next
    writes (``{p}:checkin:unrecorded:{id}``), so the answer is still in context.
    """

    def __init__(self, redis: Any, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self.keys = Keys(prefix)
        self._outputs: Dict[str, Any] = {}
        # Import the providers' clients now, not in the middle of a wave (an
        # import blocks the event loop for most of a second).
        importlib.import_module("twilio.rest")
        importlib.import_module("telegram")

    def output(self, channel: str) -> Any:
        """The channel's output (SMS or Telegram), made once."""
        if channel not in self._outputs:
            if channel == "sms":
                from channels.sms import SmsOutput, SmsSettings

                self._outputs[channel] = SmsOutput(SmsSettings.from_env(), self.redis,
                                                   self.prefix)
            elif channel == "telegram":
                from channels.telegram import TelegramOutput, TelegramSettings

                self._outputs[channel] = TelegramOutput(TelegramSettings.from_env())
            else:
                raise DeliveryError(f"no direct output for channel {channel!r}")
        return self._outputs[channel]

    async def warm(self) -> None:
        """Build the SMS client before the first wave (its first use imports a lot)."""
        from channels.sms import SmsSettings

        if SmsSettings.from_env().enabled:
            _ = self.output("sms")._twilio().messages

    async def close(self) -> None:
        """Close the providers' HTTP sessions."""
        sms = self._outputs.get("sms")
        client = getattr(sms, "_client", None)
        if client is not None and hasattr(client.http_client, "close"):
            await client.http_client.close()

    async def send(self, person_id: str, person: Dict[str, str], intent: str,
                   text: str) -> None:
        """Send, then leave the check-in for the conversation to pick up."""
        output = self.output(person.get("channel", ""))
        try:
            await output.send_text_message(person_id, text)
        except Exception as error:  # noqa: BLE001 - provider errors vary by library
            status = getattr(error, "status", None)
            if status is not None and int(status) < 500 or status in (500, 502, 503):
                raise DeliveryError(str(error)) from error
            raise
        record = {"intent": intent, "text": text, "ts": clock.now()}
        await self.redis.set(self.keys.unrecorded(person_id), json.dumps(record),
                             ex=2 * 86400)

    async def delivered_since(self, person_id: str, intent: str, since: float) -> Optional[bool]:
        """Unknown once handed to a provider without an answer: never re-send."""
        raw = await self.redis.get(self.keys.unrecorded(person_id))
        if raw and json.loads(raw).get("ts", 0) >= since:
            return True
        return None


@dataclass
class WaveStats:
    """Counts of what the worker did (for logs and the benchmark)."""

    sent: int = 0
    skipped: Dict[str, int] = field(default_factory=dict)
    failed: int = 0
    missed: int = 0
    no_news: int = 0
    reminders: int = 0
    alerts: int = 0

    def skip(self, reason: str) -> None:
        """Count a skipped check-in."""
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


class Worker:
    """One scheduler worker (run as many as you like)."""

    def __init__(
        self,
        redis: Any,
        prefix: str,
        delivery: Any,
        settings: Optional[WorkerSettings] = None,
        now: Callable[[], float] = clock.now,
        name: str = "",
        alert_delivery: Optional["DirectDelivery"] = None,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.keys = Keys(prefix)
        self.delivery = delivery
        self.settings = settings or WorkerSettings()
        self.now = now
        self.token = name or f"{os.uname().nodename}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.pacer = Pacer(self.settings.rate_per_second, redis, f"{prefix}:rate:checkins")
        self.stats = WaveStats()
        self._alert_delivery = alert_delivery
        self._claim = redis.register_script(_CLAIM)
        self._complete = redis.register_script(_COMPLETE)

    # -- claims -----------------------------------------------------------------
    async def claim(self) -> List[Tuple[str, float]]:
        """Atomically lease a batch of due check-ins."""
        now = self.now()
        flat = await self._claim(
            keys=[self.keys.due, self.keys.leased, self.keys.lease_due,
                  self.keys.lease_owner],
            args=[now, now + self.settings.lease_seconds, self.settings.batch, self.token],
        )
        return [(_s(flat[i]), float(flat[i + 1])) for i in range(0, len(flat), 2)]

    async def complete(self, member: str, next_ts: Optional[float]) -> bool:
        """Release a lease we hold, scheduling the next occurrence."""
        done = await self._complete(
            keys=[self.keys.due, self.keys.leased, self.keys.lease_owner,
                  self.keys.lease_due],
            args=[member, self.token, "" if next_ts is None else repr(next_ts)],
        )
        return bool(done)

    # -- one batch ----------------------------------------------------------------
    async def tick(self) -> int:
        """Do one round: cases and alerts first, overdue answers, reminders, then
        one batch of check-ins."""
        await self.work_cases()
        await self.purge_once_a_day()
        await self.send_digest()
        await self.expire_unanswered()
        await self.send_reminders()
        await self.ask_consent()
        claimed = await self.claim()
        if not claimed:
            return 0
        # One round trip for what every decision needs.
        async with self.redis.pipeline(transaction=False) as pipe:
            for member, _due in claimed:
                person_id = member.rpartition("|")[0]
                pipe.hgetall(self.keys.person(person_id))
                pipe.exists(self.keys.takeover(person_id))
            found = await pipe.execute()
        people = []
        for index in range(len(claimed)):
            person = {_s(k): _s(v) for k, v in found[2 * index].items()}
            if person:
                person["_takeover"] = "1" if found[2 * index + 1] else ""
            people.append(person)
        semaphore = asyncio.Semaphore(self.settings.concurrency)

        async def one(item: Tuple[str, float], person: Dict[str, str]) -> None:
            async with semaphore:
                try:
                    await self.handle(item[0], item[1], person)
                except Exception:  # noqa: BLE001 - one person never stops the wave
                    self.stats.failed += 1
                    logger.exception("check-in %s failed; it will be retried",
                                     item[0].rpartition("|")[2])

        await asyncio.gather(*(one(item, person) for item, person in zip(claimed, people)))
        return len(claimed)

    def _planned(self, person: Dict[str, str], slot: str, due: float) -> Optional[float]:
        hhmm = person.get(slot) or ""
        if not hhmm:
            return None
        tz_name = person.get("timezone", "")
        return at_local(local_date(due, tz_name), hhmm, tz_name)

    def _next(self, person: Dict[str, str], slot: str, after: float) -> Optional[float]:
        hhmm = person.get(slot) or ""
        if not hhmm:
            return None
        return next_due(hhmm, person.get("timezone", ""), max(after, self.now()))

    async def handle(self, member: str, due: float, person: Dict[str, str]) -> str:
        """Decide, then send one check-in; return what happened."""
        person_id, _, slot = member.rpartition("|")
        now = self.now()
        if not person:
            await self.complete(member, None)
            self.stats.skip("unknown")
            return "unknown"
        planned = self._planned(person, slot, due)
        if planned is None:
            await self.complete(member, None)
            self.stats.skip("no_time")
            return "no_time"
        status = person.get("status", "")
        if status == "paused" and float(person.get("paused_until") or 0) <= now \
                and person.get("paused_until"):
            await self.redis.hset(self.keys.person(person_id), "status", "active")
            await self.redis.hdel(self.keys.person(person_id), "paused_until")
            status = "active"
        reason = None
        if status != "active":
            reason = status or "pending"
        elif person.get("_takeover") if "_takeover" in person else \
                await self.redis.exists(self.keys.takeover(person_id)):
            reason = "takeover"
        elif now - planned > self.settings.grace_seconds:
            reason = "late"
        elif in_quiet_hours(datetime.fromtimestamp(now, zone(person.get("timezone", "")))
                            .time(), self.settings.quiet_hours):
            reason = "quiet"
        if reason:
            await self.complete(member, self._next(person, slot, planned))
            self.stats.skip(reason)
            return reason
        if now < planned - 1:
            # The times changed while it was queued: put it back where it belongs.
            await self.complete(member, planned)
            self.stats.skip("early")
            return "early"
        day = local_date(planned, person.get("timezone", ""))
        key = self.keys.sent(person_id, slot, day.isoformat())
        intent = f"EXTERNAL_checkin_{slot}"
        # The scheduling clock, and the wall clock Rasa stamps its events with.
        mark = f"sending:{now:.3f}:{time.time():.3f}:{self.token}"
        if not await self.redis.set(key, mark, nx=True, ex=SENT_TTL):
            previous = _s(await self.redis.get(key))
            if previous.startswith("sent") or previous.endswith(f":{self.token}"):
                await self.complete(member, self._next(person, slot, planned))
                self.stats.skip("duplicate")
                return "duplicate"
            parts = previous.split(":", 3)
            since = float(parts[1]) if len(parts) == 4 else now
            wall_since = float(parts[2]) if len(parts) == 4 else time.time()
            if now < since + self.settings.settle_seconds:
                # A dead worker's request may still be running in Rasa: look at the
                # conversation only once it has surely finished or given up.
                await self.complete(member, since + self.settings.settle_seconds)
                self.stats.skip("settling")
                return "settling"
            delivered = await self.delivery.delivered_since(person_id, intent, wall_since)
            if delivered is not False:
                # Sent by a worker that died before saying so (or unknowable):
                # sending twice is worse than once.
                await self.redis.set(key, f"sent:{since:.3f}:recovered", ex=SENT_TTL)
                await self.complete(member, self._next(person, slot, planned))
                self.stats.skip("recovered")
                return "recovered"
            await self.redis.set(key, mark, ex=SENT_TTL)
        text, variant = await self._compose(person_id, person, slot, day)
        await self.pacer.wait()
        try:
            await self.delivery.send(person_id, person, intent, text)
        except DeliveryError as error:
            await self.redis.delete(key)
            await self.complete(member, min(now + self.settings.retry_seconds,
                                            planned + self.settings.grace_seconds + 1))
            self.stats.failed += 1
            logger.warning("check-in not delivered, retry later: %s", error)
            return "retry"
        sent_at = self.now()
        async with self.redis.pipeline(transaction=True) as pipe:
            # The last check-in still unanswered counts as missed (below).
            pipe.zrem(self.keys.awaiting, person_id)
            pipe.set(key, f"sent:{sent_at:.3f}", ex=SENT_TTL)
            pipe.hset(self.keys.person(person_id), mapping={
                f"last_variant_{slot}": str(variant),
                f"last_checkin_{slot}_day": day.isoformat(),
                "last_checkin_ts": f"{sent_at:.3f}",
                "last_checkin_slot": slot,
            })
            pipe.zadd(self.keys.awaiting,
                      {person_id: sent_at + self.settings.answer_window_seconds})
            next_ts = self._next(person, slot, planned)
            await self._complete(
                keys=[self.keys.due, self.keys.leased, self.keys.lease_owner,
                      self.keys.lease_due],
                args=[member, self.token, "" if next_ts is None else repr(next_ts)],
                client=pipe,
            )
            previous_unanswered = (await pipe.execute())[0]
        if previous_unanswered:
            await self._missed(person_id, person)
        self.stats.sent += 1
        return "sent"

    async def _compose(self, person_id: str, person: Dict[str, str], slot: str,
                       day: Any) -> Tuple[str, int]:
        yesterday = (day - timedelta(days=1)).isoformat()
        mood = None
        if person.get("mood_days"):  # only people who ever answered have a mood
            mood = _s(await self.redis.hget(self.keys.mood(person_id), yesterday)) or None
        last_day = person.get(f"last_checkin_{slot}_day", "")
        last = person.get(f"last_variant_{slot}", "")
        # Yesterday's variant is avoided, and (compose_remembered) any wording
        # the person got in the last week; a name they shared may come back.
        last_variant = int(last) if last.isdigit() and last_day == yesterday else None
        return await compose_remembered(self.redis, self.prefix, person_id, person, slot,
                                        day, mood, last_variant, self.now())

    # -- missed check-ins ---------------------------------------------------------
    async def expire_unanswered(self) -> int:
        """Check-ins whose answer window passed count as missed (once each)."""
        now = self.now()
        overdue = await self.redis.zrangebyscore(self.keys.awaiting, "-inf", now,
                                                 start=0, num=500)
        count = 0
        for raw in overdue:
            person_id = _s(raw)
            if await self.redis.zrem(self.keys.awaiting, person_id):
                person = {_s(k): _s(v) for k, v in
                          (await self.redis.hgetall(self.keys.person(person_id))).items()}
                await self._missed(person_id, person)
                count += 1
        return count

    async def _missed(self, person_id: str, person: Dict[str, str]) -> None:
        missed = await self.redis.hincrby(self.keys.person(person_id), "missed", 1)
        self.stats.missed += 1
        if missed >= self.settings.missed_threshold:
            await raise_no_news(self.redis, self.prefix, person_id, person,
                                f"missed:{missed}", self.now())
            self.stats.no_news += 1

    # -- consent at the first contact ------------------------------------------------
    async def ask_consent(self) -> int:
        """Someone new whose first messages did not lead to the consent question."""
        now = self.now()
        due = await self.redis.zrangebyscore(self.keys.consent_due, "-inf", now,
                                             start=0, num=100)
        count = 0
        for raw in due:
            person_id = _s(raw)
            if not await self.redis.zrem(self.keys.consent_due, person_id):
                continue
            person = {_s(k): _s(v) for k, v in
                      (await self.redis.hgetall(self.keys.person(person_id))).items()}
            local = datetime.fromtimestamp(now, zone(person.get("timezone", ""))).time()
            if person.get("status") != "pending" or person.get("consent_asked_ts"):
                continue
            if in_quiet_hours(local, self.settings.quiet_hours):
                await self.redis.zadd(self.keys.consent_due, {person_id: now + 3600})
                continue
            if await self.redis.exists(f"{self.prefix}:person:{person_id}:case"):
                continue  # someone in difficulty is not asked for paperwork now
            try:
                await self.rasa_delivery().send(person_id, person, "EXTERNAL_welcome", "")
            except DeliveryError:
                await self.redis.zadd(self.keys.consent_due, {person_id: now + 300})
                continue
            await self.redis.hset(self.keys.person(person_id), "consent_asked_ts",
                                  f"{now:.0f}")
            count += 1
        return count

    # -- call reminders -------------------------------------------------------------
    async def send_reminders(self) -> int:
        """Reminders due now: to the person (through Rasa) and to the volunteer."""
        from bot.calls.booking import send_reminder

        now = self.now()
        due = await self.redis.zrangebyscore(self.keys.reminders, "-inf", now,
                                             start=0, num=200)
        count = 0
        for raw in due:
            member = _s(raw)
            if await self.redis.zrem(self.keys.reminders, member):
                try:
                    await send_reminder(self.redis, self.prefix, member, self.delivery,
                                        now)
                    count += 1
                except Exception:  # noqa: BLE001 - a reminder never stops the worker
                    logger.exception("reminder %s not sent", member.split(":")[0])
        self.stats.reminders += count
        return count

    # -- the listener queue -----------------------------------------------------------
    async def work_cases(self) -> int:
        """Escalations become cases; due alerts go to the on-call roster."""
        from bot.safety import cases

        now = self.now()
        # No "group ready" flag: consume creates the group whenever it is missing
        # (a Redis restarted empty loses it; a cached flag would never see that).
        handled = await cases.consume(self.redis, self.prefix, self.token, now)
        await cases.expire_claims(self.redis, self.prefix, now)
        await cases.raise_unanswered_questions(self.redis, self.prefix, now,
                                               self.settings.watch_answer_seconds)
        keys = cases.CaseKeys(self.prefix)
        alert_keys = [keys.alerts("due"), keys.alerts("leased"), keys.alerts("lease_due"),
                      keys.alerts("lease_owner")]
        flat = await self._claim(keys=alert_keys,
                                 args=[now, now + self.settings.lease_seconds, 50, self.token])
        for index in range(0, len(flat), 2):
            member = _s(flat[index])
            try:
                # Schedules the next tier itself: at the ladder's delay, or at once
                # when this page reached nobody.
                page = await cases.send_alert(self.redis, self.prefix, member,
                                              self.alert_output(), now)
            except Exception:  # noqa: BLE001 - retried when the lease expires
                logger.exception("alert %s not sent; retried after the lease", member)
                continue
            if page.failed:
                # Left leased: once the lease passes, the recipients the providers
                # refused are paged again (those reached are not).
                logger.error("alert %s: %d recipient(s) refused by the providers; "
                             "tried again after the lease", member, page.failed)
                continue
            await self._complete(keys=[alert_keys[0], alert_keys[1], alert_keys[3],
                                       alert_keys[2]], args=[member, self.token, ""])
            self.stats.alerts += 1
            handled += 1
        return handled

    async def purge_once_a_day(self) -> int:
        """The retention purge, by one worker a day (RETENTION_DAYS, default 90)."""
        from bot.people.privacy import purge_expired

        if self.settings.retention_days <= 0:
            return 0
        if not await self.redis.set(f"{self.prefix}:purge:daily", self.token, nx=True,
                                    ex=86400):
            return 0
        erased = await purge_expired(self.redis, self.prefix, self.now(),
                                     self.settings.retention_days)
        if erased:
            logger.warning("retention purge: %d person(s) erased", len(erased))
        return len(erased)

    async def send_digest(self) -> int:
        """The referents' daily digest of watch cases, by one worker a day."""
        from bot.safety.digest import send_daily

        try:
            return await send_daily(self.redis, self.prefix, self.alert_output(),
                                     self.now(), self.token, self.settings.lease_seconds)
        except Exception:  # noqa: BLE001 - finished by the next worker after the lease
            logger.exception("daily digest not finished; taken up after the lease")
            return 0

    def rasa_delivery(self) -> Any:
        """What only Rasa can say (a domain response with buttons) goes through Rasa."""
        if not isinstance(self.delivery, DirectDelivery):
            return self.delivery
        if getattr(self, "_rasa", None) is None:
            from bot.core.config import load_settings

            self._rasa = RasaDelivery(load_settings().rasa_url,
                                      os.environ.get("RASA_TOKEN", ""))
        return self._rasa

    def alert_output(self) -> "DirectDelivery":
        """Alerts go straight to the providers, whatever the check-in delivery."""
        if isinstance(self.delivery, DirectDelivery):
            return self.delivery
        if self._alert_delivery is None:
            self._alert_delivery = DirectDelivery(self.redis, self.prefix)
        return self._alert_delivery

    # -- loop -----------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set; idle rounds end early when an escalation lands."""
        while not stop.is_set():
            try:
                # Noted before the round: an entry added during it ends the wait.
                since: Optional[str] = await self.last_escalation_id()
            except Exception:  # noqa: BLE001 - Redis blips: the round logs them
                since = None
            try:
                handled = await self.tick()
            except Exception:  # noqa: BLE001 - Redis blips: log, wait, go on
                logger.exception("worker round failed")
                handled = 0
            if not handled:
                await self.idle(stop, since)

    async def last_escalation_id(self) -> str:
        """The id of the newest escalation in the stream ("0-0" when there is none)."""
        newest = await self.redis.xrevrange(EscalationKeys(self.prefix).stream, count=1)
        return _s(newest[0][0]) if newest else "0-0"

    async def idle(self, stop: asyncio.Event, since: Optional[str]) -> None:
        """Wait ``poll_seconds``, or less: until ``stop``, or an escalation after ``since``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.poll_seconds
        stopped = asyncio.ensure_future(stop.wait())
        try:
            while since is not None and not stop.is_set():
                left = deadline - loop.time()
                if left <= 0:
                    return
                # Short blocks stay under the client's socket timeout (10 s in serve).
                block_ms = max(1, int(min(left, MAX_BLOCK_SECONDS) * 1000))
                read = asyncio.ensure_future(self.redis.xread(
                    {EscalationKeys(self.prefix).stream: since}, count=1, block=block_ms))
                await asyncio.wait({read, stopped}, return_when=asyncio.FIRST_COMPLETED)
                if not read.done():
                    read.cancel()  # redis-py drops the connection of a cancelled read
                    return
                try:
                    if read.result():
                        return
                except Exception:  # noqa: BLE001 - Redis blip: plain wait below
                    logger.warning("waiting for escalations failed; plain wait")
                    break
            left = deadline - loop.time()
            if left > 0 and not stop.is_set():
                await asyncio.wait({stopped}, timeout=left)
        finally:
            stopped.cancel()


async def raise_no_news(redis: Any, prefix: str, person_id: str, person: Dict[str, str],
                        why: str, now: float) -> Optional[str]:
    """Open a ``no_news`` case (level watch) for the referent, once per episode."""
    keys = Keys(prefix)
    episode = f"{now:.0f}"
    if not await redis.hsetnx(keys.person(person_id), "no_news_episode", episode):
        return None
    escalation = Escalation(
        sender_id=person_id, category="no_news", level="watch",
        channel=person.get("channel", ""), source="checkin", intent="",
        message_id=f"no_news:{episode}", text="", recorded_by="worker",
        pattern=why, created_ts=now,
    )
    _, escalation_id = await record_escalation(redis, escalation, prefix)
    await redis.hset(keys.person(person_id), "no_news_id", escalation_id)
    await redis.hset(EscalationKeys(prefix).record(escalation_id), "referent",
                     person.get("referent", ""))
    return escalation_id


async def clear_no_news(redis: Any, prefix: str, person_id: str, now: float) -> bool:
    """An answer: reset the missed count and clear an open ``no_news`` case."""
    keys = Keys(prefix)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zrem(keys.awaiting, person_id)
        pipe.hget(keys.person(person_id), "no_news_id")
        pipe.hdel(keys.person(person_id), "no_news_episode", "no_news_id")
        pipe.hset(keys.person(person_id), mapping={"missed": "0",
                                                  "last_answer_ts": f"{now:.3f}"})
        _, escalation_id, _, _ = await pipe.execute()
    if escalation_id:
        record = EscalationKeys(prefix).record(_s(escalation_id))
        if _s(await redis.hget(record, "status")) == "pending":
            await redis.hset(record, mapping={"status": "cleared",
                                              "cleared_ts": f"{now:.3f}",
                                              "cleared_by": "answer"})
        return True
    return False


def rss_kib() -> int:
    """Resident memory of this process (KiB)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def install_fast_loop() -> None:
    """uvloop (already installed with Sanic) when available: about twice the speed."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is pinned, but stay portable
        return
    uvloop.install()


def make_delivery(settings: WorkerSettings, redis: Any, prefix: str) -> Any:
    """The delivery the settings ask for."""
    if settings.delivery == "direct":
        return DirectDelivery(redis, prefix)
    from bot.core.config import load_settings

    return RasaDelivery(load_settings().rasa_url, os.environ.get("RASA_TOKEN", ""))


async def serve(redis_url: str, prefix: str, settings: WorkerSettings,
                workers: int = 1) -> None:
    """Run ``workers`` workers in this process until SIGTERM or SIGINT."""
    import redis.asyncio as aioredis

    from bot.safety.cases import RosterError, roster, roster_path
    from bot.core.wording import say

    try:
        # Never start paging from a roster with a typo: it would page nobody, or a
        # stranger. (Once running, a bad edit is refused and the last good one kept.)
        roster()
    except RosterError as error:
        raise SystemExit(say("roster.refused_at_start", path=roster_path(), why=error)) from error
    redis = aioredis.from_url(redis_url, socket_timeout=10)
    delivery = make_delivery(settings, redis, prefix)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if hasattr(delivery, "warm"):
        await delivery.warm()
    # Alerts go straight to the providers: their clients are made now, not when
    # the first risk comes in (that first import and set-up took about a second).
    alerts = delivery if isinstance(delivery, DirectDelivery) else \
        DirectDelivery(redis, prefix)
    if alerts is not delivery:
        await alerts.warm()
    print(say("worker.started", mode=settings.delivery, workers=workers,
              batch=settings.batch), flush=True)
    try:
        await asyncio.gather(*(Worker(redis, prefix, delivery, settings,
                                      alert_delivery=alerts).run(stop)
                               for _ in range(workers)))
    finally:
        await delivery.close()
        if alerts is not delivery:
            await alerts.close()
        await redis.close()


def reminder_text(kind: str, person: Dict[str, str], **values: Any) -> str:
    """The wording of a call reminder (bot/resources/checkins_fr.yml)."""
    words = wording()["reminders"]
    if kind == "person":
        template = words["person"]["tu" if person.get("register") == "tu" else "vous"]
        return template.format(name=name_part(person.get("first_name", "")), **values)
    return words[kind].format(**values)


def local_hhmm(ts: float, tz_name: str) -> str:
    """"14h30" in the person's timezone."""
    moment = datetime.fromtimestamp(ts, zone(tz_name))
    return f"{moment.hour}h{moment.minute:02d}" if moment.minute else f"{moment.hour}h"


__all__ = ["Worker", "WorkerSettings", "RasaDelivery", "DirectDelivery", "serve",
           "raise_no_news", "clear_no_news", "rss_kib", "dtime"]
