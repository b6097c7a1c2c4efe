"""Booking the next call: the form's actions, volunteers, reminders, the day's plan."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.calls import ActionBookCall, ActionCancelCall
from bot.core import clock
from bot.core.french_time import spoken
from bot.calls.booking import (
    CallKeys, available_at, book_call, cancel_call, choose_volunteer, day_plan,
    falling_mood, import_volunteers, parse_availability, read_volunteers, render_plan,
)
from tests.support.paths import ROOT

PARIS = ZoneInfo("Europe/Paris")
ALWAYS = "lun-dim 08:00-21:00"


def _tracker(sender, intent="schedule_call", text="", slots=None):
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0},
               "entities": [], "message_id": uuid.uuid4().hex}
    return Tracker(sender_id=sender, slots=slots or {}, latest_message=message,
                   events=[{"event": "user", "text": text, "parse_data": message,
                            "input_channel": "rest"}],
                   paused=False, followup_action=None, active_loop={"name": "call_form"},
                   latest_action_name="action_listen")


def _sender() -> str:
    return f"test:{uuid.uuid4().hex[:10]}"


def _tomorrow_at(hour: int) -> datetime:
    now = datetime.fromtimestamp(clock.now(), PARIS)
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time(),
                            PARIS).replace(hour=hour)


@pytest.mark.parametrize("spec, ok", [
    ("lun-ven 09:00-17:00", True), ("sam 10h00-12h00; dim 14:00-16:00", True),
    ("lun,mer,ven 09:00-12:00", True), ("ven-lun 09:00-12:00", True),
    ("tous les jours", False), ("lun 17:00-09:00", False), ("xyz 09:00-10:00", False),
    ("", False)])
def test_availability_specs(spec, ok):
    assert (parse_availability(spec) is not None) == ok


def test_availability_at_a_moment():
    volunteer = {"availability": "lun-ven 09:00-12:00", "timezone": "Europe/Paris"}
    monday_10 = datetime(2026, 11, 30, 10, 0, tzinfo=PARIS).timestamp()
    assert available_at(volunteer, monday_10)
    assert not available_at(volunteer, monday_10 + 3 * 3600)
    assert not available_at(volunteer, monday_10 - 2 * 86400)  # Saturday
    assert not available_at(dict(volunteer, active="0"), monday_10)


async def _volunteers(redis, prefix, *rows):
    await import_volunteers(redis, prefix, [
        {"id": vid, "name": name, "phone": phone, "telegram": "", "availability": avail,
         "max_calls_per_day": "6", "timezone": "Europe/Paris", "active": "1"}
        for vid, name, phone, avail in rows])


@pytest.fixture
async def world(redis_client):
    prefix = f"{uuid.uuid4().hex[:8]}c"
    yield redis_client, prefix
    async for key in redis_client.scan_iter(match=f"{prefix}:*", count=1000):
        await redis_client.delete(key)


async def test_the_same_volunteer_as_last_time_when_free(world):
    redis, prefix = world
    await _volunteers(redis, prefix, ("ana", "Ana B", "+33620000001", ALWAYS),
                      ("bob", "Bob C", "+33620000002", ALWAYS))
    at = _tomorrow_at(14).timestamp()
    person = "sms:+33614000001"
    first = await book_call(redis, prefix, person, at, "demain 14h", clock.now())
    # Bob gets a lighter load: Ana would not be "least loaded" any more...
    await book_call(redis, prefix, "sms:+33614000002", at + 3600, "x", clock.now())
    await book_call(redis, prefix, "sms:+33614000003", at + 7200, "x", clock.now())
    again = await book_call(redis, prefix, person, at + 86400, "après", clock.now())
    assert again.volunteer_id == first.volunteer_id  # ...but the relationship wins


async def test_otherwise_the_least_loaded_available_one(world):
    redis, prefix = world
    await _volunteers(redis, prefix, ("ana", "Ana", "+33620000001", ALWAYS),
                      ("bob", "Bob", "+33620000002", ALWAYS),
                      ("eve", "Eve", "+33620000003", "sam 08:00-09:00"))
    at = _tomorrow_at(10).timestamp()
    first = await book_call(redis, prefix, "sms:+33614000010", at, "x", clock.now())
    second = await book_call(redis, prefix, "sms:+33614000011", at, "x", clock.now())
    assert {first.volunteer_id, second.volunteer_id} == {"ana", "bob"}  # never both at once
    third = await book_call(redis, prefix, "sms:+33614000012", at, "x", clock.now())
    assert third.volunteer_id is None  # everyone is busy at 10:00: the team takes it
    assert await choose_volunteer(redis, prefix, {}, at + 4 * 3600) in {"ana", "bob"}


async def test_booking_schedules_reminders_and_cancelling_removes_them(world):
    redis, prefix = world
    await _volunteers(redis, prefix, ("ana", "Ana", "+33620000001", ALWAYS))
    keys = CallKeys(prefix)
    at = _tomorrow_at(15).timestamp()
    person = "sms:+33614000020"
    booking = await book_call(redis, prefix, person, at, "demain 15h", clock.now(),
                              reminder_minutes=60)
    reminders = {m.decode(): s for m, s in
                 await redis.zrange(keys.reminders, 0, -1, withscores=True)}
    assert reminders == {f"call:{booking.call_id}:person": at - 3600,
                         f"call:{booking.call_id}:volunteer": at - 3600}
    cancelled = await cancel_call(redis, prefix, person, clock.now())
    assert cancelled["volunteer"] == "ana"
    reminders = [m.decode() for m in await redis.zrange(keys.reminders, 0, -1)]
    assert reminders == [f"call:{booking.call_id}:cancelled"]  # the volunteer is told
    assert await redis.zcard(keys.volunteer_calls("ana")) == 0
    assert await cancel_call(redis, prefix, person, clock.now()) is None


# The form itself (whole messages, context, yes/no, calling off): test_booking_form.py


async def test_book_then_cancel_through_the_actions(sync_redis, prefix):
    import redis.asyncio as aioredis

    client = aioredis.from_url("redis://127.0.0.1:6379/0")
    await _volunteers(client, prefix, ("zoe", "Zoé Martin", "+33620000009", ALWAYS))
    await client.close()
    sender = _sender()
    at = _tomorrow_at(11)
    dispatcher = CollectingDispatcher()
    events = await ActionBookCall().run(dispatcher, _tracker(
        sender, slots={"call_at": at.isoformat(), "call_time": "demain 11h"}), {})
    message = dispatcher.messages[0]
    assert message["response"] in ("utter_call_booked", "utter_call_booked_team")
    assert message["call_when"] == spoken(at, clock.now(), full=True)
    assert message["call_when"].startswith("demain, ") and message["call_when"].endswith(
        " à 11h")
    if message["response"] == "utter_call_booked":
        assert message["volunteer"] in ("Zoé",) or message["volunteer"]
    assert {e["name"] for e in events} == {"call_time", "call_at", "call_proposal",
                                           "call_issue"}
    call_id = sync_redis.hget(f"{prefix}:person:{sender}", "next_call_id")
    call = sync_redis.hgetall(f"{prefix}:call:{call_id}")
    assert call["status"] == "booked" and float(call["at_ts"]) == at.timestamp()
    cancel = CollectingDispatcher()
    events = await ActionCancelCall().run(
        cancel, _tracker(sender, "cancel_call", "je ne pourrai pas"), {})
    assert events[-1] == FollowupAction("call_form")  # another moment is asked
    assert cancel.messages[0]["response"] == "utter_call_cancelled"
    assert cancel.messages[0]["call_when"] == "demain à 11h"
    assert sync_redis.hget(f"{prefix}:call:{call_id}", "status") == "cancelled"
    # the call called off is the context of a new request soon after ("même heure")
    from actions.calls import _booked_context

    context = await _booked_context(sender, "Europe/Paris")
    assert (context.day, context.hour.strftime("%H:%M")) == (at.date(), "11:00")
    nothing = CollectingDispatcher()
    await ActionCancelCall().run(nothing, _tracker(sender, "cancel_call", "annuler"), {})
    assert nothing.messages[0]["response"] == "utter_no_call"


def test_falling_mood():
    day = date(2026, 11, 25)
    moods = {"2026-11-19": "good", "2026-11-20": "good", "2026-11-24": "bad",
             "2026-11-25": "bad"}
    assert falling_mood(moods, day)
    assert not falling_mood({"2026-11-25": "good", "2026-11-20": "bad"}, day)
    assert not falling_mood({}, day)


async def test_the_plan_orders_risk_then_silence_then_mood_then_time(world):
    from bot.safety.escalation import Escalation, record_escalation

    redis, prefix = world
    await _volunteers(redis, prefix, ("ana", "Ana", "+33620000001", ALWAYS))
    day = _tomorrow_at(9).date()
    people = {}
    for index, (name, hour) in enumerate((("Calme", 9), ("Risque", 16), ("Silence", 14),
                                          ("Triste", 11))):
        person = f"sms:+3361500{index:04d}"
        people[name] = person
        await redis.hset(CallKeys(prefix).person(person), mapping={"first_name": name})
        await book_call(redis, prefix, person, _tomorrow_at(hour).timestamp(), "", clock.now())
    await record_escalation(redis, Escalation(sender_id=people["Risque"], category="suicide",
                                              level="critical"), prefix)
    await redis.hset(CallKeys(prefix).person(people["Silence"]), "missed", "2")
    await redis.hset(CallKeys(prefix).mood(people["Triste"]),
                     mapping={(day - timedelta(days=1)).isoformat(): "bad",
                              day.isoformat(): "bad"})
    lines = await day_plan(redis, prefix, day)
    assert [line.first_name for line in lines] == ["Risque", "Silence", "Triste", "Calme"]
    table = render_plan(lines, day, as_csv=False)
    assert "Ana — 4 appel(s)" in table and "situation à risque ouverte" in table
    assert "+3361500" not in table  # numbers are masked
    csv_text = render_plan(lines, day, as_csv=True)
    assert csv_text.splitlines()[0] == "bénévole,heure,priorité,personne,canal,motif"
    assert csv_text.splitlines()[1].startswith("Ana,16:00,1,Risque")


def test_volunteers_csv_is_validated(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("id,name,phone,availability,max_calls_per_day\n"
                    "ana,Ana B,0620000001,lun-ven 09:00-17:00,4\n"
                    "bob,Bob,12,tous les jours,0\n", encoding="utf-8")
    rows, errors = read_volunteers(path)
    assert [r["id"] for r in rows] == ["ana"] and rows[0]["phone"] == "+33620000001"
    text = "\n".join(errors)
    assert "ligne 3 : numéro de téléphone invalide « 12 »" in text
    assert "disponibilités invalides" in text and "appels par jour invalide" in text


def test_plan_and_volunteer_commands(tmp_path, sync_redis, prefix):
    path = tmp_path / "v.csv"
    path.write_text("id,name,phone,availability\nkim,Kim L,0620000077,lun-dim 08:00-20:00\n",
                    encoding="utf-8")
    run = lambda *a: subprocess.run([sys.executable, "-m", "bot", *a], cwd=ROOT,  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    result = run("volunteers", "import", str(path))
    assert result.returncode == 0 and "1 créé(s)" in result.stdout, result.stderr
    assert sync_redis.hget(f"{prefix}:volunteer:kim", "phone") == "+33620000077"
    empty = run("plan", "--date", "2031-01-02")
    assert empty.returncode == 0 and "Aucun appel prévu le 2031-01-02." in empty.stdout
    as_csv = run("plan", "--date", "2031-01-02", "--csv")
    assert as_csv.stdout.strip() == "bénévole,heure,priorité,personne,canal,motif"


async def test_booking_the_same_moment_again_moves_nothing(world):
    redis, prefix = world
    await _volunteers(redis, prefix, ("ana", "Ana B", "+33620000001", ALWAYS))
    at = _tomorrow_at(16).timestamp()
    person = "sms:+33614000040"
    first = await book_call(redis, prefix, person, at, "demain 16h", clock.now())
    again = await book_call(redis, prefix, person, at, "ok demain 16h", clock.now())
    assert (again.call_id, again.volunteer_id, again.volunteer_name) == \
        (first.call_id, "ana", "Ana")
    reminders = [m.decode() for m in await redis.zrange(CallKeys(prefix).reminders, 0, -1)]
    assert not any(m.endswith(":cancelled") for m in reminders)  # Ana is not told twice
    moved = await book_call(redis, prefix, person, at + 3600, "plutôt 17h", clock.now())
    assert moved.call_id != first.call_id
    assert await redis.hget(CallKeys(prefix).call(first.call_id), "status") == b"cancelled"
