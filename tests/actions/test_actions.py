"""Custom actions with rasa-sdk's CollectingDispatcher, against the real Redis."""

from __future__ import annotations

import uuid

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.consent import ActionOptIn, ActionOptOut
from actions.conversation import ActionAnswerHumanOffer, ActionFallback
from actions.escalation import ActionEscalate, ActionRequestHuman
from actions.needs import ActionOrientNeed, service_for


def _tracker(intent="greet", text="bonjour", slots=None, events=None, entities=None):
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "message_id": uuid.uuid4().hex,
    }
    user_event = {"event": "user", "text": text, "parse_data": message,
                  "input_channel": "rest"}
    return Tracker(
        sender_id=f"test:{uuid.uuid4().hex[:10]}",
        slots=slots or {},
        latest_message=message,
        events=(events or []) + [user_event],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def _responses(dispatcher):
    return [m.get("response") for m in dispatcher.messages]


async def test_escalate_records_a_risk_message(sync_redis, prefix):
    tracker = _tracker(
        "risk_suicide", "jveux en finir",
        entities=[{"entity": "risk_level", "value": "critical", "source": "lexicon",
                   "pattern": "suicide_en_finir"}],
    )
    dispatcher = CollectingDispatcher()
    events = await ActionEscalate().run(dispatcher, tracker, {})
    (slot,) = events
    assert slot["event"] == "slot" and slot["name"] == "last_escalation_id"
    record = sync_redis.hgetall(f"{prefix}:escalation:{slot['value']}")
    assert record["sender_id"] == tracker.sender_id
    assert record["category"] == "suicide" and record["level"] == "critical"
    assert record["channel"] == "rest" and record["recorded_by"] == "action"
    assert record["text"] == "jveux en finir"
    # The response with the number is Rasa's own (utter_risk_*): nothing here.
    assert dispatcher.messages == []
    # A retry of the same message writes nothing new.
    again = await ActionEscalate().run(CollectingDispatcher(), tracker, {})
    assert again == events
    assert sync_redis.zcard(f"{prefix}:person:{tracker.sender_id}:escalations") == 1


async def test_request_human_records_a_request(sync_redis, prefix):
    tracker = _tracker("request_human", "je voudrais parler a quelqu un")
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHuman().run(dispatcher, tracker, {})
    assert _responses(dispatcher) == ["utter_request_human"]
    record = sync_redis.hgetall(f"{prefix}:escalation:{events[0]['value']}")
    assert record["category"] == "human_request" and record["level"] == "request"


def _fallback_event():
    return {"event": "user", "text": "??",
            "parse_data": {"intent": {"name": "nlu_fallback"}}}


async def test_fallback_offers_a_human_after_two_misunderstandings(sync_redis, prefix):
    once = _tracker("nlu_fallback", "gloubi", events=[])
    dispatcher = CollectingDispatcher()
    assert await ActionFallback().run(dispatcher, once, {}) == []
    assert _responses(dispatcher) == ["utter_fallback"]

    twice = _tracker("nlu_fallback", "boulga", events=[_fallback_event()])
    dispatcher = CollectingDispatcher()
    assert await ActionFallback().run(dispatcher, twice, {}) == []
    assert _responses(dispatcher) == ["utter_offer_human"]
    ids = sync_redis.zrange(f"{prefix}:person:{twice.sender_id}:escalations", 0, -1)
    assert len(ids) == 1
    assert sync_redis.hget(f"{prefix}:escalation:{ids[0]}", "category") == "misunderstood"

    understood_between = _tracker(
        "nlu_fallback", "zut",
        events=[_fallback_event(),
                {"event": "user", "parse_data": {"intent": {"name": "greet"}}}],
    )
    dispatcher = CollectingDispatcher()
    await ActionFallback().run(dispatcher, understood_between, {})
    assert _responses(dispatcher) == ["utter_fallback"]


@pytest.mark.parametrize(
    "intent, response",
    [("need_food", "utter_need_food"), ("need_medication", "utter_need_medication"),
     ("need_money", "utter_need_money"), ("need_scam", "utter_need_scam")],
)
async def test_orientation_uses_the_national_services(intent, response):
    dispatcher = CollectingDispatcher()
    await ActionOrientNeed().run(dispatcher, _tracker(intent, "..."), {})
    (message,) = dispatcher.messages
    assert message["response"] == response
    assert message["service_name"] and message["service_phone"]


def test_territory_overrides_and_falls_back():
    # Issue 11: the lockdown-era Croix-Rouge line is no longer the food answer.
    assert service_for("food", None)["name"] == "le CCAS"
    assert service_for("money", "75")["phone"] == "39 75"
    assert service_for("money", "75011")["phone"] == "39 75"
    assert service_for("housing", "75")["phone"] == "115"
    assert service_for("money", "../etc")["name"] == "le CCAS"
    assert service_for("money", "unknown")["name"] == "le CCAS"


async def test_opt_out_then_in(sync_redis, prefix):
    tracker = _tracker("opt_out", "STOP")
    dispatcher = CollectingDispatcher()
    await ActionOptOut().run(dispatcher, tracker, {})
    assert _responses(dispatcher) == ["utter_opt_out"]
    assert sync_redis.hget(f"{prefix}:person:{tracker.sender_id}", "status") == "opted_out"
    await ActionOptIn().run(CollectingDispatcher(), tracker, {})
    assert sync_redis.hget(f"{prefix}:person:{tracker.sender_id}", "status") == "active"


async def test_yes_after_the_offer_books_a_human(sync_redis, prefix):
    offered = _tracker("affirm", "oui", events=[_fallback_event(), _fallback_event()])
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerHumanOffer().run(dispatcher, offered, {})
    assert _responses(dispatcher) == ["utter_request_human"]
    assert events[-1] == FollowupAction("call_form")
    record = sync_redis.hgetall(f"{prefix}:escalation:{events[0]['value']}")
    assert record["category"] == "human_request"

    not_offered = _tracker("affirm", "oui", events=[_fallback_event()])
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerHumanOffer().run(dispatcher, not_offered, {}) == []
    assert _responses(dispatcher) == ["utter_affirm_generic"]


async def test_opt_out_is_confirmed_once(sync_redis, prefix):
    tracker = _tracker("opt_out", "STOP")
    first, second = CollectingDispatcher(), CollectingDispatcher()
    await ActionOptOut().run(first, tracker, {})
    await ActionOptOut().run(second, tracker, {})
    assert _responses(first) == ["utter_opt_out"]
    assert second.messages == []


async def test_stop_calls_off_the_booked_call_too(sync_redis, prefix):
    from actions.common import get_redis
    from bot.calls.booking import book_call
    from bot.core import clock

    tracker = _tracker("opt_out", "STOP")
    at = clock.now() + 2 * 86400
    await book_call(get_redis(), prefix, tracker.sender_id, at, "après-demain", clock.now())
    call_id = sync_redis.hget(f"{prefix}:person:{tracker.sender_id}", "next_call_id")
    assert call_id
    dispatcher = CollectingDispatcher()
    await ActionOptOut().run(dispatcher, tracker, {})
    assert _responses(dispatcher) == ["utter_opt_out", "utter_opt_out_call_cancelled"]
    assert dispatcher.messages[1]["call_when"]
    assert sync_redis.hget(f"{prefix}:call:{call_id}", "status") == "cancelled"
    assert not sync_redis.hget(f"{prefix}:person:{tracker.sender_id}", "next_call_id")
    # a second STOP: nothing left to say
    again = CollectingDispatcher()
    await ActionOptOut().run(again, tracker, {})
    assert again.messages == []


def _said_before(text, *after):
    """The events of a message, then what the bot did with it."""
    return [{"event": "user", "text": text, "parse_data": {"intent": {"name": "cancel_call"}}},
            *after, {"event": "action", "name": "action_listen"}]


def test_a_cancellation_with_no_call_booked_hides_no_earlier_day():
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from actions.calls import previous_moment

    now = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris")).timestamp()
    no_call = [{"event": "action", "name": "action_cancel_call"},
               {"event": "bot", "text": "...", "metadata": {"utter_action": "utter_no_call"}}]
    tracker = _tracker("schedule_call", "rappelez-moi ce jour-là vers 16h", events=_said_before(
        "j'ai le dentiste mardi à 10h", *no_call))
    earlier = previous_moment(tracker, now, "Europe/Paris")
    assert earlier is not None and earlier.day == date(2026, 12, 8)
    # a call really called off: the moment before it is not carried over
    called_off = [{"event": "action", "name": "action_cancel_call"},
                  {"event": "bot", "text": "...",
                   "metadata": {"utter_action": "utter_call_cancelled"}}]
    tracker = _tracker("schedule_call", "rappelez-moi ce jour-là vers 16h", events=_said_before(
        "j'ai le dentiste mardi à 10h", *called_off))
    assert previous_moment(tracker, now, "Europe/Paris") is None
    # a cancellation in so many words stays one, booked call or not
    tracker = _tracker("schedule_call", "à 16h", events=_said_before(
        "annulez mardi 10h", *no_call))
    assert previous_moment(tracker, now, "Europe/Paris") is None
