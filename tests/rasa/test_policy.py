"""RiskPolicy: risk is answered first, in every dialogue state."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa.policy import RiskPolicy


@pytest.fixture
def policy(tmp_path):
    """The policy, as Rasa would build it."""
    return RiskPolicy.create(
        {**RiskPolicy.get_default_config()},
        LocalModelStorage(tmp_path),
        Resource("risk_policy"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def _tracker(domain, *events):
    return DialogueStateTracker.from_events("p", list(events), domain.slots)


def _user(intent):
    return UserUttered("...", {"name": intent, "confidence": 1.0})


def _predicted(policy, tracker, domain):
    prediction = policy.predict_action_probabilities(tracker, domain)
    if max(prediction.probabilities) == 0:
        return None, prediction
    return domain.action_names_or_texts[prediction.max_confidence_index], prediction


@pytest.mark.parametrize("category", ["suicide", "violence", "child", "medical"])
def test_the_three_steps_of_a_risk_answer(policy, domain, category):
    tracker = _tracker(domain, ActionExecuted("action_listen"), _user(f"risk_{category}"))
    action, prediction = _predicted(policy, tracker, domain)
    assert action == f"utter_risk_{category}"
    assert prediction.is_no_user_prediction and prediction.policy_priority == 8
    tracker.update(ActionExecuted(action))
    assert _predicted(policy, tracker, domain)[0] == "action_escalate"
    tracker.update(ActionExecuted("action_escalate"))
    assert _predicted(policy, tracker, domain)[0] == "action_listen"
    tracker.update(ActionExecuted("action_listen"))
    assert _predicted(policy, tracker, domain)[0] is None


def test_abstains_on_other_intents(policy, domain):
    tracker = _tracker(domain, ActionExecuted("action_listen"), _user("mood_bad"))
    assert _predicted(policy, tracker, domain)[0] is None


def test_deactivates_an_active_form(policy, domain):
    tracker = _tracker(
        domain,
        ActionExecuted("call_form"),
        ActiveLoop("call_form"),
        SlotSet("requested_slot", "call_time"),
        ActionExecuted("action_listen"),
        _user("risk_suicide"),
    )
    action, prediction = _predicted(policy, tracker, domain)
    assert action == "utter_risk_suicide"
    assert ActiveLoop(None) in prediction.optional_events
    assert SlotSet("requested_slot", None) in prediction.optional_events


@pytest.mark.parametrize("text, response", [
    ("mon petit fils me frappe quand je refuse de lui donner ma retraite",
     "utter_risk_violence_elder"),
    ("l'aide à domicile me bouscule et me crie dessus", "utter_risk_violence_elder"),
    ("mon mari me frappe tous les soirs", "utter_risk_violence"),
])
def test_violence_against_an_older_person_gets_3977_first(text, response):
    from bot.rasa.policy import category_of, clear_reply
    from bot.safety.risk import load_lexicon

    assert clear_reply("violence", load_lexicon().prepare(text)) == response
    assert category_of(response) == "violence"
    assert clear_reply("suicide", load_lexicon().prepare(text)) == "utter_risk_suicide"


def test_the_elder_abuse_answer_gives_3977_before_3919(domain):
    for variant in domain.responses["utter_risk_violence_elder"]:
        text = variant["text"]
        assert "3977" in text and "17" in text and "3919" in text
        assert "3919" not in text or text.index("3977") < text.index("3919")


def test_a_call_asked_for_in_a_risk_message_is_booked_after_the_escalation(policy, domain):
    # "... j'aimerais parler à quelqu'un demain vers 10h": the risk answer first,
    # then the form (settled at once) and the booking, then listen.
    text = ("J'ai dû appeler le 15 cette nuit pour mon voisin, il est tombé. Ça m'a "
            "secouée. J'aimerais bien parler à quelqu'un demain vers 10h")
    tracker = _tracker(domain, ActionExecuted("action_listen"),
                       UserUttered(text, {"name": "risk_medical", "confidence": 1.0}))
    steps = []
    for _ in range(5):
        action, _prediction = _predicted(policy, tracker, domain)
        steps.append(action)
        tracker.update(ActionExecuted(action))
    assert steps == ["utter_risk_medical", "action_escalate", "call_form",
                     "action_book_call", "action_listen"]


def test_a_form_that_asks_after_a_risk_answer_waits_for_the_person(policy, domain):
    text = "je veux mourir. appelez moi demain à 10h"
    tracker = _tracker(domain, ActionExecuted("action_listen"),
                       UserUttered(text, {"name": "risk_suicide", "confidence": 1.0}),
                       ActionExecuted("utter_risk_suicide"), ActionExecuted("action_escalate"),
                       ActionExecuted("call_form"), ActiveLoop("call_form"))
    assert _predicted(policy, tracker, domain)[0] is None


@pytest.mark.parametrize("text", [
    "je veux mourir, je n'en peux plus",  # no call asked for
    "je veux mourir. appelez moi demain",  # no hour: the form would ask
    "j'ai appelé le 15 à 10h, ils arrivent",  # a service called, not a call asked for
])
def test_no_booking_step_without_a_settled_request(policy, domain, text):
    tracker = _tracker(domain, ActionExecuted("action_listen"),
                       UserUttered(text, {"name": "risk_suicide", "confidence": 1.0}),
                       ActionExecuted("utter_risk_suicide"), ActionExecuted("action_escalate"))
    assert _predicted(policy, tracker, domain)[0] == "action_listen"


def _risky(text, category, level, source):
    return UserUttered(text, {"name": f"risk_{category}", "confidence": 1.0},
                       [{"entity": "risk_level", "value": level, "source": source}])


def test_a_cut_sentence_is_invited_to_go_on_and_watched(policy, domain):
    tracker = _tracker(domain, ActionExecuted("action_listen"),
                       _risky("je crois que je vais", "suicide", "watch", "fragment"))
    assert _predicted(policy, tracker, domain)[0] == "utter_listen_on"
    tracker.update(ActionExecuted("utter_listen_on"))
    assert _predicted(policy, tracker, domain)[0] == "action_escalate"
    # a watched message that is not cut is asked about directly
    tracker = _tracker(domain, ActionExecuted("action_listen"),
                       _risky("je suis fatigué de tout", "suicide", "watch", "reader"))
    assert _predicted(policy, tracker, domain)[0] == "utter_safety_ask_suicide"


def test_the_end_of_a_cut_sentence_is_read_with_it(policy, domain):
    tracker = _tracker(domain, ActionExecuted("action_listen"),
                       _risky("je crois que je vais", "suicide", "watch", "fragment"),
                       ActionExecuted("utter_listen_on"), ActionExecuted("action_escalate"),
                       ActionExecuted("action_listen"),
                       UserUttered("en finir cette nuit", {"name": "mood_bad",
                                                           "confidence": 0.6}))
    assert _predicted(policy, tracker, domain)[0] == "utter_risk_suicide"


def _after_a_piece(text, reader, classifier):
    debug = {"reader": reader, "reader_category": "child", "classifier": classifier,
             "classifier_intent": "risk_child"}
    return [ActionExecuted("action_listen"),
            _risky("le petit d'en face il pleure encore dehors, son père l'a", "violence",
                   "watch", "fragment"),
            ActionExecuted("utter_listen_on"), ActionExecuted("action_escalate"),
            ActionExecuted("action_listen"),
            UserUttered(text, {"name": "share_day", "confidence": 0.5},
                        parse_data={"intent": {"name": "share_day", "confidence": 0.5},
                                    "entities": [], "text": text, "risk_debug": debug})]


def test_the_end_of_a_cut_sentence_is_asked_about_on_a_weaker_reading(policy, domain):
    tracker = _tracker(domain, *_after_a_piece(
        "enfermé sur le balcon en tshirt, il fait -2", 0.73, 0.88))
    action, prediction = _predicted(policy, tracker, domain)
    assert action == "utter_safety_ask_child"
    assert any(getattr(e, "key", None) == "risk_context" and e.value == "child:watch:context"
               for e in prediction.optional_events)
    # a harmless end is answered as usual
    tracker = _tracker(domain, *_after_a_piece("battu aux échecs, il est mauvais perdant",
                                               0.002, 0.017))
    assert _predicted(policy, tracker, domain)[0] is None


_BOOKED_SUNDAY = [ActionExecuted("action_listen"),
                  UserUttered("dimanche 11h", {"name": "schedule_call", "confidence": 1.0}),
                  ActionExecuted("call_form"), ActionExecuted("action_book_call"),
                  ActionExecuted("action_listen")]


def _three_steps(policy, tracker, domain):
    """The three actions the policy plays after the latest message."""
    steps = []
    for _ in range(3):
        action, _prediction = _predicted(policy, tracker, domain)
        steps.append(action)
        tracker.update(ActionExecuted(action))
    return steps


def test_a_booked_call_moved_or_called_off_in_an_asked_message_is_not_lost(policy, domain):
    # Right after a booking, a message the readers worry about, which also moves
    # (or calls off) the call: the direct question first, then the amendment.
    booked = _BOOKED_SUNDAY
    for text in ("pardon pas 11h, j'ai la messe. 14h c'est mieux",
                 "annulez l'appel de dimanche, ma fille viendra, pas la peine de déranger",
                 "maman est tombée hier, elle est hospitalisée, elle ne pourra pas "
                 "prendre l'appel de dimanche"):
        tracker = _tracker(domain, *booked, _risky(text, "suicide", "watch", "reader"))
        assert _three_steps(policy, tracker, domain) == [
            "utter_safety_ask_suicide", "action_escalate", "action_amend_call"], text
        # the form that books the new moment does not hide the question: "oui"
        # answers it
        tracker.update(ActionExecuted("call_form"))
        tracker.update(ActionExecuted("action_book_call"))
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered("oui", {"name": "affirm", "confidence": 1.0}))
        assert _predicted(policy, tracker, domain)[0] == "utter_risk_suicide"


def test_a_call_booked_a_few_messages_before_is_called_off_after_the_risk_answer(
        policy, domain):
    # booked, then other things said (the safety conversation among them): a
    # cancellation in a message the readers worry about is still honoured
    booked = [*_BOOKED_SUNDAY,
              UserUttered("il pleut encore", {"name": "share_day", "confidence": 0.9}),
              ActionExecuted("utter_share_day"), ActionExecuted("action_listen")]
    text = "annulez l'appel de dimanche, ma fille viendra, pas la peine de déranger"
    tracker = _tracker(domain, *booked, _risky(text, "suicide", "watch", "reader"))
    assert _three_steps(policy, tracker, domain) == [
        "utter_safety_ask_suicide", "action_escalate", "action_amend_call"]
