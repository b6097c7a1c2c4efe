"""BookingContextPolicy: the message after an offer, a booking or a cancellation."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.calls.when import read
from bot.rasa.booking_policy import AMEND, ANSWER_OFFER, plan

# Thursday 3 December 2026, 10:00 in Paris.
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris")).timestamp()


def _plan(context, text, intent):
    return plan(context, text, intent, read(text, NOW, "Europe/Paris"))


@pytest.mark.parametrize("context, text, intent, expected", [
    # after the offer of a call, a moment is the call's, whatever the intent read
    ("offer", "Demain, mais pas avant 10h, je dors mal la nuit", "sleep_trouble",
     ANSWER_OFFER),
    ("offer", "next tuesday morning please", "nlu_fallback", ANSWER_OFFER),
    # after a booking, a new hour moves it, a cancellation calls it off
    ("booked", "ah non plutôt 11h, à 10h je serai pas encore bien réveillé",
     "sleep_trouble", AMEND),
    ("booked", "laissez tomber", "share_day", AMEND),
    # after a cancellation, a moment asked for books again
    ("cancelled", "en fait mettez dimanche 15h", "nlu_fallback", AMEND),
    # a day and any hour answers the offer; a moment asked for, then where one goes
    ("offer", "lundi n'importe quelle heure", "out_of_scope", ANSWER_OFFER),
    ("offer", "vendredi 11 a 9h moins le quart, après je pars au club", "pause_checkins",
     ANSWER_OFFER),
    # after a cancellation, another day at the same hour books again
    ("cancelled", "Mardi même heure ?", "nlu_fallback", AMEND),
    # a yes with a day answers the offer, whatever feeling comes with it
    ("offer", "oui, mais plutôt la semaine prochaine, là je suis débordée", "feel_anxious",
     ANSWER_OFFER),
    # the moment left to the team answers the offer, whatever the intent read
    ("offer", "À mon âge vous savez... c'est vous qui décidez, choisissez le jour.",
     "out_of_scope", ANSWER_OFFER),
])
def test_a_moment_in_the_booking_context_goes_to_the_booking(context, text, intent,
                                                             expected):
    assert _plan(context, text, intent) == expected


@pytest.mark.parametrize("context, text, intent", [
    # risk is never read here (RiskPolicy answers it first)
    ("offer", "demain je ne serai plus là, j'ai tout préparé", "risk_suicide"),
    ("booked", "ah non plutôt 11h", "risk_medical"),
    # STOP and a human keep their own answers
    ("booked", "stop", "opt_out"),
    ("offer", "je veux parler à quelqu'un maintenant", "request_human"),
    # a holiday announced after the offer is a pause, not a call
    ("offer", "je pars en vacances chez ma fille jusqu'au 20", "pause_checkins"),
    # no moment: the usual answer
    ("offer", "je me sens seule ce soir", "feel_lonely"),
    ("booked", "merci beaucoup", "thank"),
    # a long story that names a day without asking for anything
    ("offer", "je vais chez ma fille demain, elle a préparé un gâteau pour les "
              "quatre-vingts ans de son mari et toute la famille sera là, les petits aussi",
     "share_day"),
    # a past moment
    ("booked", "j'ai vu le médecin hier à 15h", "health_minor"),
    # after a cancellation, a moment told is not a new request
    ("cancelled", "samedi je serai chez mon fils", "share_day"),
    # no booking context at all
    (None, "demain 15h", "schedule_call"),
])
def test_everything_else_is_left_to_the_rules(context, text, intent):
    assert _plan(context, text, intent) is None


@pytest.fixture
def policy(tmp_path):
    """The policy, as Rasa would build it."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.rasa.booking_policy import BookingContextPolicy

    return BookingContextPolicy.create(
        {**BookingContextPolicy.get_default_config()}, LocalModelStorage(tmp_path),
        Resource("booking_policy"), ExecutionContext(GraphSchema({}), "test"))


def _predicted(policy, domain, *events):
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker.from_events("p", list(events), domain.slots)
    prediction = policy.predict_action_probabilities(tracker, domain)
    if max(prediction.probabilities) == 0:
        return None
    assert prediction.is_no_user_prediction and prediction.policy_priority == 7
    return domain.action_names_or_texts[prediction.max_confidence_index]


def test_after_a_booking_the_amendment_runs_then_the_bot_listens(policy, domain):
    from rasa.shared.core.events import ActionExecuted, UserUttered

    said = UserUttered("ah non plutôt 11h, à 10h je dors encore",
                       {"name": "sleep_trouble", "confidence": 0.9})
    history = [ActionExecuted("action_book_call"), ActionExecuted("action_listen"), said]
    assert _predicted(policy, domain, *history) == AMEND
    assert _predicted(policy, domain, *history, ActionExecuted(AMEND)) == "action_listen"
    # the amendment handed on to the usual answer: still listen after it
    assert _predicted(policy, domain, *history, ActionExecuted(AMEND),
                      ActionExecuted("utter_sleep_trouble")) == "action_listen"
    # it opened the form: the rules finish it
    assert _predicted(policy, domain, *history, ActionExecuted(AMEND),
                      ActionExecuted("call_form")) is None


def test_after_a_booking_the_usual_answer_handed_on_by_the_rules_ends_the_turn(policy,
                                                                               domain):
    from rasa.shared.core.events import ActionExecuted, UserUttered

    # no moment and no cancellation: the rules ran the amendment, which handed
    # on to the usual answer; nothing else is said ("not understood" was)
    said = UserUttered("aujourd'hui j'ai fait un gâteau avec ma voisine",
                       {"name": "share_day", "confidence": 0.9})
    history = [ActionExecuted("action_book_call"), ActionExecuted("action_listen"), said]
    assert _predicted(policy, domain, *history) is None
    assert _predicted(policy, domain, *history, ActionExecuted(AMEND),
                      ActionExecuted("utter_share_day")) == "action_listen"
    # the amendment alone (it answered itself): the rules listen
    assert _predicted(policy, domain, *history, ActionExecuted(AMEND)) is None
    # a cancellation that opened the form: the rules finish it
    assert _predicted(policy, domain, *history, ActionExecuted(AMEND),
                      ActionExecuted("action_cancel_call"), ActionExecuted("call_form")) is None


def test_after_an_offer_a_moment_opens_the_form_and_an_open_form_is_left_alone(policy,
                                                                                domain):
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, UserUttered

    offer = BotUttered("Avant de partir…", metadata={"utter_action": "utter_goodbye_offer_call"})
    said = UserUttered("Demain, mais pas avant 10h", {"name": "sleep_trouble",
                                                       "confidence": 0.9})
    assert _predicted(policy, domain, ActionExecuted("action_goodbye"), offer,
                      ActionExecuted("action_listen"), said) == ANSWER_OFFER
    assert _predicted(policy, domain, ActionExecuted("call_form"), ActiveLoop("call_form"),
                      offer, ActionExecuted("action_listen"), said) is None
    # a button is the rules'
    button = UserUttered("/affirm", {"name": "affirm", "confidence": 1.0})
    assert _predicted(policy, domain, ActionExecuted("action_goodbye"), offer,
                      ActionExecuted("action_listen"), button) is None


def test_a_yes_first_answers_the_offer_whatever_follows():
    # a yes for someone else, a yes before a reason: the offer is answered
    assert _plan("offer", "Volontiers mais c'est pour ma mère pas pour moi, elle est seule",
                 "feel_lonely") == ANSWER_OFFER
    assert _plan("offer", "inchallah oui, c'est pour ma belle-mère", "feel_lonely") \
        == ANSWER_OFFER
    assert _plan("offer", "Ma mère est d'accord, elle vit seule à Roubaix", "nlu_fallback") \
        == ANSWER_OFFER
    # a no first is not a yes
    assert _plan("offer", "non merci, pas pour moi", "deny") is None


@pytest.mark.parametrize("text, intent, expected", [
    # a cancellation in so many words, a few messages after the booking
    ("bon finalement laissez tomber l'appel de jeudi, ma fille sera là", "share_day", AMEND),
    ("annulez svp", "nlu_fallback", AMEND),
    # read by the learnt reader: only with a word about the call
    ("l'appel prévu, on le supprime, j'ai trop de monde à la maison", "share_day", AMEND),
    ("on a supprimé la ligne de bus 12 qui passait devant chez moi", "share_day", None),
    # a moment or a feeling several messages later is not the call's
    ("demain 15h j'ai le kiné", "share_day", None),
    ("je me sens seule ce soir", "feel_lonely", None),
])
def test_a_few_messages_after_a_booking_only_a_cancellation_is_the_calls(text, intent,
                                                                         expected):
    assert _plan("booked_earlier", text, intent) == expected


def test_a_cancellation_reaches_a_booking_made_earlier_in_the_session(policy, domain):
    from rasa.shared.core.events import ActionExecuted, UserUttered

    booked = [ActionExecuted("action_session_start"), ActionExecuted("action_book_call"),
              ActionExecuted("action_listen"),
              UserUttered("il fait froid aujourd'hui", {"name": "share_day", "confidence": 0.9}),
              ActionExecuted("utter_share_day"), ActionExecuted("action_listen")]
    said = UserUttered("finalement laissez tomber l'appel, ma fille vient",
                       {"name": "share_day", "confidence": 0.9})
    assert _predicted(policy, domain, *booked, said) == AMEND
    assert _predicted(policy, domain, *booked, said, ActionExecuted(AMEND)) == "action_listen"
    # a cancellation since: nothing left to call off
    cancelled = booked + [UserUttered("annulez", {"name": "cancel_call", "confidence": 0.9}),
                          ActionExecuted("action_cancel_call"), ActionExecuted("action_listen")]
    assert _predicted(policy, domain, *cancelled,
                      UserUttered("il fait beau", {"name": "share_day", "confidence": 0.9})) \
        is None
    # a booking of an earlier session is not read here
    assert _predicted(policy, domain, ActionExecuted("action_book_call"),
                      ActionExecuted("action_listen"), ActionExecuted("action_session_start"),
                      ActionExecuted("action_listen"), said) is None
