"""bot.rasa.nlg.ListeningNLG: no sentence twice in a conversation, the grief guard, the memory."""

from __future__ import annotations

import re
import uuid
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa.core.nlg.generator import NaturalLanguageGenerator, ResponseVariationFilter
from rasa.shared.core.events import BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.core import clock

from bot.companion import memory
from bot.rasa.nlg import ListeningNLG, sentences
from tests.support.paths import ROOT

_VARIABLE = re.compile(r"\{(\w+)\}")


def _tracker(domain, text: str = "bonjour", intent: str = "greet",
             slots: Optional[Dict[str, Any]] = None, before: Optional[List] = None,
             entities: Optional[List] = None) -> DialogueStateTracker:
    events = list(before or [])
    events += [SlotSet(k, v) for k, v in (slots or {}).items()]
    events.append(UserUttered(text, {"name": intent, "confidence": 1.0},
                              entities or [], message_id=uuid.uuid4().hex))
    return DialogueStateTracker.from_events(f"test:{uuid.uuid4().hex[:8]}", events,
                                            slots=domain.slots)


async def _say(nlg: ListeningNLG, response: str, tracker: DialogueStateTracker,
               **kwargs: Any) -> Dict[str, Any]:
    """Generate a response and add it to the conversation as Rasa does."""
    message = await nlg.generate(response, tracker, "rest", **kwargs)
    assert message is not None, response
    metadata = {k: v for k, v in message.items() if k not in ("text", "buttons")}
    tracker.update(BotUttered(message["text"], {"buttons": message.get("buttons")},
                              metadata=dict(metadata, utter_action=response)))
    return message


def _fill_values(variations: List[Dict[str, Any]]) -> Dict[str, str]:
    """A distinct value for every template variable (slots included)."""
    names = {n for v in variations for n in _VARIABLE.findall(v.get("text") or "")}
    return {n: f"<{n}>" for n in names if n not in ("remembered_name", "remembered_about")}


CONDITIONS = [{}, {"register": "tu"}, {"language": "en"}]


@pytest.mark.parametrize("slots", CONDITIONS, ids=["vous", "tu", "en"])
async def test_no_response_repeats_a_sentence_until_its_variations_are_used_up(domain, slots):
    """Every response of the domain, under each condition: as many different
    replies as the conditions allow, then the least recently sent first."""
    nlg = ListeningNLG(domain=domain)
    checked = 0
    for response in domain.responses:
        tracker = _tracker(domain, slots=slots)
        allowed = ResponseVariationFilter(domain.responses).responses_for_utter_action(
            response, "rest", tracker.current_slot_values())
        allowed = [v for v in allowed if "{remembered_" not in v.get("text", "")]
        values = _fill_values(allowed)
        texts = [(await _say(nlg, response, tracker, **values))["text"]
                 for _ in range(len(allowed))]
        assert sorted(texts) == sorted(
            nlg._fill_response(dict(v), tracker.current_slot_values(), **values)["text"]
            for v in allowed), response
        # All sent: never the latest again.
        if len(texts) > 1:
            assert (await _say(nlg, response, tracker, **values))["text"] != texts[-1]
        checked += 1
    assert checked == len(domain.responses) > 50


async def test_when_all_were_sent_the_one_sent_longest_ago_comes_back(domain):
    nlg = ListeningNLG(domain=domain)
    tracker = _tracker(domain, "gloubi", "nlu_fallback")
    count = len([v for v in domain.responses["utter_fallback"] if not v.get("condition")])
    texts = [(await _say(nlg, "utter_fallback", tracker))["text"] for _ in range(count)]
    assert len(set(texts)) == count
    again = [(await _say(nlg, "utter_fallback", tracker))["text"] for _ in range(count)]
    assert again == texts


async def test_a_sentence_sent_by_another_response_or_a_checkin_is_not_sent_again(domain):
    nlg = ListeningNLG(domain=domain)
    # The worker's check-in is a plain text in the conversation.
    checkin = "Bonjour Odette ! Comment allez-vous ce jeudi matin ?"
    shared = ("Bonjour ! Ici Lien. Comment se passe votre journée ?")
    before = [BotUttered(checkin), BotUttered("Bla. " + shared.split(". ", 1)[1])]
    for _ in range(20):
        tracker = _tracker(domain, before=before)
        said = (await nlg.generate("utter_greet", tracker, "rest"))["text"]
        assert said != shared
        assert not sentences(said) & sentences(before[1].text)


async def test_the_same_question_at_another_time_of_day_is_not_asked_again(domain):
    nlg = ListeningNLG(domain=domain)
    before = [BotUttered("Bonjour Odette ! Comment allez-vous ce jeudi matin ?")]
    same = "Comment allez-vous aujourd'hui ?"
    for _ in range(20):
        said = (await nlg.generate("utter_greet", _tracker(domain, before=before), "rest"))
        assert same not in said["text"]
    assert sentences("Comment vous sentez-vous ce soir ?") & sentences(
        "Bonsoir. Comment vous sentez-vous en ce moment ?")
    assert not sentences("Comment allez-vous ?") & sentences("Comment vous sentez-vous ?")


async def test_what_was_said_before_the_session_started_may_come_back(domain):
    nlg = ListeningNLG(domain=domain)
    allowed = [v["text"] for v in domain.responses["utter_fallback"] if not v.get("condition")]
    old = [BotUttered(text) for text in allowed[:-1]]
    tracker = _tracker(domain, before=old + [SessionStarted()])
    seen = {(await _say(nlg, "utter_fallback", tracker))["text"] for _ in allowed}
    assert seen == set(allowed)
    # Without the new session, the one never sent comes first.
    tracker = _tracker(domain, before=old)
    assert (await nlg.generate("utter_fallback", tracker, "rest"))["text"] == allowed[-1]


async def test_a_filled_variation_counts_as_sent_whatever_it_was_filled_with(domain):
    nlg = ListeningNLG(domain=domain)
    tracker = _tracker(domain, "mon chat Pompon", "nlu_fallback")
    count = len([v for v in domain.responses["utter_fallback_reflect"] if not v.get("condition")])
    first = await _say(nlg, "utter_fallback_reflect", tracker, about="de votre chat Pompon")
    ids = {first["variation"]}
    for _ in range(count - 1):
        ids.add((await _say(nlg, "utter_fallback_reflect", tracker,
                            about="de votre fille")).get("variation"))
    assert len(ids) == count


@pytest.mark.parametrize("text", [
    "Ma femme est décédée il y a un an aujourd'hui, je vais bien mais c'est dur",
    "c'était l'enterrement de mon frère ce matin, il y avait du monde et du soleil",
    "Aujourd'hui ça fait 3 ans que maman nous a quittés. Belle journée quand même",
])
async def test_grief_never_gets_a_cheerful_reply(domain, text):
    nlg = ListeningNLG(domain=domain)
    cheerful = {v["text"] for v in domain.responses["utter_mood_good"]}
    heard = {v["text"] for v in domain.responses["utter_grief_heard"]}
    for slots in ({}, {"register": "tu"}):
        tracker = _tracker(domain, text, "mood_good", slots=slots)
        for _ in range(4):
            said = (await _say(nlg, "utter_mood_good", tracker))["text"]
            assert said in heard and said not in cheerful
            assert "bonne nouvelle" not in said.lower()


@pytest.mark.parametrize("response, guarded", [
    ("utter_goodbye", "utter_grief_goodbye"), ("utter_thank", "utter_grief_heard"),
    ("utter_share_day", "utter_grief_heard"), ("utter_greet", "utter_grief_heard"),
])
async def test_closings_and_thanks_about_a_loss_are_answered_gently(domain, response, guarded):
    nlg = ListeningNLG(domain=domain)
    gentle = {v["text"] for v in domain.responses[guarded]}
    tracker = _tracker(domain, "Bonne soirée, demain c'est l'anniversaire de la mort de Jean",
                       "goodbye")
    assert (await nlg.generate(response, tracker, "rest"))["text"] in gentle
    plain = _tracker(domain, "Bonne soirée, à demain", "goodbye")
    assert (await nlg.generate(response, plain, "rest"))["text"] not in gentle


async def test_a_good_mood_without_grief_is_still_welcomed(domain):
    nlg = ListeningNLG(domain=domain)
    tracker = _tracker(domain, "Je suis allée au marché, il faisait beau, ça m'a fait du bien",
                       "mood_good")
    said = (await nlg.generate("utter_mood_good", tracker, "rest"))["text"]
    assert said in {v["text"] for v in domain.responses["utter_mood_good"]}


def test_rasa_builds_it_from_endpoints_yml(domain, prefix):
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))["nlg"]
    assert config["type"] == "bot.rasa.nlg.ListeningNLG"
    # The other entries are still there.
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert {"action_endpoint", "tracker_store", "lock_store", "nlg"} <= set(endpoints)
    nlg = NaturalLanguageGenerator.create(
        EndpointConfig(url="redis://127.0.0.1:6379/0", type=config["type"],
                       key_prefix=prefix), domain)
    assert isinstance(nlg, ListeningNLG)
    assert nlg.prefix == prefix and nlg.responses == domain.responses


async def test_a_name_shared_comes_back_once_in_a_later_greeting(domain, redis_client, prefix):
    nlg = ListeningNLG(domain=domain, redis=redis_client)
    nlg.prefix = prefix
    tracker = _tracker(domain, "Mon chat Pompon a encore renversé le pot de fleurs",
                       "share_day")
    await _say(nlg, "utter_share_day", tracker)
    key = memory.MemoryKeys(prefix).memory(tracker.sender_id)
    assert b"Pompon" in (await redis_client.hgetall(key))[b"names"]
    tracker.update(UserUttered("bonjour", {"name": "greet"}, message_id="m2"))
    # Not a minute after he was mentioned...
    assert "Pompon" not in (await _say(nlg, "utter_greet", tracker))["text"]
    # ... but in a later conversation (he was mentioned two hours ago).
    await memory.remember(redis_client, prefix, tracker.sender_id, "Mon chat Pompon",
                          clock.now() - 2 * 3600)
    later = DialogueStateTracker.from_events(
        tracker.sender_id, [UserUttered("bonjour", {"name": "greet"}, message_id="m3")],
        slots=domain.slots)
    greeting = (await _say(nlg, "utter_greet", later))["text"]
    assert "Pompon" in greeting and "{remembered" not in greeting
    # Once a day at most.
    later.update(UserUttered("re bonjour", {"name": "greet"}, message_id="m4"))
    again = (await _say(nlg, "utter_greet", later))["text"]
    assert "Pompon" not in again and "{remembered" not in again


async def test_nothing_is_remembered_from_a_risk_message(domain, redis_client, prefix):
    nlg = ListeningNLG(domain=domain, redis=redis_client)
    nlg.prefix = prefix
    tracker = _tracker(domain, "mon mari Paul me frappe", "risk_violence",
                       entities=[{"entity": "risk_level", "value": "high"}])
    await nlg.generate("utter_risk_violence", tracker, "rest")
    assert not await redis_client.exists(memory.MemoryKeys(prefix).memory(tracker.sender_id))


class _BrokenRedis:
    def __getattr__(self, name):
        raise ConnectionError("redis is down")


async def test_a_reply_is_never_lost_for_the_memory(domain):
    nlg = ListeningNLG(domain=domain, redis=_BrokenRedis())
    tracker = _tracker(domain, "Ma fille Julie vient demain", "share_day")
    assert (await nlg.generate("utter_share_day", tracker, "rest"))["text"]
    assert (await nlg.generate("utter_greet", tracker, "rest"))["text"]


async def test_through_rasas_own_actions_the_bot_events_carry_the_variation(domain):
    """Rasa's response action and a custom action's response, as the server runs them."""
    from rasa.core.actions.action import ActionBotResponse, RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel

    nlg = ListeningNLG(domain=domain)
    tracker = _tracker(domain, "gloubi", "nlu_fallback")
    channel = CollectingOutputChannel()
    said = []
    for _ in range(5):
        events = await ActionBotResponse("utter_ask_more").run(channel, nlg, tracker, domain)
        (event,) = events
        assert event.metadata["variation"] and event.metadata["utter_action"] == "utter_ask_more"
        tracker.update(event)
        said.append(event.text)
    assert len(set(said)) == 5
    bots = await RemoteAction._utter_responses(
        [{"response": "utter_fallback_reflect", "about": "de votre fille Julie"}],
        channel, nlg, tracker)
    (event,) = bots
    assert "de votre fille Julie" in event.text and event.metadata["variation"]


async def test_with_a_first_name_the_memory_still_comes_back(domain, redis_client, prefix):
    nlg = ListeningNLG(domain=domain, redis=redis_client)
    nlg.prefix = prefix
    for register in ("vous", "tu"):
        tracker = _tracker(domain, "salut", "greet", slots={
            "register": register, "has_first_name": True, "first_name": "Odette"})
        await memory.remember(redis_client, prefix, tracker.sender_id,
                              "Mon petit-fils Léo", clock.now() - 2 * 3600)
        greeting = (await nlg.generate("utter_greet", tracker, "rest"))["text"]
        # (Rasa lets "tu" variations without the first name compete.)
        assert "Léo" in greeting and ("Odette" in greeting or register == "tu")
