"""The booking conversations: talked through with the actions, the call read from the store."""

from __future__ import annotations

import logging
import sys
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

from actions import common
from actions.common import get_redis, person_key
from bot.core import clock
from bot.core.keys import CallKeys
from bot.people.registry import zone
from tools.evaluation.common import Driver, Rate

# -- booking the next call (issue 11, item 3) ---------------------------------------
# "Today" of the booking sets (tests/eval/README.md): Thursday 3 December 2026, in
# Paris; 10:00 so that "ce soir" and "cet après-midi" are still ahead.
BOOKING_REFERENCE = "2026-12-03T10:00:00+01:00"


BOOKING_TZ = "Europe/Paris"


BOOKING_GATES = {"right": 0.95, "cancelled": 1.0, "refused_max": 0}


@dataclass
class BookingOutcome:
    """How one booking conversation ended: the call booked (local time), if any."""

    booked: Optional[Any] = None  # an aware datetime in the person's timezone
    offered: bool = True  # for "start: offer": whether the bot did offer the call


@dataclass
class BookingReport:
    """Booked at the right day and hour, cancellations honoured, refused hours."""

    right: Rate = field(default_factory=Rate)
    cancelled: Rate = field(default_factory=Rate)
    nothing: Rate = field(default_factory=Rate)
    refused: int = 0
    misses: List[str] = field(default_factory=list)


def judge_booking(item: Dict[str, Any], outcome: BookingOutcome) -> Tuple[bool, bool]:
    """(as expected, booked at a refused hour) for one conversation."""
    booked = outcome.booked
    at_refused = booked is not None and booked.strftime("%H:%M") in (item.get("not_at") or [])
    expect = item.get("expect")
    if expect == "booked":
        right = booked is not None and outcome.offered \
            and (not item.get("day") or booked.date().isoformat() == item["day"]) \
            and (not item.get("time") or booked.strftime("%H:%M") == item["time"])
    else:  # "cancelled" or "none": no call ahead at the end
        right = booked is None and outcome.offered
    return right and not at_refused, at_refused


async def score_booking(driver: Any, items: Iterable[Dict[str, Any]]) -> BookingReport:
    """Each conversation end to end (``driver.converse(item)``), judged on the store."""
    report = BookingReport()
    for item in items:
        try:
            outcome = await driver.converse(item)
        except Exception as error:  # noqa: BLE001 - one broken conversation is a miss
            logging.getLogger(__name__).error("booking conversation failed: %s",
                                              type(error).__name__)
            outcome = BookingOutcome(booked=None, offered=False)
        right, at_refused = judge_booking(item, outcome)
        expect = item.get("expect")
        {"booked": report.right, "cancelled": report.cancelled}.get(
            expect, report.nothing).add(right)
        report.refused += int(at_refused)
        if not right:
            got = outcome.booked.strftime("%Y-%m-%d %H:%M") if outcome.booked else "nothing"
            if not outcome.offered:
                got += " (the call was never offered)"
            report.misses.append(
                f"BOOKING {item.get('id')} [{item.get('kind')}] expect={expect} "
                f"{item.get('day') or ''} {item.get('time') or ''} got={got} :: "
                + " | ".join(item.get("turns") or []))
    return report


def print_booking(half: str, report: BookingReport) -> None:
    """The booking figures of one half (never its lines)."""
    print(f"  booking conversations, {half} half: booked at the right day and hour "
          f"{report.right}, cancellations honoured {report.cancelled}, nothing booked "
          f"when nothing was asked {report.nothing}, booked at a refused hour "
          f"{report.refused}")


def booking_gate_failures(report: BookingReport) -> List[str]:
    """Which of the booking gates a half fails."""
    failures = []
    if report.right.n and report.right.value < BOOKING_GATES["right"]:
        failures.append(f"bookings right {report.right.value:.3f} < {BOOKING_GATES['right']}")
    if report.cancelled.n and report.cancelled.value < BOOKING_GATES["cancelled"]:
        failures.append(f"cancellations honoured {report.cancelled.value:.3f} < 1.0")
    if report.refused > BOOKING_GATES["refused_max"]:
        failures.append(f"{report.refused} booking(s) at a refused hour")
    return failures


class InProcessActions:
    """An action endpoint that runs the project's actions in this process.

    Rasa's RemoteAction calls ``request(json=...)``; rasa-sdk's executor answers
    as the action server would (a rejection becomes Rasa's own).
    """

    def __init__(self) -> None:
        """Register the actions package."""
        from rasa_sdk.executor import ActionExecutor

        self.url = "in-process"
        self.kwargs: Dict[str, Any] = {}
        self.executor = ActionExecutor()
        self.executor.register_package("actions")

    async def request(self, method: str = "post", subpath: Optional[str] = None,
                      content_type: Optional[str] = "application/json",
                      compress: bool = False, **kwargs: Any) -> Any:
        """Run the action the JSON body names."""
        from rasa.core.actions.action import ActionExecutionRejection
        from rasa_sdk.interfaces import ActionExecutionRejection as SdkRejection

        body = kwargs.get("json") or {}
        try:
            return await self.executor.run(body)
        except SdkRejection as error:
            raise ActionExecutionRejection(error.action_name, error.message) from error


class BookingConversations:
    """Talks to the loaded model, actions included, on the reference date's clock.

    The actions run in process with their own key prefix in Redis (``REDIS_URL``,
    or the local one), erased at the end; the booked call is read from the store.
    """

    def __init__(self, driver: Driver) -> None:
        """Reuse the loaded agent."""
        self.driver = driver
        self.prefix = f"lieneval{uuid.uuid4().hex[:8]}"

    async def __aenter__(self) -> "BookingConversations":
        """Clock on the reference date, eval key prefix, actions in process."""
        import importlib
        import os


        await get_redis().ping()  # no Redis: not scored (said so), nothing changed
        self._env = {k: os.environ.get(k) for k in ("LIEN_CLOCK_START", "LIEN_KEY_PREFIX")}
        os.environ["LIEN_CLOCK_START"] = BOOKING_REFERENCE
        os.environ["LIEN_KEY_PREFIX"] = self.prefix
        importlib.reload(clock)

        self._settings = common.SETTINGS
        evaluation = common.load_settings()
        for module in list(sys.modules.values()):
            if getattr(module, "SETTINGS", None) is self._settings:
                module.SETTINGS = evaluation
        endpoint = InProcessActions()
        agent = self.driver.agent
        self._endpoints = (agent.action_endpoint, agent.processor.action_endpoint)
        agent.action_endpoint = agent.processor.action_endpoint = endpoint
        return self

    async def __aexit__(self, *exc: Any) -> None:
        """Erase the eval's keys; give the clock, the prefix and the agent back."""
        import importlib
        import os


        redis = common.get_redis()
        async for key in redis.scan_iter(match=f"{self.prefix}:*", count=1000):
            await redis.delete(key)
        for name, value in self._env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        importlib.reload(clock)
        evaluation = common.SETTINGS
        for module in list(sys.modules.values()):
            if getattr(module, "SETTINGS", None) is evaluation:
                module.SETTINGS = self._settings
        agent = self.driver.agent
        agent.action_endpoint, agent.processor.action_endpoint = self._endpoints

    async def converse(self, item: Dict[str, Any]) -> BookingOutcome:
        """A registered person; after the offer of a call if asked; then the turns."""
        from datetime import datetime


        # Each conversation starts at the reference moment, as its writer assumed
        # ("dans deux heures" at 10:00 is 12:00, however long the earlier ones took).
        clock.restart()
        sender = f"eval:{uuid.uuid4().hex[:12]}"
        redis = get_redis()
        await redis.hset(person_key(sender), mapping={
            "status": "active", "timezone": BOOKING_TZ, "channel": "rest"})
        offered = True
        if item.get("start") == "offer":
            await self.driver.agent.handle_text("/goodbye", sender_id=sender)
            tracker = await self.driver._tracker(sender)
            offered = any(e.type_name == "bot" and (e.metadata or {}).get("utter_action")
                          == "utter_goodbye_offer_call" for e in tracker.events)
        for text in item.get("turns") or []:
            await self.driver.agent.handle_text(text, sender_id=sender)
        call_id = await redis.hget(person_key(sender), "next_call_id")
        booked = None
        if call_id:
            call = await redis.hgetall(CallKeys(self.prefix).call(call_id.decode()))
            if call.get(b"status") == b"booked":
                booked = datetime.fromtimestamp(float(call[b"at_ts"]), zone(BOOKING_TZ))
        return BookingOutcome(booked=booked, offered=offered)
