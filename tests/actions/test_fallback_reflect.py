"""action_fallback says back what a message is about, and the NLG words it without repeats."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import LONG_ANSWER, ActionFallback
from bot.rasa.nlg import ListeningNLG, sentences


def _tracker(text: str, slots: Optional[Dict[str, Any]] = None,
             before: Optional[List[Dict[str, Any]]] = None,
             entities: Optional[List[Dict[str, Any]]] = None) -> Tracker:
    message = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.3},
               "entities": entities or [], "message_id": uuid.uuid4().hex}
    user = {"event": "user", "text": text, "parse_data": message, "input_channel": "rest"}
    return Tracker(sender_id=f"test:{uuid.uuid4().hex[:10]}", slots=slots or {},
                   latest_message=message, events=(before or []) + [user], paused=False,
                   followup_action=None, active_loop={}, latest_action_name="action_listen")


async def _run(tracker: Tracker) -> Dict[str, Any]:
    dispatcher = CollectingDispatcher()
    assert await ActionFallback().run(dispatcher, tracker, {}) == []
    (message,) = dispatcher.messages
    return message


ASKED = {"event": "bot", "text": "Bonjour Odette ! Comment allez-vous ce jeudi matin ?"}
LONG = ("Alors ce matin je me suis levée tôt, j'ai pris mon café sur le balcon en regardant "
        "les gens passer, ensuite j'ai rangé un peu et j'ai attendu le facteur")


@pytest.mark.parametrize("text, register, about", [
    ("Ma fille Julie ne m'appelle plus trop", "vous", "de votre fille Julie"),
    ("Ma fille Julie ne m'appelle plus trop", "tu", "de ta fille Julie"),
    ("mon chat qui s'appelle pompon dort sur le radiateur", "vous", "de votre chat Pompon"),
    ("Mon petit-fils Léo passe dimanche avec sa copine", "vous", "de votre petit-fils Léo"),
    ("ma voisine fait trop de bruit le soir", "vous", "de votre voisine"),
    ("j'ai repiqué les tomates au potager ce matin", "vous", "de votre jardin"),
])
async def test_a_message_not_understood_is_said_back(text, register, about):
    message = await _run(_tracker(text, slots={"register": register}))
    assert message["response"] == "utter_fallback_reflect"
    assert message["about"] == about


@pytest.mark.parametrize("text", [
    "gloubi boulga",
    "mon connard de voisin Paul m'a encore pourri la vie",  # insult: nothing echoed
    "j'ai mal au dos depuis le jardin",  # health: no topic said back
])
async def test_nothing_usable_gets_the_safe_generic_form(text):
    message = await _run(_tracker(text))
    assert message["response"] == "utter_fallback"
    assert "about" not in message


async def test_a_risk_read_by_the_nlu_is_never_echoed():
    tracker = _tracker("ma fille Julie et moi on en peut plus",
                       entities=[{"entity": "risk_level", "value": "uncertain"}])
    message = await _run(tracker)
    assert message["response"] == "utter_fallback" and "about" not in message


@pytest.mark.parametrize("text", [
    "Mon mari Jean est décédé il y a un an jour pour jour",
    "c'est l'anniversaire de sa mort aujourd'hui",
])
async def test_grief_gets_condolences_not_a_request_to_rephrase(text):
    message = await _run(_tracker(text, before=[ASKED]))
    assert message["response"] == "utter_grief_heard"


async def test_a_long_answer_to_the_assistants_question_is_thanked_and_moves_on():
    assert len(LONG) >= LONG_ANSWER
    message = await _run(_tracker(LONG, before=[ASKED]))
    assert message["response"] == "utter_fallback_long"
    named = LONG + ", ma fille Julie devait passer"
    message = await _run(_tracker(named, before=[ASKED]))
    assert message["response"] == "utter_fallback_long_reflect"
    assert message["about"] == "de votre fille Julie"


async def test_a_long_message_that_answers_no_question_is_not_an_answer():
    said = {"event": "bot", "text": "D'accord, pas de souci. Je reste là."}
    assert (await _run(_tracker(LONG, before=[said])))["response"] == "utter_fallback"
    short = "je sais pas trop quoi dire"
    assert (await _run(_tracker(short, before=[ASKED])))["response"] == "utter_fallback"


async def test_the_human_offer_after_two_misunderstandings_stays():
    earlier = {"event": "user", "text": "??",
               "parse_data": {"intent": {"name": "nlu_fallback"}}}
    message = await _run(_tracker("Ma fille Julie", before=[earlier]))
    assert message["response"] == "utter_offer_human"


def _rasa_tracker(domain, asked: str, text: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "test:chain", [SlotSet("register", "vous"), BotUttered(asked),
                       UserUttered(text, {"name": "nlu_fallback"})], slots=domain.slots)


async def test_the_reply_is_short_never_the_whole_message_and_never_the_same_question(domain):
    """The action's choice, worded by the NLG as the Rasa server does."""
    nlg = ListeningNLG(domain=domain)
    asked = ASKED["text"]
    for text in (LONG, LONG + ", ma fille Julie devait passer"):
        message = await _run(_tracker(text, before=[ASKED]))
        kwargs = {k: v for k, v in message.items() if k in ("about",)}
        for _ in range(10):
            reply = await nlg.generate(message["response"], _rasa_tracker(domain, asked, text),
                                       "rest", **kwargs)
            said = reply["text"]
            assert len(said) <= 200 and text not in said and LONG[:40] not in said
            assert said.endswith("?") and not sentences(said) & sentences(asked)
            assert "comment allez-vous" not in said.lower()
            assert "{" not in said


async def test_the_same_reflection_is_not_worded_twice_in_a_conversation(domain):
    nlg = ListeningNLG(domain=domain)
    tracker = _rasa_tracker(domain, "Bonjour ! Comment allez-vous ?", "ma fille Julie")
    said = []
    for about in ("de votre fille Julie", "de votre chat Pompon", "de votre jardin",
                  "de votre voisine"):
        reply = await nlg.generate("utter_fallback_reflect", tracker, "rest", about=about)
        tracker.update(BotUttered(reply["text"], metadata={"variation": reply["variation"]}))
        said.append(reply["variation"])
    assert len(set(said)) == 4


@pytest.mark.parametrize("text", ["dem1 vers 16h svp", "on s'appelle samedi vers 11h ?"])
async def test_a_call_asked_for_at_a_moment_opens_the_booking_form(text, redis_client):
    dispatcher = CollectingDispatcher()
    events = await ActionFallback().run(dispatcher, _tracker(text), {})
    assert events == [{"event": "followup", "name": "call_form", "timestamp": None}]
    assert dispatcher.messages == []


async def test_a_moment_in_a_risk_message_does_not_open_the_form(redis_client):
    risky = [{"entity": "risk_level", "value": "watch"}]
    dispatcher = CollectingDispatcher()
    events = await ActionFallback().run(
        dispatcher, _tracker("samedi à 11h je serai plus là", entities=risky), {})
    assert events == []
    assert dispatcher.messages
