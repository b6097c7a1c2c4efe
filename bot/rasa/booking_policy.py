"""BookingContextPolicy: right after the booking talked about, a moment is the call's.

The rules answer an offer of a call or a booking's confirmation keyed on the
intent the NLU gave the next message (``affirm``, ``deny``, ``schedule_call``,
``goodbye``...). People answer in their own words, and the intent reader reads
those words as whatever else they also say: "Demain, mais pas avant 10h, je dors
mal" after the offer of a call is ``sleep_trouble``; "ah non plutôt 11h, à 10h
je serai pas réveillé" after a booking too; "en fait mettez dimanche 15h" after a
cancellation is not understood. This policy reads the message itself, with the
booking's own reader (``bot.calls.when.read``), whatever its intent:

- after an offer of the next call, a moment the message wishes opens the form
  (``action_answer_call_offer``);
- after a booking (or a booking kept), a moment or a cancellation goes to
  ``action_amend_call``, which moves or calls off the call (a cancellation in
  the rules' words, or one the learnt reader reads: ``bot.calls.cancel_reader``);
- after a cancellation, a moment asked for books again (``action_amend_call``);
- a few messages after a booking, in the same session, with other things said in
  between, a cancellation in so many words still goes to ``action_amend_call``
  (the intent reader reads "ma fille vient finalement, pas la peine" as anything).

Risk still comes first (RiskPolicy's priority is higher, and a risk intent or
the safety conversation is never read here); a button or a keyword goes to the
rules; an open form reads its own messages. Nothing is learnt.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.calls.cancel_reader import calls_off, talks_of_a_call
from bot.calls.when import CALL_OFFERS, read
from bot.core import clock
from bot.core.config import load_settings
from bot.core.french_time import Proposal, explicit_cancel, starts_with_yes
from bot.rasa.untrained import UntrainedPolicy

ANSWER_OFFER = "action_answer_call_offer"
AMEND = "action_amend_call"
FORM = "call_form"
BOOKED = ("action_book_call", "action_amend_call")
CANCELLED = ("action_cancel_call",)
# A cancellation's words in a long message may be about something else.
SHORT = 100
# How many of the person's messages back a booking still makes a cancellation
# the call's (within the session).
EARLIER_TURNS = 8
SESSION_START = "action_session_start"
# Intents the rules or other policies answer in any context.
NEVER = ("opt_out", "opt_in", "request_human", "pause_checkins")


def _wished(reading: Proposal) -> bool:
    return reading.positive and not reading.past and not reading.cancel


def plan(context: Optional[str], text: str, intent: str, reading: Proposal) -> Optional[str]:
    """The booking action that answers a message in a booking's context, or None."""
    if context is None or intent.startswith("risk_"):
        return None
    # asked: a call word, or nothing but the moment ("demain, pas avant 10h");
    # "lundi, n'importe quelle heure" is a moment too
    moment = _wished(reading) and (reading.asked or reading.hour is not None or (
        reading.any_time and (reading.day is not None or reading.part is not None)))
    if intent in NEVER and not (context == "offer" and intent == "pause_checkins"
                                and moment and reading.asked):
        # "vendredi 11 à 9h moins le quart, après je pars au club" answers the
        # offer: read as a pause only when the moment is not asked for
        return None
    if context == "offer":
        # "oui mais la semaine prochaine, cette semaine j'ai trop de choses": a
        # yes with a moment answers the offer, whatever else the message says
        # "volontiers, mais c'est pour ma mère...": a yes first is a yes to the offer
        # "choisissez vous-même, c'est vous qui avez le planning": a yes too
        return ANSWER_OFFER if moment or ((reading.accept or reading.delegated)
                                          and not reading.cancel and (
            not reading.decline or starts_with_yes(text))) else None
    if context == "booked":
        if moment or explicit_cancel(text) or (reading.cancel and len(text) <= SHORT) \
                or calls_off(text):
            return AMEND
        return None
    if context == "booked_earlier":
        # a call booked a few messages ago, other things said since: only a
        # cancellation in so many words is the call's ("au fait, ma fille vient
        # jeudi finalement, laissez tomber l'appel"); a moment may be anything now
        if explicit_cancel(text) or (reading.cancel and len(text) <= SHORT) or (
                talks_of_a_call(text) and calls_off(text)):
            return AMEND
        return None
    # cancelled: only a moment asked for books again
    if _wished(reading) and (reading.asked or (reading.day is not None and (
            reading.hour is not None or reading.same_hour))):
        return AMEND
    return None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT,
    is_trainable=True,
)
class BookingContextPolicy(UntrainedPolicy):
    """Reads the message after an offer, a booking or a cancellation for the call."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Above RulePolicy's 6, below RiskPolicy."""
        return {"priority": 7}

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """The booking action right after the message, then listen; else abstain."""
        abstain = self._prediction(self._default_predictions(domain))
        if tracker.active_loop_name:
            return abstain
        done, user, context = self._since_user(tracker)
        if user is None or context is None:
            return abstain
        text = user.text or ""
        if not text.strip() or text.startswith("/"):
            return abstain
        if done:
            # Our action ran, with the usual answer it handed on, if any: listen.
            # A form it opened (even one already closed) is the rules' to finish.
            if done[0] == self._planned(context, user) and FORM not in done:
                return self._only(domain, ACTION_LISTEN_NAME)
            if done[0] == AMEND and len(done) > 1 and FORM not in done:
                # The rules' amendment ("after a booking, share_day may call it off
                # in so many words") found neither a moment nor a cancellation and
                # handed on the usual answer ("aujourd'hui j'ai fait un gâteau" ->
                # utter_share_day): that answer is the turn; no "not understood"
                # after it.
                return self._only(domain, ACTION_LISTEN_NAME)
            return abstain
        step = self._planned(context, user)
        if step is None or step not in domain.action_names_or_texts:
            return abstain
        return self._only(domain, step)

    def _only(self, domain: Domain, action: str) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, is_no_user_prediction=True)

    @staticmethod
    def _planned(context: str, user: UserUttered) -> Optional[str]:
        settings = load_settings()
        reading = read(user.text or "", clock.now(), settings.timezone)
        return plan(context, user.text or "", user.intent_name or "", reading)

    @staticmethod
    def _since_user(tracker: DialogueStateTracker) -> Any:
        """(actions since the latest message, that message, the booking context)."""
        done: List[str] = []
        user: Optional[UserUttered] = None
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                user = event
                break
            if isinstance(event, ActionExecuted) and event.action_name:
                done.append(event.action_name)
        done.reverse()
        if user is None:
            return done, None, None
        seen = False
        earlier = 0  # the person's messages between this one and the booking context
        for event in reversed(tracker.events):
            if event is user:
                seen = True
                continue
            if not seen:
                continue
            if isinstance(event, UserUttered):
                earlier += 1
                if earlier > EARLIER_TURNS:
                    return done, user, None
                continue
            if isinstance(event, BotUttered):
                if not earlier and (event.metadata or {}).get("utter_action") in CALL_OFFERS:
                    return done, user, "offer"
            elif isinstance(event, ActionExecuted) and event.action_name:
                if event.action_name == SESSION_START:
                    return done, user, None
                if event.action_name in BOOKED:
                    return done, user, "booked_earlier" if earlier else "booked"
                if event.action_name in CANCELLED:
                    return done, user, None if earlier else "cancelled"
        return done, user, None
