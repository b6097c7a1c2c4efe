"""Booking the next call as a form: whole messages, context, yes/no, calling it off.

The actions are driven with rasa-sdk Trackers built here and the real Redis, on a
fixed clock (Wednesday 25 November 2026, 10:00 in Paris). Each turn feeds the
slots the form wrote back into the next tracker, as Rasa does.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa.shared.core.events import ActionExecuted

from actions import calls as call_actions
from actions.calls import (
    ActionAmendCall, ActionAnswerCallOffer, ActionAskCallTime, ActionBookCall,
    ActionCancelCall, ValidateCallForm,
)
from bot.calls.booking import import_volunteers

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS).timestamp()
DOMAIN = {"forms": {"call_form": {"required_slots": ["call_time"]}},
          "slots": {"call_time": {"type": "text", "mappings": [{"type": "custom"}]}},
          "responses": {"utter_feel_lonely": [{"text": "…"}]}}


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """Every decision reads bot.core.clock.now(): pin it."""
    monkeypatch.setattr(call_actions.clock, "now", lambda: NOW)


def _tracker(sender: str, text: str, intent: str = "nlu_fallback",
             slots: Optional[Dict[str, Any]] = None, form_open: bool = True,
             events: Optional[List[Dict[str, Any]]] = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0},
               "entities": [], "message_id": uuid.uuid4().hex}
    return Tracker(sender_id=sender, slots=dict(slots or {}), latest_message=message,
                   events=(events or []) + [{"event": "user", "text": text,
                                             "parse_data": message}],
                   paused=False, followup_action=None,
                   active_loop={"name": "call_form"} if form_open else {},
                   latest_action_name="action_listen")


def _slots(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


class Conversation:
    """One person going through the form, turn by turn."""

    def __init__(self) -> None:
        self.sender = f"test:{uuid.uuid4().hex[:10]}"
        self.slots: Dict[str, Any] = {}
        self.open = False
        self.said: List[Dict[str, Any]] = []

    async def say(self, text: str, intent: str = "nlu_fallback") -> List[str]:
        """The person's message inside the form; the responses the bot chose."""
        dispatcher = CollectingDispatcher()
        tracker = _tracker(self.sender, text, intent, self.slots, self.open)
        events = await ValidateCallForm().run(dispatcher, tracker, DOMAIN)
        if not events:
            return ["rejected"]
        said = [m["response"] for m in dispatcher.messages]
        self.slots.update(_slots(events))
        self.open = True
        if self.slots.get("call_time"):
            self.open = False
            book = CollectingDispatcher()
            done = await ActionBookCall().run(book, _tracker(self.sender, text, intent,
                                                             self.slots), {})
            self.slots.update(_slots(done))
            self.said = book.messages
            return ["booked" if m["response"] in ("utter_call_booked", "utter_call_booked_team")
                    else m["response"] for m in book.messages]
        ask = CollectingDispatcher()
        await ActionAskCallTime().run(ask, _tracker(self.sender, text, intent, self.slots), {})
        self.said = ask.messages
        return said + [m["response"] for m in ask.messages]


# Who calls depends on the volunteers other tests registered under this run's prefix.
BOOKED = ["booked"]


def _call(sync_redis, prefix, sender) -> Optional[Dict[str, str]]:
    call_id = sync_redis.hget(f"{prefix}:person:{sender}", "next_call_id")
    return sync_redis.hgetall(f"{prefix}:call:{call_id}") if call_id else None


def _booked_at(sync_redis, prefix, sender) -> Optional[str]:
    call = _call(sync_redis, prefix, sender)
    if not call or call.get("status") != "booked":
        return None
    return datetime.fromtimestamp(float(call["at_ts"]), PARIS).strftime("%Y-%m-%d %H:%M")


async def test_a_request_with_day_and_hour_books_at_once(sync_redis, prefix):
    talk = Conversation()
    assert await talk.say("vous pourriez me rappeler vendredi vers 16h30 ?",
                          "schedule_call") == BOOKED
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-27 16:30"
    assert talk.said[0]["call_when"] == "vendredi 27 novembre à 16h30"


async def test_the_day_of_the_request_is_kept_for_the_hour_that_follows(sync_redis, prefix):
    talk = Conversation()
    assert await talk.say("on s'appelle dimanche ?", "schedule_call") == \
        ["utter_call_propose"]
    assert talk.said[0]["call_proposal_text"] == "dimanche 29 novembre à 10h"
    assert await talk.say("plutôt 15h si ça vous va") == BOOKED
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-29 15:00"


async def test_a_yes_to_the_proposal_books_it(sync_redis, prefix):
    talk = Conversation()
    await talk.say("/schedule_call", "schedule_call")
    assert talk.said[0]["response"] == "utter_ask_call_time"
    assert await talk.say("lundi matin") == ["utter_call_propose"]
    assert await talk.say("oui très bien", "affirm") == BOOKED
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-30 10:00"
    assert talk.said[0]["call_when"] == "lundi 30 novembre à 10h"


async def test_a_refused_hour_is_never_booked(sync_redis, prefix):
    talk = Conversation()
    await talk.say("demain", "schedule_call")
    assert talk.said[0]["call_proposal_text"] == "demain, jeudi 26 novembre, à 10h"
    # The NLU may read this as a yes: the refused 10h must not be booked.
    assert await talk.say("nan pas 10h jsuis chez le kiné, plutot vers 14h", "affirm") == \
        BOOKED
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-26 14:00"


async def test_a_refusal_alone_asks_for_another_moment_and_never_proposes_it(
        sync_redis, prefix):
    talk = Conversation()
    await talk.say("jeudi", "schedule_call")
    assert await talk.say("pas à 10h je travaille", "deny") == ["utter_call_other_moment"]
    assert await talk.say("le matin") == ["utter_call_propose"]
    assert talk.said[0]["call_proposal_text"] == "demain, jeudi 26 novembre, à 11h"
    assert await talk.say("ok", "affirm") == BOOKED
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-26 11:00"


async def test_the_night_is_refused_kindly_with_the_same_evening(sync_redis, prefix):
    talk = Conversation()
    await talk.say("samedi prochain", "schedule_call")
    assert await talk.say("22h45") == ["utter_call_night"]
    assert talk.said[0]["call_proposal_text"] == "samedi 28 novembre à 18h"
    assert await talk.say("bon alors 19h") == BOOKED
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-28 19:00"


async def test_the_past_is_refused_kindly(sync_redis, prefix):
    talk = Conversation()
    await talk.say("/schedule_call", "schedule_call")
    assert await talk.say("ce matin à 8h30") == ["utter_call_past"]
    assert _booked_at(sync_redis, prefix, talk.sender) is None


@pytest.mark.parametrize("words, intent", [
    ("annule", "cancel_call"), ("laissez tomber", "nlu_fallback"),
    ("au revoir", "goodbye"), ("non merci", "deny"), ("/deny", "deny")])
async def test_calling_it_off_leaves_the_form_and_books_nothing(sync_redis, prefix, words,
                                                                 intent):
    talk = Conversation()
    await talk.say("/schedule_call", "schedule_call")
    assert await talk.say(words, intent) == ["utter_call_not_now"]
    assert talk.slots["call_time"] is None and not talk.open
    assert _call(sync_redis, prefix, talk.sender) is None


async def test_calling_it_off_cancels_the_call_being_moved(sync_redis, prefix):
    talk = Conversation()
    await talk.say("lundi 11h", "schedule_call")
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-30 11:00"
    again = Conversation()
    again.sender = talk.sender
    assert await again.say("je voudrais changer l'heure de l'appel", "schedule_call") == \
        ["utter_ask_call_time"]
    assert await again.say("ah non finalement annulez tout") == ["utter_call_cancelled"]
    assert _booked_at(sync_redis, prefix, talk.sender) is None


async def test_two_messages_without_a_moment_leave_the_form_kindly(sync_redis, prefix):
    talk = Conversation()
    await talk.say("/schedule_call", "schedule_call")
    assert await talk.say("je sais pas trop") == ["utter_call_unknown"]
    assert await talk.say("euh attendez voir") == ["utter_call_later"]
    assert not talk.open and _call(sync_redis, prefix, talk.sender) is None


@pytest.mark.parametrize("text, intent", [
    ("merci de votre compréhension, bonne journée", "thank"),
    ("bonne soirée à vous", "goodbye"),
])
async def test_thanks_or_a_goodbye_without_a_moment_close_the_form_kindly(
        sync_redis, prefix, text, intent):
    talk = Conversation()
    await talk.say("lundi 11h", "schedule_call")
    again = Conversation()
    again.sender = talk.sender
    assert await again.say("je voudrais changer l'heure de l'appel", "schedule_call") == \
        ["utter_ask_call_time"]
    # no "pardon, je n'ai pas compris quand": the form ends, the call booked stays
    assert await again.say(text, intent) == ["utter_call_later_thanks"]
    assert not again.open
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-30 11:00"
    # a thank with a moment in it is still the moment
    third = Conversation()
    third.sender = talk.sender
    await third.say("je voudrais changer l'heure de l'appel", "schedule_call")
    assert await third.say("mardi 15h merci", "thank") == BOOKED
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-12-01 15:00"


@pytest.mark.parametrize("intent", ["opt_out", "risk_suicide", "request_human"])
async def test_risk_stop_and_a_human_are_left_to_the_rules(intent):
    talk = Conversation()
    await talk.say("/schedule_call", "schedule_call")
    assert await talk.say("demain 15h", intent) == ["rejected"]


async def test_emergency_numbers_are_not_the_day(sync_redis, prefix):
    talk = Conversation()
    assert await talk.say("les pompiers sont venus, j'avais fait le 18. "
                          "appelez moi lundi 14h svp", "schedule_call") == \
        BOOKED
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-30 14:00"


async def test_the_confirmation_names_the_volunteer(redis_client, sync_redis, prefix):
    await import_volunteers(redis_client, prefix, [
        {"id": "lea", "name": "Léa Martin", "phone": "+33620000031", "telegram": "",
         "availability": "lun-dim 08:00-21:00", "max_calls_per_day": "6",
         "timezone": "Europe/Paris", "active": "1"}])
    try:
        talk = Conversation()
        assert await talk.say("demain à 17h", "schedule_call") == BOOKED
        message = talk.said[0]
        assert message["response"] == "utter_call_booked"
        volunteer = _call(sync_redis, prefix, talk.sender)["volunteer"]
        name = sync_redis.hget(f"{prefix}:volunteer:{volunteer}", "name")
        assert message["volunteer"] == name.split(" ")[0]
        assert message["call_when"] == "demain, jeudi 26 novembre, à 17h"
    finally:
        sync_redis.delete(f"{prefix}:volunteer:lea", f"{prefix}:volunteer:lea:calls")
        sync_redis.srem(f"{prefix}:volunteers", "lea")


def _offer(response: str) -> List[Dict[str, Any]]:
    return [{"event": "user", "text": "salut"},
            {"event": "bot", "text": "...", "metadata": {"utter_action": response}}]


@pytest.mark.parametrize("offer", ["utter_goodbye_offer_call", "utter_human_done",
                                   "utter_offer_first_call"])
async def test_a_typed_yes_or_no_answers_the_offer_of_a_call(offer):
    sender = f"test:{uuid.uuid4().hex[:10]}"
    yes = await ActionAnswerCallOffer().run(
        CollectingDispatcher(), _tracker(sender, "ouais", "affirm", form_open=False,
                                         events=_offer(offer)), {})
    assert FollowupAction("call_form") in yes
    no = CollectingDispatcher()
    events = await ActionAnswerCallOffer().run(
        no, _tracker(sender, "non merci, pas aujourd'hui", "deny", form_open=False,
                     events=_offer(offer)), {})
    assert events == [] and [m["response"] for m in no.messages] == ["utter_call_not_now"]


async def test_a_typed_yes_or_no_answers_the_offer_of_a_human():
    sender = f"test:{uuid.uuid4().hex[:10]}"
    yes = await ActionAnswerCallOffer().run(
        CollectingDispatcher(), _tracker(sender, "oui", "affirm", form_open=False,
                                         events=_offer("utter_offer_human")), {})
    assert yes == [FollowupAction("action_answer_human_offer")]
    no = CollectingDispatcher()
    await ActionAnswerCallOffer().run(no, _tracker(sender, "non", "deny", form_open=False,
                                                   events=_offer("utter_offer_human")), {})
    assert [m["response"] for m in no.messages] == ["utter_deny_generic"]


async def test_without_an_offer_a_yes_gets_the_usual_answer():
    events = await ActionAnswerCallOffer().run(
        CollectingDispatcher(), _tracker("test:x", "oui", "affirm", form_open=False,
                                         events=_offer("utter_greet")), {})
    assert events == [FollowupAction("utter_affirm_generic")]


async def test_a_yes_with_a_moment_opens_the_form_that_reads_it(sync_redis, prefix):
    sender = f"test:{uuid.uuid4().hex[:10]}"
    events = await ActionAnswerCallOffer().run(
        CollectingDispatcher(), _tracker(sender, "oui demain 15h", "affirm",
                                         form_open=False,
                                         events=_offer("utter_goodbye_offer_call")), {})
    assert events[-1] == FollowupAction("call_form")
    talk = Conversation()
    talk.sender = sender
    assert await talk.say("oui demain 15h", "affirm") == BOOKED
    assert _booked_at(sync_redis, prefix, sender) == "2026-11-26 15:00"


async def _booked(sync_redis, prefix, text: str) -> Conversation:
    talk = Conversation()
    await talk.say(text, "schedule_call")
    assert _booked_at(sync_redis, prefix, talk.sender) is not None
    return talk


async def test_after_a_risk_answer_a_day_that_cannot_be_kept_calls_the_call_off(
        sync_redis, prefix):
    talk = await _booked(sync_redis, prefix, "samedi à 10h")
    dispatcher = CollectingDispatcher()
    events = await ActionAmendCall().run(
        dispatcher, _tracker(talk.sender, "maman est tombée hier, elle est hospitalisée, "
                             "elle ne pourra pas prendre l'appel de samedi", "risk_medical",
                             form_open=False), {})
    # called off at once: no form asking for another moment after an emergency
    assert [m["response"] for m in dispatcher.messages] == ["utter_call_cancelled"]
    assert not any(e.get("event") == "followup" for e in events)
    assert _booked_at(sync_redis, prefix, talk.sender) is None


async def test_after_a_booking_an_hour_moves_the_call_on_its_day(sync_redis, prefix):
    talk = await _booked(sync_redis, prefix, "samedi à 10h")
    events = await ActionAmendCall().run(
        CollectingDispatcher(), _tracker(talk.sender, "non plutôt 9h", "deny",
                                         form_open=False), {})
    assert events[-1] == FollowupAction("call_form")
    again = Conversation()
    again.sender = talk.sender
    assert await again.say("non plutôt 9h", "deny") == BOOKED
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-28 09:00"
    assert await again.say("finalement dimanche, même heure", "schedule_call") == \
        BOOKED
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-29 09:00"


async def test_after_a_booking_a_cancel_cancels_and_a_thank_keeps_it(sync_redis, prefix):
    talk = await _booked(sync_redis, prefix, "lundi 15h")
    kept = CollectingDispatcher()
    await ActionAmendCall().run(kept, _tracker(talk.sender, "merci beaucoup", "thank",
                                               form_open=False), {})
    assert [m["response"] for m in kept.messages] == ["utter_call_kept"]
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-30 15:00"
    off = CollectingDispatcher()
    await ActionAmendCall().run(off, _tracker(talk.sender, "ah zut, laissez tomber",
                                              "nlu_fallback", form_open=False), {})
    assert [m["response"] for m in off.messages] == ["utter_call_cancelled"]
    assert _booked_at(sync_redis, prefix, talk.sender) is None


async def test_after_a_booking_a_checkin_time_is_still_a_checkin_time():
    events = await ActionAmendCall().run(
        CollectingDispatcher(), _tracker("test:y", "le message du soir à 20h",
                                         "change_checkin_time", form_open=False), {})
    assert events == [FollowupAction("action_change_checkin_time")]


async def test_cancel_call_cancels_moves_or_asks_again(sync_redis, prefix):
    talk = await _booked(sync_redis, prefix, "mardi 11h")
    moved = await ActionCancelCall().run(
        CollectingDispatcher(), _tracker(talk.sender, "je pourrai pas mardi, plutôt mercredi "
                                         "même heure", "cancel_call", form_open=False), {})
    assert moved[-1] == FollowupAction("call_form")
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-12-01 11:00"  # not yet
    off = CollectingDispatcher()
    events = await ActionCancelCall().run(off, _tracker(
        talk.sender, "Annulez, je vous recontacterai.", "cancel_call", form_open=False), {})
    assert [m["response"] for m in off.messages] == ["utter_call_cancelled"]
    assert not any(e.get("event") == "followup" for e in events)
    assert _booked_at(sync_redis, prefix, talk.sender) is None
    talk = await _booked(sync_redis, prefix, "mardi 11h")
    ask = await ActionCancelCall().run(CollectingDispatcher(), _tracker(
        talk.sender, "je ne pourrai pas être là mardi", "cancel_call", form_open=False), {})
    assert ask[-1] == FollowupAction("call_form")
    assert _booked_at(sync_redis, prefix, talk.sender) is None


async def test_a_cancel_that_tells_a_moment_cancels(sync_redis, prefix):
    # "ce matin" belongs to the sister's call: nothing is asked, the call goes.
    said = "Excusez-moi, je préfère annuler. Ma sœur m'a téléphoné ce matin, tout va bien."
    for action, intent in ((ActionCancelCall(), "cancel_call"), (ActionAmendCall(), "share_day")):
        talk = await _booked(sync_redis, prefix, "mardi 11h")
        off = CollectingDispatcher()
        events = await action.run(off, _tracker(talk.sender, said, intent, form_open=False), {})
        assert [m["response"] for m in off.messages] == ["utter_call_cancelled"], action
        assert FollowupAction("call_form") not in events
        assert _booked_at(sync_redis, prefix, talk.sender) is None
    # The day named is the one called off ("l'appel de mardi c'est plus la peine, vous
    # pouvez l'enlever"), whatever else the message says of that day.
    talk = await _booked(sync_redis, prefix, "mardi 11h")
    off = CollectingDispatcher()
    await ActionAmendCall().run(off, _tracker(
        talk.sender, "Et puis ma nièce a appelé, elle va venir mardi après-midi et elle "
        "restera tard, donc l'appel de mardi c'est plus la peine, vous pouvez l'enlever.",
        "cancel_call", form_open=False), {})
    assert [m["response"] for m in off.messages] == ["utter_call_cancelled"]
    assert _booked_at(sync_redis, prefix, talk.sender) is None
    # A cancel that asks for another moment still moves the call.
    talk = await _booked(sync_redis, prefix, "mardi 11h")
    moved = await ActionCancelCall().run(CollectingDispatcher(), _tracker(
        talk.sender, "j'annule mardi, mettez-moi plutôt jeudi à 10h", "cancel_call",
        form_open=False), {})
    assert moved[-1] == FollowupAction("call_form")


# -- the booking scorer of `make eval` (tools.eval_independent), with a fake driver ----
def _item(ident, expect, day=None, time=None, not_at=(), start=None, turns=("…",)):
    item = {"id": ident, "turns": list(turns), "expect": expect, "day": day, "time": time,
            "not_at": list(not_at), "kind": "test"}
    if start:
        item["start"] = start
    return item


def _outcome(stamp=None, offered=True):
    from tools.eval_independent import BookingOutcome

    moment = datetime.fromisoformat(stamp).replace(tzinfo=PARIS) if stamp else None
    return BookingOutcome(booked=moment, offered=offered)


class FakeConversations:
    """Answers each conversation with a scripted outcome, by id."""

    def __init__(self, outcomes):
        self.outcomes, self.seen = outcomes, []

    async def converse(self, item):
        self.seen.append(item["id"])
        return self.outcomes[item["id"]]


def test_judge_booking():
    from tools.eval_independent import judge_booking

    booked = _item("a", "booked", "2026-12-05", "11:00", not_at=["10:00"])
    assert judge_booking(booked, _outcome("2026-12-05T11:00")) == (True, False)
    assert judge_booking(booked, _outcome("2026-12-04T11:00")) == (False, False)  # wrong day
    assert judge_booking(booked, _outcome("2026-12-05T12:00")) == (False, False)  # wrong hour
    assert judge_booking(booked, _outcome("2026-12-05T10:00")) == (False, True)   # refused
    assert judge_booking(booked, _outcome()) == (False, False)
    any_hour = _item("b", "booked", "2026-12-04", None)
    assert judge_booking(any_hour, _outcome("2026-12-04T15:30")) == (True, False)
    # "Quand vous voulez" then "oui": any call booked is right; none is not.
    any_moment = _item("e", "booked", None, None)
    assert judge_booking(any_moment, _outcome("2026-12-07T10:00")) == (True, False)
    assert judge_booking(any_moment, _outcome()) == (False, False)
    for expect in ("cancelled", "none"):
        assert judge_booking(_item("c", expect), _outcome()) == (True, False)
        assert judge_booking(_item("c", expect), _outcome("2026-12-04T15:00"))[0] is False
    # A conversation that should start after the offer of a call, which never came.
    offer = _item("d", "booked", "2026-12-05", "11:00", start="offer")
    assert judge_booking(offer, _outcome("2026-12-05T11:00", offered=False))[0] is False


async def test_score_booking_counts_each_kind_and_the_gates_follow():
    from tools.eval_independent import booking_gate_failures, score_booking

    items = [_item("r1", "booked", "2026-12-05", "11:00"),
             _item("r2", "booked", "2026-12-06", "09:00", not_at=["23:00"]),
             _item("c1", "cancelled"), _item("n1", "none", turns=("secret line",))]
    fake = FakeConversations({"r1": _outcome("2026-12-05T11:00"),
                              "r2": _outcome("2026-12-06T23:00"),
                              "c1": _outcome("2026-12-07T10:00"), "n1": _outcome()})
    report = await score_booking(fake, items)
    assert fake.seen == ["r1", "r2", "c1", "n1"]
    assert (report.right.k, report.right.n) == (1, 2)
    assert (report.cancelled.k, report.cancelled.n) == (0, 1)
    assert (report.nothing.k, report.nothing.n) == (1, 1)
    assert report.refused == 1
    assert [m.split()[1] for m in report.misses] == ["r2", "c1"]
    failures = booking_gate_failures(report)
    assert len(failures) == 3 and "1 booking(s) at a refused hour" in failures
    perfect = await score_booking(FakeConversations({"r1": _outcome("2026-12-05T11:00")}),
                                  items[:1])
    assert booking_gate_failures(perfect) == []


async def test_the_sealed_half_prints_figures_never_lines(monkeypatch, capsys):
    from tools import eval_independent as ev

    halves = {"dev": [_item("d1", "booked", "2026-12-05", "11:00",
                            turns=("dev words",))],
              "sealed": [_item("s1", "booked", "2026-12-05", "11:00",
                               turns=("sealed words",))]}
    monkeypatch.setattr(ev, "load_set", lambda name, half: halves[half] if name == "booking"
                        else [])
    fake = FakeConversations({"d1": _outcome(), "s1": _outcome()})
    failures = await ev.evaluate_booking(fake, ["dev", "sealed"], show_misses=True)
    out = capsys.readouterr().out
    assert "dev words" in out and "sealed words" not in out and "s1" not in out
    assert "booking conversations, sealed half" in out
    assert failures["sealed"] and failures["dev"]
    await ev.evaluate_booking(fake, ["dev"], show_misses=False)
    assert "dev words" not in capsys.readouterr().out


async def test_the_actions_run_in_process_for_the_scorer(sync_redis, prefix):
    from tools.eval_independent import InProcessActions

    endpoint = InProcessActions()
    tracker = {"sender_id": "test:inproc", "slots": {}, "latest_message": {
        "text": "oui", "intent": {"name": "affirm", "confidence": 1.0}, "entities": []},
        "events": _offer("utter_goodbye_offer_call") + [
            {"event": "user", "text": "oui",
             "parse_data": {"intent": {"name": "affirm"}}}],
        "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen"}
    answer = await endpoint.request(json={"next_action": "action_answer_call_offer",
                                          "tracker": tracker, "domain": {}})
    assert answer["events"][-1]["event"] == "followup"
    assert answer["events"][-1]["name"] == "call_form"


async def test_the_scorer_sets_the_reference_clock_and_gives_everything_back(
        sync_redis, monkeypatch):
    from types import SimpleNamespace

    from actions import common
    from bot.core import clock
    from tools.eval_independent import BOOKING_REFERENCE, BookingConversations, InProcessActions

    monkeypatch.undo()  # the real bot.core.clock here, not the fixed one
    agent = SimpleNamespace(action_endpoint="before",
                            processor=SimpleNamespace(action_endpoint="before"))
    settings = common.SETTINGS
    conversations = BookingConversations(SimpleNamespace(agent=agent))
    async with conversations:
        reference = datetime.fromisoformat(BOOKING_REFERENCE).timestamp()
        assert abs(clock.now() - reference) < 60
        # each conversation starts at the reference moment again, however long
        # the earlier ones ran (a drifted clock put "dans deux heures" at 12:15)
        monkeypatch.setattr(clock, "_ANCHOR", clock._ANCHOR - 900)
        assert clock.now() - reference > 890
        clock.restart()
        assert abs(clock.now() - reference) < 5
        assert common.SETTINGS.key_prefix == conversations.prefix
        assert call_actions.SETTINGS is common.SETTINGS
        assert isinstance(agent.processor.action_endpoint, InProcessActions)
        sync_redis.set(f"{conversations.prefix}:probe", "1")
    assert not sync_redis.exists(f"{conversations.prefix}:probe")
    assert common.SETTINGS is settings and call_actions.SETTINGS is settings
    assert abs(clock.now() - datetime.now().timestamp()) < 60
    assert agent.action_endpoint == agent.processor.action_endpoint == "before"


async def test_after_an_offer_something_else_gets_its_usual_answer():
    sender = f"test:{uuid.uuid4().hex[:10]}"
    events = await ActionAnswerCallOffer().run(
        CollectingDispatcher(), _tracker(sender, "ma voisine est passée", "nlu_fallback",
                                         form_open=False,
                                         events=_offer("utter_goodbye_offer_call")), {})
    assert events == [FollowupAction("action_fallback")]
    moment = await ActionAnswerCallOffer().run(
        CollectingDispatcher(), _tracker(sender, "dem1 vers 15h", "nlu_fallback",
                                         form_open=False,
                                         events=_offer("utter_goodbye_offer_call")), {})
    assert moment[-1] == FollowupAction("call_form")


async def test_after_a_booking_a_cancel_read_as_start_still_cancels(sync_redis, prefix):
    talk = await _booked(sync_redis, prefix, "jeudi 16h")
    off = CollectingDispatcher()
    await ActionAmendCall().run(off, _tracker(
        talk.sender, "Veuillez m'excuser, annulons, je vous écrirai.", "opt_in",
        form_open=False), {})
    assert [m["response"] for m in off.messages] == ["utter_call_cancelled"]
    assert _booked_at(sync_redis, prefix, talk.sender) is None
    start = await ActionAmendCall().run(CollectingDispatcher(), _tracker(
        talk.sender, "start", "opt_in", form_open=False), {})
    assert start == [FollowupAction("action_opt_in")]


async def test_a_conversation_that_breaks_is_a_miss_not_a_crash():
    from tools.eval_independent import score_booking

    class Broken:
        async def converse(self, item):
            raise RuntimeError("the action server fell over")

    report = await score_booking(Broken(), [_item("x1", "booked", "2026-12-05", "11:00"),
                                            _item("x2", "none")])
    assert (report.right.k, report.right.n) == (0, 1)
    assert (report.nothing.k, report.nothing.n) == (0, 1)


async def test_a_goodbye_or_thanks_after_the_offer(sync_redis, prefix):
    sender = f"test:{uuid.uuid4().hex[:10]}"
    offer = _offer("utter_goodbye_offer_call")
    with_moment = await ActionAnswerCallOffer().run(CollectingDispatcher(), _tracker(
        sender, "oui demain 15h", "goodbye", form_open=False, events=offer), {})
    assert with_moment[-1] == FollowupAction("call_form")
    bye = await ActionAnswerCallOffer().run(CollectingDispatcher(), _tracker(
        sender, "au revoir, à demain", "goodbye", form_open=False, events=offer), {})
    assert bye == [FollowupAction("action_goodbye")]
    yes = await ActionAnswerCallOffer().run(CollectingDispatcher(), _tracker(
        sender, "oui merci", "thank", form_open=False, events=offer), {})
    assert yes[-1] == FollowupAction("call_form")
    thanks = await ActionAnswerCallOffer().run(CollectingDispatcher(), _tracker(
        sender, "merci à vous", "thank", form_open=False, events=offer), {})
    assert thanks == [FollowupAction("utter_thank")]


async def test_a_feeling_in_the_middle_of_the_form_is_answered_first(sync_redis, prefix):
    talk = Conversation()
    await talk.say("/schedule_call", "schedule_call")
    # Its own answer, and no second question on top of the one it asks.
    assert await talk.say("je me sens tellement seule ces temps ci", "feel_lonely") == \
        ["utter_feel_lonely"]
    assert talk.open
    assert await talk.say("vendredi 10h", "nlu_fallback") == BOOKED
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-27 10:00"


async def test_a_yes_with_a_refusal_is_not_a_yes_to_the_refused_hour(sync_redis, prefix):
    talk = Conversation()
    await talk.say("samedi prochain", "schedule_call")  # proposed: samedi 10h
    assert await talk.say("d'accord mais pas à 10h", "affirm") == ["utter_call_other_moment"]
    assert _booked_at(sync_redis, prefix, talk.sender) is None
    assert await talk.say("l'après-midi") == ["utter_call_propose"]
    assert await talk.say("parfait", "affirm") == BOOKED
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-28 14:30"


# -- Rasa's own form loop around these actions (no model: the form action itself) ----
async def _run_form(domain, tracker):
    from rasa.core.actions.forms import FormAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator

    from tools.eval_independent import InProcessActions

    output = CollectingOutputChannel()
    events = await FormAction("call_form", InProcessActions()).run(
        output, TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain)
    tracker.update_with_events(events, domain)
    return events


def _user(text, intent):
    from rasa.shared.core.events import ActionExecuted, UserUttered

    return [ActionExecuted("action_listen"),
            UserUttered(text, intent={"name": intent, "confidence": 1.0},
                        parse_data={"intent": {"name": intent, "confidence": 1.0},
                                    "entities": [], "text": text})]


async def test_rasas_form_loop_books_a_full_request_as_it_opens(domain):
    from rasa.shared.core.events import ActiveLoop, BotUttered, SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker.from_events(
        f"test:{uuid.uuid4().hex[:10]}", _user("on se parle vendredi à 16h30 ?",
                                               "schedule_call"), slots=domain.slots)
    events = await _run_form(domain, tracker)
    assert SlotSet("requested_slot", None) in events and ActiveLoop(None) in events
    assert tracker.get_slot("call_at") == datetime(2026, 11, 27, 16, 30,
                                                   tzinfo=PARIS).isoformat()
    assert not [e for e in events if isinstance(e, BotUttered)]  # nothing asked


async def test_rasas_form_loop_asks_then_reads_the_answer_with_its_context(domain):
    from rasa.shared.core.events import ActiveLoop, BotUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker.from_events(
        f"test:{uuid.uuid4().hex[:10]}", _user("on s'appelle mardi ?", "schedule_call"),
        slots=domain.slots)
    events = await _run_form(domain, tracker)
    asked = [e for e in events if isinstance(e, BotUttered)]
    assert [e.metadata.get("utter_action") for e in asked] == ["utter_call_propose"]
    assert "mardi 1 décembre à 10h" in asked[0].text
    assert tracker.active_loop_name == "call_form"
    tracker.update_with_events(_user("nan plutôt 15h", "deny"), domain)
    events = await _run_form(domain, tracker)
    assert ActiveLoop(None) in events and not [e for e in events if isinstance(e, BotUttered)]
    assert tracker.get_slot("call_at") == datetime(2026, 12, 1, 15, 0, tzinfo=PARIS).isoformat()


async def test_rasas_form_loop_lets_stop_go_to_the_rules(domain):
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker.from_events(
        f"test:{uuid.uuid4().hex[:10]}", _user("/schedule_call", "schedule_call"),
        slots=domain.slots)
    await _run_form(domain, tracker)
    assert tracker.active_loop_name == "call_form"
    tracker.update_with_events(_user("STOP", "opt_out"), domain)
    with pytest.raises(ActionExecutionRejection):
        await _run_form(domain, tracker)


async def test_a_first_message_the_nlu_missed_may_ask_for_a_call():
    sender = f"test:{uuid.uuid4().hex[:10]}"
    start = [{"event": "action", "name": "action_session_start"},
             {"event": "session_started"}]
    for text in ("dem1 vers 16h", "mercredi pro ver 4h de laprem", "samedi prochain ?"):
        events = await ActionAnswerCallOffer().run(CollectingDispatcher(), _tracker(
            sender, text, "nlu_fallback", form_open=False, events=start), {})
        assert events[-1] == FollowupAction("call_form"), text
    for text in ("gloubi boulga", "à demain", "ma fille vient samedi"):
        events = await ActionAnswerCallOffer().run(CollectingDispatcher(), _tracker(
            sender, text, "nlu_fallback", form_open=False, events=start), {})
        assert events == [FollowupAction("action_fallback")], text


async def test_a_cancelled_call_read_as_stop_only_cancels_the_call(sync_redis, prefix):
    talk = Conversation()
    await talk.say("/schedule_call", "schedule_call")
    assert await talk.say("ah laissez tomber", "opt_out") == ["utter_call_not_now"]
    for stop in ("STOP", "/opt_out", "laissez tomber, arrêtez de m'écrire"):
        talk = Conversation()
        await talk.say("/schedule_call", "schedule_call")
        assert await talk.say(stop, "opt_out") == ["rejected"], stop


async def test_after_a_booking_stop_is_honoured_and_laissez_tomber_only_cancels(
        sync_redis, prefix):
    talk = await _booked(sync_redis, prefix, "mercredi 15h")
    stop = await ActionAmendCall().run(CollectingDispatcher(), _tracker(
        talk.sender, "/opt_out", "opt_out", form_open=False), {})
    assert stop == [FollowupAction("action_opt_out")]
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-12-02 15:00"
    off = CollectingDispatcher()
    await ActionAmendCall().run(off, _tracker(talk.sender, "bon laissez tomber", "opt_out",
                                              form_open=False), {})
    assert [m["response"] for m in off.messages] == ["utter_call_cancelled"]
    assert _booked_at(sync_redis, prefix, talk.sender) is None


async def test_after_a_booking_cannot_make_it_cancels_and_a_bare_no_asks(sync_redis, prefix):
    talk = await _booked(sync_redis, prefix, "jeudi 17h")
    moved = await ActionAmendCall().run(CollectingDispatcher(), _tracker(
        talk.sender, "ah je pourrai pas en fait, on peut décaler ?", "deny",
        form_open=False), {})
    assert moved == [FollowupAction("action_cancel_call")]
    bare = await ActionAmendCall().run(CollectingDispatcher(), _tracker(
        talk.sender, "non", "deny", form_open=False), {})
    assert bare[-1] == FollowupAction("call_form")
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-26 17:00"


@pytest.mark.parametrize("text, call", [
    ("non jveux qu on m appelle ce soir", True),
    ("vous pouvez me téléphoner plutôt le matin ?", True),
    ("le message du soir plutôt à 20h", False),
    ("pouvez-vous m'envoyer le petit mot du matin à 9h, pas à 8h ?", False),
    # the messages come every day: a day named is the call's
    ("lundi mais pas le matin", True),
    ("plutôt le soir vers 19h", False),
])
async def test_a_call_asked_for_is_not_a_checkin_time(text, call, sync_redis, prefix):
    from actions.checkins import ActionChangeCheckinTime

    dispatcher = CollectingDispatcher()
    events = await ActionChangeCheckinTime().run(
        dispatcher, _tracker(f"test:{uuid.uuid4().hex[:8]}", text, "change_checkin_time",
                             form_open=False), {})
    assert (events == [FollowupAction("call_form")]) is call
    if not call:
        assert dispatcher.messages


async def test_a_form_reopened_to_change_a_booked_call_keeps_its_day(sync_redis, prefix):
    # Rasa sets the form active before the opening message is read, and the
    # change of a booked call clears the proposal slot: the booked call is the context.
    talk = await _booked(sync_redis, prefix, "samedi à 10h")
    slots = await ValidateCallForm().extract_call_time(
        CollectingDispatcher(),
        _tracker(talk.sender, "ah non samedi matin j'ai le marché, plutôt 15h",
                 "schedule_call", slots={"call_proposal": None}, form_open=True), {})
    assert slots["call_at"].startswith("2026-11-28T15:00")


@pytest.mark.parametrize("text, intent", [
    ("laisse tombé", "share_day"),
    ("Je dois annuler le rendez-vous téléphonique du 9, je pars quelques jours chez mon "
     "fils", "pause_checkins"),
    ("Ah, c'est plus la peine, j'ai vu l'assistante sociale ce matin", "feel_sad"),
])
async def test_after_a_booking_a_cancel_read_as_something_else_still_cancels(
        text, intent, sync_redis, prefix):
    talk = await _booked(sync_redis, prefix, "lundi 15h")
    off = CollectingDispatcher()
    await ActionAmendCall().run(off, _tracker(talk.sender, text, intent, form_open=False), {})
    assert [m["response"] for m in off.messages] == ["utter_call_cancelled"]
    assert _booked_at(sync_redis, prefix, talk.sender) is None


@pytest.mark.parametrize("text, intent, usual", [
    ("j'ai fait un gâteau, au revoir", "share_day", "utter_share_day"),
    ("je pars chez ma fille la semaine prochaine, au revoir", "pause_checkins",
     "action_pause_checkins"),
    ("merci, au revoir", "goodbye", "action_goodbye"),
    ("je suis un peu triste ce soir", "feel_sad", "utter_feel_sad"),
])
async def test_after_a_booking_a_farewell_keeps_the_call(text, intent, usual, sync_redis,
                                                         prefix):
    talk = await _booked(sync_redis, prefix, "lundi 15h")
    events = await ActionAmendCall().run(
        CollectingDispatcher(), _tracker(talk.sender, text, intent, form_open=False),
        {"responses": {"utter_feel_sad": []}})
    assert events == [FollowupAction(usual)]
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-30 15:00"


@pytest.mark.parametrize("text, intent", [("oui", "affirm"), ("ok d'accord", "affirm"),
                                          ("oui volontiers", "nlu_fallback")])
async def test_a_yes_that_opened_the_form_gets_the_question_not_a_not_understood(
        text, intent, sync_redis, prefix):
    talk = Conversation()
    talk.open = True  # the offer's yes opened the form; Rasa validates that same message
    assert await talk.say(text, intent) == ["utter_ask_call_time"]
    assert await talk.say("mardi 15h", "schedule_call") == BOOKED


@pytest.mark.parametrize("text, call", [
    ("dans 3 jours ça m'arrange mieux, d'ici là je suis chez ma sœur à Rodez", True),
    ("dans quinze jours, le jeudi 10", True),
    ("Je pars chez ma fille une semaine, pas de messages pendant ce temps.", False),
    ("jrentre a l'hosto lundi pr 3 jours, mettez en pause svp", False),
])
async def test_a_pause_without_a_word_of_absence_is_a_call_asked_for(text, call,
                                                                     sync_redis, prefix):
    from actions.checkins import ActionPauseCheckins

    sender = f"test:{uuid.uuid4().hex[:8]}"
    dispatcher = CollectingDispatcher()
    events = await ActionPauseCheckins().run(
        dispatcher, _tracker(sender, text, "pause_checkins", form_open=False), {})
    assert (events == [FollowupAction("call_form")]) is call
    assert bool(dispatcher.messages) is not call


async def test_the_message_that_opened_the_form_is_read_whatever_its_intent(domain):
    # "appelez moi a 9h svp" read as a request for a human: the rules alert the
    # team and open the form, which reads the 9h (past today: tomorrow).
    from rasa.shared.core.events import ActiveLoop
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker.from_events(
        f"test:{uuid.uuid4().hex[:10]}", _user("appelez moi a 9h svp", "request_human"),
        slots=domain.slots)
    events = await _run_form(domain, tracker)
    assert ActiveLoop(None) in events
    assert tracker.get_slot("call_at") == datetime(2026, 11, 26, 9, 0, tzinfo=PARIS).isoformat()
    # A request for a human once the form is open still leaves it to the rules.
    opened = DialogueStateTracker.from_events(
        f"test:{uuid.uuid4().hex[:10]}", _user("/schedule_call", "schedule_call"),
        slots=domain.slots)
    await _run_form(domain, opened)
    opened.update_with_events(_user("je veux parler à quelqu'un demain 15h",
                                    "request_human"), domain)
    from rasa.core.actions.action import ActionExecutionRejection
    with pytest.raises(ActionExecutionRejection):
        await _run_form(domain, opened)


async def test_a_day_told_the_message_before_is_the_day_of_the_hour(domain):
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker.from_events(
        f"test:{uuid.uuid4().hex[:10]}",
        _user("je suis chez le médecin à 14h demain, après ça va", "health_minor")
        + [ActionExecuted("utter_health_minor")]
        + _user("16h30 ça ira", "schedule_call"), slots=domain.slots)
    await _run_form(domain, tracker)
    assert tracker.get_slot("call_at") == datetime(2026, 11, 26, 16, 30,
                                                   tzinfo=PARIS).isoformat()
    # Once a call was booked since, the earlier day is not carried over.
    after = DialogueStateTracker.from_events(
        f"test:{uuid.uuid4().hex[:10]}",
        _user("samedi ça m'irait", "schedule_call") + [ActionExecuted("action_book_call")]
        + _user("16h30 ça ira", "schedule_call"), slots=domain.slots)
    await _run_form(domain, after)
    assert after.get_slot("call_at") == datetime(2026, 11, 25, 16, 30,
                                                 tzinfo=PARIS).isoformat()


async def test_after_a_booking_another_hour_refused_keeps_it_and_instead_moves_it(
        sync_redis, prefix):
    talk = await _booked(sync_redis, prefix, "demain 9h30")
    kept = CollectingDispatcher()
    await ActionAmendCall().run(kept, _tracker(
        talk.sender, "Not 8:30, I take my kids to school then", "nlu_fallback",
        form_open=False), {})
    assert [m["response"] for m in kept.messages] == ["utter_call_kept"]
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-26 09:30"
    events = await ActionAmendCall().run(CollectingDispatcher(), _tracker(
        talk.sender, "Sorry, cancel Friday, can we do Sunday 4 pm instead?", "cancel_call",
        form_open=False), {})
    assert events[-1] == FollowupAction("call_form")
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-26 09:30"
    moved = await ActionCancelCall().run(CollectingDispatcher(), _tracker(
        talk.sender, "Sorry, cancel Friday, can we do Sunday 4 pm instead?", "cancel_call",
        form_open=False), {})
    assert moved[-1] == FollowupAction("call_form")
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-26 09:30"


async def test_the_moment_called_off_is_not_booked_again_by_the_form(sync_redis, prefix):
    # "mardi je commence un stage" with Tuesday 11h booked: the call is called
    # off and another moment asked; reading the same message, the form must not
    # book Tuesday 11h again.
    said = "mardi je commence un stage, je ne pourrai pas être là"
    talk = await _booked(sync_redis, prefix, "mardi 11h")
    events = await ActionCancelCall().run(CollectingDispatcher(), _tracker(
        talk.sender, said, "cancel_call", form_open=False), {})
    assert events[-1] == FollowupAction("call_form")
    talk.slots.update(_slots(events))
    assert await talk.say(said, "cancel_call") != BOOKED
    assert _booked_at(sync_redis, prefix, talk.sender) is None


async def test_a_question_about_cancelling_that_keeps_the_call_keeps_it(sync_redis, prefix):
    said = ("Au fait, si j'avais un empêchement, comment on annule ? Je demande pour savoir, "
            "pour mardi c'est entendu, je serai là.")
    talk = await _booked(sync_redis, prefix, "mardi 11h")
    kept = CollectingDispatcher()
    events = await ActionCancelCall().run(kept, _tracker(talk.sender, said, "cancel_call",
                                                         form_open=False), {})
    # kept, and the question answered (the word to write when it has to be)
    assert events == [] and [m["response"] for m in kept.messages] == [
        "utter_call_kept_how_to_cancel"]
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-12-01 11:00"


async def test_after_a_booking_a_cancellation_without_the_rules_words_calls_it_off(
        sync_redis, prefix):
    # read as thanks, no word the rules know: the learnt reader reads it
    talk = await _booked(sync_redis, prefix, "lundi 15h")
    off = CollectingDispatcher()
    await ActionAmendCall().run(off, _tracker(
        talk.sender, "l'appel prévu, on le supprime, j'ai trop de monde à la maison, merci",
        "thank", form_open=False), {})
    assert [m["response"] for m in off.messages] == ["utter_call_cancelled"]
    assert _booked_at(sync_redis, prefix, talk.sender) is None


async def test_the_learnt_reader_calls_off_only_a_message_about_the_call(sync_redis, prefix):
    talk = await _booked(sync_redis, prefix, "lundi 15h")
    # about nothing booked (the learnt reader alone would read a cancellation), and
    # a goodbye (which ends many of the cancellations it learnt from)
    kept = CollectingDispatcher()
    await ActionAmendCall().run(kept, _tracker(
        talk.sender, "on a supprimé la ligne de bus 12 qui passait devant chez moi",
        "share_day", form_open=False), {})
    assert "utter_call_cancelled" not in [m.get("response") for m in kept.messages]
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-30 15:00"
    await ActionAmendCall().run(CollectingDispatcher(), _tracker(
        talk.sender, "merci, au revoir", "goodbye", form_open=False), {})
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-30 15:00"
    # another weekday than the call's: kept; the call's weekday: called off
    other = CollectingDispatcher()
    await ActionAmendCall().run(other, _tracker(
        talk.sender, "je me retire pour mardi, désolée du dérangement", "share_day",
        form_open=False), {})
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-30 15:00"
    off = CollectingDispatcher()
    await ActionAmendCall().run(off, _tracker(
        talk.sender, "je me retire pour lundi, désolée du dérangement", "share_day",
        form_open=False), {})
    assert [m["response"] for m in off.messages] == ["utter_call_cancelled"]
    assert _booked_at(sync_redis, prefix, talk.sender) is None


@pytest.mark.parametrize("action, text, intent", [
    (ActionCancelCall(), "ne m'appelez pas samedi, je serai chez ma fille", "cancel_call"),
    (ActionAmendCall(), "je ne pourrai pas samedi, je serai chez ma fille", "nlu_fallback"),
])
async def test_a_day_refused_that_is_not_the_calls_keeps_the_call(
        sync_redis, prefix, action, text, intent):
    # Monday's call is not the one talked about; the same words on the call's
    # own day still call it off.
    talk = await _booked(sync_redis, prefix, "lundi 15h")
    kept = CollectingDispatcher()
    await action.run(kept, _tracker(talk.sender, text, intent, form_open=False), {})
    assert [m["response"] for m in kept.messages] == ["utter_call_kept"]
    assert _booked_at(sync_redis, prefix, talk.sender) == "2026-11-30 15:00"
    events = await action.run(CollectingDispatcher(), _tracker(
        talk.sender, text.replace("samedi", "lundi"), intent, form_open=False), {})
    # called off here, or handed to the action that calls it off and asks again
    assert _booked_at(sync_redis, prefix, talk.sender) is None \
        or events[-1] == FollowupAction("action_cancel_call")
