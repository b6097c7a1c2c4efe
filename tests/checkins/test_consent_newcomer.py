"""Consent for every newcomer: the answer, then the question once; a yes offers a call."""

from __future__ import annotations

import uuid

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.checkins import ActionAskConsent, ActionConsentAnswer, ActionGreet
from actions.consent import ActionOptIn
from tests.support.paths import ROOT

RISK_INTENTS = {"risk_suicide", "risk_violence", "risk_child", "risk_medical"}


def _tracker(intent="share_day", text="j'ai vu ma voisine ce matin", slots=None,
             sender=None):
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0},
               "entities": [], "message_id": uuid.uuid4().hex}
    return Tracker(
        sender_id=sender or f"test:{uuid.uuid4().hex[:10]}",
        slots={"consent_pending": True} if slots is None else slots,
        latest_message=message,
        events=[{"event": "user", "text": text, "parse_data": message,
                 "input_channel": "rest"}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def _responses(dispatcher):
    return [m.get("response") for m in dispatcher.messages]


async def _ask(tracker):
    dispatcher = CollectingDispatcher()
    events = await ActionAskConsent().run(dispatcher, tracker, {})
    return _responses(dispatcher), events


async def test_a_story_first_is_followed_by_the_consent_question_once(sync_redis, prefix):
    tracker = _tracker()
    said, events = await _ask(tracker)
    assert said == ["utter_consent_ask"]
    assert events == [SlotSet("consent_pending", None)]
    person = sync_redis.hgetall(f"{prefix}:person:{tracker.sender_id}")
    assert person["status"] == "pending" and person["consent_asked_ts"]
    # Even if the slot came back (a retry, an old session), never twice.
    again, events = await _ask(_tracker(sender=tracker.sender_id))
    assert again == [] and events == [SlotSet("consent_pending", None)]


async def test_after_the_start_command_s_welcome_it_is_not_asked_again(sync_redis, prefix):
    tracker = _tracker()
    tracker.events.insert(0, {"event": "bot", "text": "Bonjour, ici Lien…",
                              "metadata": {"utter_action": "utter_welcome"}})
    said, events = await _ask(tracker)
    assert said == [] and events == [SlotSet("consent_pending", None)]
    assert sync_redis.hget(f"{prefix}:person:{tracker.sender_id}", "consent_asked_ts")


async def test_nothing_is_asked_without_the_slot(sync_redis, prefix):
    tracker = _tracker(slots={})
    assert await _ask(tracker) == ([], [])
    assert not sync_redis.hget(f"{prefix}:person:{tracker.sender_id}", "consent_asked_ts")


async def test_someone_who_agreed_is_not_asked(sync_redis, prefix):
    tracker = _tracker()
    sync_redis.hset(f"{prefix}:person:{tracker.sender_id}",
                    mapping={"status": "active", "consent_at": "2026-11-01"})
    assert await _ask(tracker) == ([], [SlotSet("consent_pending", None)])


@pytest.mark.parametrize("case", ["open_case", "risk_intent", "risk_context"])
async def test_someone_in_difficulty_is_not_asked_now_but_later(sync_redis, prefix, case):
    if case == "risk_intent":
        tracker = _tracker("risk_suicide", "je veux en finir")
    elif case == "risk_context":
        tracker = _tracker(slots={"consent_pending": True,
                                  "risk_context": "suicide:high:context"})
    else:
        tracker = _tracker()
        sync_redis.set(f"{prefix}:person:{tracker.sender_id}:case", "c1")
    # The slot stays: the question comes after a later answer.
    assert await _ask(tracker) == ([], [])
    assert not sync_redis.hget(f"{prefix}:person:{tracker.sender_id}", "consent_asked_ts")
    sync_redis.delete(f"{prefix}:person:{tracker.sender_id}:case")
    said, _ = await _ask(_tracker(sender=tracker.sender_id))
    assert said == ["utter_consent_ask"]


async def test_yes_after_the_question_records_consent_and_offers_a_first_call(sync_redis,
                                                                            prefix):
    tracker = _tracker()
    await _ask(tracker)
    dispatcher = CollectingDispatcher()
    events = await ActionConsentAnswer().run(
        dispatcher, _tracker("affirm", "oui", sender=tracker.sender_id), {})
    assert _responses(dispatcher) == ["utter_opt_in"]
    assert FollowupAction("utter_offer_first_call") in events
    person = sync_redis.hgetall(f"{prefix}:person:{tracker.sender_id}")
    assert person["status"] == "active" and person["consent_how"].startswith("oui")


async def test_no_after_the_question_schedules_nothing(sync_redis, prefix):
    tracker = _tracker()
    await _ask(tracker)
    dispatcher = CollectingDispatcher()
    events = await ActionConsentAnswer().run(
        dispatcher, _tracker("deny", "non merci", sender=tracker.sender_id), {})
    assert _responses(dispatcher) == ["utter_consent_declined"]
    assert events == []
    assert sync_redis.hget(f"{prefix}:person:{tracker.sender_id}", "status") == "pending"
    # A no is not asked again: not after an answer, not at the next greeting.
    assert await _ask(_tracker(sender=tracker.sender_id)) == (
        [], [SlotSet("consent_pending", None)])
    greeted = CollectingDispatcher()
    await ActionGreet().run(greeted, _tracker("greet", "bonjour", sender=tracker.sender_id),
                            {})
    assert _responses(greeted) == ["utter_greet"]
    # A later "oui" is not taken as a consent.
    later = CollectingDispatcher()
    await ActionConsentAnswer().run(later, _tracker("affirm", "oui",
                                                    sender=tracker.sender_id), {})
    assert _responses(later) == ["utter_affirm_generic"]
    assert sync_redis.hget(f"{prefix}:person:{tracker.sender_id}", "status") == "pending"


async def test_the_consent_button_offers_a_call_only_at_the_first_yes(sync_redis, prefix):
    tracker = _tracker("opt_in", "/opt_in")
    events = await ActionOptIn().run(CollectingDispatcher(), tracker, {})
    assert FollowupAction("utter_offer_first_call") in events
    # START again later (back from an opt-out): the consent is already known.
    events = await ActionOptIn().run(CollectingDispatcher(), tracker, {})
    assert FollowupAction("utter_offer_first_call") not in events


async def test_a_greeting_asks_once_and_clears_the_slot(sync_redis, prefix):
    tracker = _tracker("greet", "bonjour")
    dispatcher = CollectingDispatcher()
    events = await ActionGreet().run(dispatcher, tracker, {})
    assert _responses(dispatcher) == ["utter_welcome"]
    assert events == [SlotSet("consent_pending", None)]
    assert await _ask(_tracker(sender=tracker.sender_id)) == (
        [], [SlotSet("consent_pending", None)])


# -- the rules that run the question -----------------------------------------------

def _rules():
    return yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]


def _consent_rules():
    return [r for r in _rules()
            if {"slot_was_set": [{"consent_pending": True}]} in (r.get("condition") or [])]


def test_a_story_a_question_a_need_and_a_feeling_are_all_followed_by_the_question():
    asked = {}
    for rule in _consent_rules():
        steps = rule["steps"]
        assert steps[-1] == {"action": "action_ask_consent"}, rule["rule"]
        assert len(steps) == 3 and "intent" in steps[0], rule["rule"]
        asked[steps[0]["intent"]] = steps[1]["action"]
    assert {"share_day", "bot_challenge", "ask_privacy", "need_food", "need_money",
            "feel_lonely", "feel_sad", "mood_bad"} <= set(asked)
    # The answer is the one the plain rule gives: answer first, then the question.
    plain = {r["steps"][0]["intent"]: r["steps"][1]["action"] for r in _rules()
             if not r.get("condition") and len(r["steps"]) == 2
             and "intent" in r["steps"][0]}
    for intent, answer in asked.items():
        assert plain[intent] == answer, intent


def test_risk_is_never_followed_by_the_question():
    # RiskPolicy answers risk first (config.yml); no consent rule is keyed on it.
    for rule in _consent_rules():
        assert rule["steps"][0]["intent"] not in RISK_INTENTS
    after_question = [r for r in _rules()
                      if r["steps"][0] == {"action": "action_ask_consent"}]
    assert after_question
    for rule in after_question:
        assert not {s.get("intent") for s in rule["steps"]} & RISK_INTENTS


def test_yes_and_no_after_the_question_and_after_the_call_offer_have_rules():
    pairs = {(r["steps"][0].get("action"), r["steps"][1].get("intent")):
             r["steps"][2].get("action") for r in _rules() if len(r["steps"]) >= 3}
    assert pairs[("action_ask_consent", "affirm")] == "action_consent_answer"
    assert pairs[("action_ask_consent", "deny")] == "action_consent_answer"
    assert pairs[("utter_offer_first_call", "affirm")] == "call_form"
    assert pairs[("utter_offer_first_call", "deny")] == "utter_deny_generic"


def test_the_question_and_the_offer_have_buttons_in_every_variant():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, payload in (("utter_consent_ask", "/opt_in"),
                          ("utter_offer_first_call", "/schedule_call")):
        for variant in domain["responses"][name]:
            assert variant["buttons"][0]["payload"] == payload, (name, variant["text"])
