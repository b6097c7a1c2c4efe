"""RiskPolicy: the dialogue's answer to risk, whatever else is going on.

Three bands come from the NLU (``bot.rasa.nlu.RiskDetector``): a ``risk_<category>``
intent with level critical or high (clear), with level ``watch`` (uncertain), or
no risk. With a priority above every other policy, this policy predicts:

- **clear**: ``utter_risk_<category>`` (the emergency number, served by Rasa
  itself so it reaches the person even if the action server is down), then
  ``action_escalate``, then listens;
- **uncertain**: ``utter_safety_ask_<category>`` (a direct, kind question, as
  prevention lines advise: "est-ce que vous pensez à mourir ?"), then
  ``action_escalate`` (a ``watch`` case a human looks at), then listens. A yes
  (or a risk) in answer makes it clear; a no is thanked and the case stays for
  a human to read;
- **context**: a risk said over two messages ("je crois que je vais" / "en finir
  ce soir") is read on the last two messages together;
- **the safety conversation**: after a clear risk, until a listener takes over
  or the session ends, every message gets a safety reply (acknowledge, the team
  is told, the number again, "je reste là") — never a fallback, a booking, a
  needs answer or a check-in change. "j'ai appelé le 15" is help arriving; a no
  to "êtes-vous en sécurité ?" is a new sign and escalates again.

Decisions taken from context are written as a ``risk_context`` slot
(``category:level:source``) so that the escalation is recorded (by the action
and by the tracker store) like any other. Predictions are of the kind Rasa lets
overrule a form's happy path; an active form is deactivated.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple

import yaml

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, ActiveLoop, SessionStarted, SlotSet, UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.calls.when import booking_request, read, understand
from bot.core import clock
from bot.core.config import RESOURCES, load_settings
from bot.rasa.booking_policy import AMEND, BookingContextPolicy, plan
from bot.rasa.untrained import UntrainedPolicy
from bot.safety.risk import CATEGORIES, FRAGMENT, load_lexicon

RISK_PREFIX = "risk_"
ESCALATE_ACTION = "action_escalate"
CLEAR_PREFIX = "utter_risk_"
ASK_PREFIX = "utter_safety_ask_"
CONTEXT_SLOT = "risk_context"
LISTEN_ON = "utter_listen_on"
HUMAN_DONE = "EXTERNAL_human_done"
# Every clear-risk answer ends on a question about safety; a "no" to it is a sign.
YES = re.compile(r"^(oui|ui|wi|ouai|ouais|oue|yes|yep|si|un peu|parfois|souvent|"
                 r"peut etre|ptet|ptetre|je crois|j y pense|tout le temps|c est ca|"
                 r"exactement|voila)( \w+){0,3}$")
NO = re.compile(r"^(non|nn|no|nope|pas du tout|pas vraiment|jamais|absolument pas|"
                r"non non|mais non|pas en securite)( \w+){0,4}$")
HELP_COMING = re.compile(
    r"(apele|appele|apel|telephone|contacte|joint|prevenu)\w* (le |les |la )?"
    r"(15|112|17|18|114|3114|119|3919|3977|samu|pompiers|police|gendarmes|secours|"
    r"ambulance|medecin|sos)|(samu|pompiers|police|gendarmes|secours|ambulance|"
    r"medecin|voisin|voisine|ma fille|mon fils)( \w+){0,2} (arive|arivent|sont la|"
    r"est la|en route|viennent|vient)")
ASKS_WHEN = re.compile(r"\b(quand|qui|vraiment|a quelle heure|combien de temps)\b( \w+){0,5} "
                       r"(apel|rapel|contact|venir|viens|vient|la)|quelqu un va|"
                       r"\bquand\b.{0,20}$")

KEYWORD_INTENTS = ("opt_in", "opt_out")
CALL_FORM = "call_form"
BOOK_CALL = "action_book_call"
AMEND_CALL = "action_amend_call"


def _changes_the_booked_call(tracker: DialogueStateTracker, text: str) -> bool:
    """Whether the message, right after a booking or a cancellation (or a few
    messages after a booking, the safety conversation among them), moves or calls
    off the call (what BookingContextPolicy would answer without the risk).
    """
    _, user, context = BookingContextPolicy._since_user(tracker)
    if user is None or context not in ("booked", "booked_earlier", "cancelled"):
        return False
    settings = load_settings()
    reading = read(text, clock.now(), settings.timezone)
    if context in ("booked", "booked_earlier") and reading.unavailable and reading.refused_days \
            and not (reading.positive and reading.asked):
        # "Maman est tombée hier, elle est hospitalisée, elle ne pourra pas prendre
        # l'appel de jeudi": a day that cannot be kept, no other moment asked;
        # the call is called off after the risk answer (never left booked)
        return True
    return plan(context, text, "nlu_fallback", reading) == AMEND


def _books_at_once(text: str) -> bool:
    """Whether a message asks for a call at a moment the form settles at once."""
    settings = load_settings()
    now = clock.now()
    if not booking_request(text, now, settings.timezone):
        return False
    return understand(text, now, settings.timezone).status == "ok"


SAFETY_REPLIES = {
    "unsafe": "utter_safety_unsafe",
    "help": "utter_safety_help_coming",
    "when": "utter_safety_when",
    "stay": "utter_safety_stay",
    "relief": "utter_safety_relief",
    "noted": "utter_safety_noted",
}


KINDS_FILE = RESOURCES / "risk_kinds_fr.yml"


@lru_cache(maxsize=1)
def _elder_abuse() -> List["re.Pattern"]:
    """Patterns of violence against an older person (bot/resources/risk_kinds_fr.yml)."""
    with open(KINDS_FILE, encoding="utf-8") as handle:
        kinds = yaml.safe_load(handle) or {}
    return [re.compile(pattern) for pattern in kinds.get("elder_abuse") or []]


def clear_reply(category: str, prepared_text: str) -> str:
    """The first answer to a clear risk: ``utter_risk_<category>``, or its elder-abuse
    form (3977 first) when an older person is hurt by family or carers.
    """
    if category == "violence" and any(p.search(prepared_text) for p in _elder_abuse()):
        return f"{CLEAR_PREFIX}violence_elder"
    return f"{CLEAR_PREFIX}{category}"


def category_of(response: str) -> str:
    """The risk category a clear or asking response is about ("violence_elder" -> violence)."""
    for prefix in (CLEAR_PREFIX, ASK_PREFIX):
        if response.startswith(prefix):
            return response[len(prefix):].split("_")[0]
    return ""


def _risk(event: UserUttered) -> Optional[Tuple[str, str]]:
    """(category, level) of a parsed user message, or None."""
    intent = event.intent_name or ""
    if not intent.startswith(RISK_PREFIX):
        return None
    return intent[len(RISK_PREFIX):], _risk_entity(event).get("value") or "high"


def _risk_entity(event: UserUttered) -> Dict[str, Any]:
    """The ``risk_level`` entity of a parsed user message (empty if none)."""
    return next((e for e in event.entities or [] if e.get("entity") == "risk_level"), {})


def _risk_source(event: UserUttered) -> str:
    """Where a parsed user message's risk reading came from ("lexicon", "fragment")."""
    return str(_risk_entity(event).get("source") or "")


def _continuation_worry(event: UserUttered, earlier: str) -> Optional[str]:
    """The category a reader worries about in a message, or None.

    At the lexicon's ``continuation_ask``: the end of a cut sentence is asked
    about on a weaker reading than a message alone.
    """
    debug = (event.parse_data or {}).get("risk_debug") or {}
    reader = float(debug.get("reader") or 0.0)
    classifier = float(debug.get("classifier") or 0.0)
    if max(reader, classifier) < load_lexicon().cut.continuation_ask:
        return None
    if reader >= classifier:
        category = str(debug.get("reader_category") or "")
    else:
        category = str(debug.get("classifier_intent") or "")[len(RISK_PREFIX):]
    return category if category in CATEGORIES else earlier


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT,
    is_trainable=True,
)
class RiskPolicy(UntrainedPolicy):
    """Answers every risk message first, and stays in a safety conversation."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Priority above RulePolicy's 6 and BookingContextPolicy's 7."""
        return {"priority": 8, "escalate_action": ESCALATE_ACTION}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Optional[Any] = None,
    ) -> None:
        """Keep the config; there is nothing to learn."""
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.escalate_action = config.get("escalate_action", ESCALATE_ACTION)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """Predict the next step of a risk or safety answer, or abstain."""
        plan = self._plan(tracker)
        if plan is None:
            return self._prediction(self._default_predictions(domain))
        steps, context = plan
        done = self._actions_since_user(tracker)
        if done and done[-1] == CALL_FORM and tracker.active_loop_name:
            # The form did not settle the moment at once: it asked; listen.
            return self._prediction(self._default_predictions(domain))
        if done[: len(steps)] != steps[: len(done)] or len(done) > len(steps):
            return self._prediction(self._default_predictions(domain))
        step = steps[len(done)] if len(done) < len(steps) else ACTION_LISTEN_NAME
        if step not in domain.action_names_or_texts:
            return self._prediction(self._default_predictions(domain))
        optional_events: List[Any] = []
        if not done:
            if context:
                optional_events.append(SlotSet(CONTEXT_SLOT, context))
            if tracker.active_loop_name:
                optional_events += [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        probabilities = self._default_predictions(domain)
        probabilities[domain.index_for_action(step)] = 1.0
        return self._prediction(
            probabilities, optional_events=optional_events, is_no_user_prediction=True
        )

    @staticmethod
    def _actions_since_user(tracker: DialogueStateTracker) -> List[str]:
        actions: List[str] = []
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                break
            if isinstance(event, ActionExecuted) and event.action_name:
                actions.append(event.action_name)
        actions.reverse()
        return actions

    def _plan(self, tracker: DialogueStateTracker) -> Optional[Tuple[List[str], str]]:
        """The actions that answer the latest user message, and any context slot.

        A risk answer to a message that also asks for a call at a settled moment
        ("... ça m'a secouée, j'aimerais parler à quelqu'un demain vers 10h") books
        that call after the escalation: the request is not lost, and no booking
        question is asked.
        """
        plan = self._risk_plan(tracker)
        if plan is None or not plan[0]:
            return plan
        text = tracker.latest_message.text or "" if tracker.latest_message else ""
        if not text or text.startswith("/"):
            return plan
        if _changes_the_booked_call(tracker, text):
            # "sorry not 11, I go to church. 1 pm is better", "annulez le truc de
            # mardi": the call just booked is moved (on its own day) or called off
            # after the risk answer
            return [*plan[0], AMEND_CALL], plan[1]
        if _books_at_once(text):
            return [*plan[0], CALL_FORM, BOOK_CALL], plan[1]
        return plan

    def _risk_plan(self, tracker: DialogueStateTracker) -> Optional[Tuple[List[str], str]]:
        session = self._session(tracker)
        users = [e for e in session if isinstance(e, UserUttered)]
        if not users:
            return None
        user = users[-1]
        text = load_lexicon().prepare(user.text or "")
        risk = _risk(user)
        if (user.intent_name or "").startswith("EXTERNAL_"):
            return None  # check-ins, reminders, a listener's hand-back: the rules
        asked = self._last_question(session)
        before = session[: max(i for i, e in enumerate(session) if e is user)]
        in_safety = self._in_safety(before, users[:-1])
        if risk is not None:
            category, level = risk
            if level != "watch":
                return [clear_reply(category, text), self.escalate_action], ""
            if in_safety:
                return [SAFETY_REPLIES["stay"], self.escalate_action], ""
            if asked and asked.startswith(ASK_PREFIX):
                # Asked, and the answer is still worrying: it is clear now.
                category = category_of(asked)
                return ([clear_reply(category, text), self.escalate_action],
                        f"{category}:high:answer")
            together = self._clear_together(users, needs_both=True)
            if together is not None:
                # "je crois que je vais me" / "pendre cette nuit": the end alone is
                # only worrying, the two together are clear
                return together
            if _risk_source(user) == FRAGMENT:
                # a sentence cut before its end: go on (the case is watched)
                return [LISTEN_ON, self.escalate_action], ""
            return [f"{ASK_PREFIX}{category}", self.escalate_action], ""
        if (user.text or "").startswith("/") and (
                not in_safety or user.intent_name in KEYWORD_INTENTS):
            # A button or a keyword: the rules answer. STOP and START are the
            # person's right, honoured even in a safety conversation (a risk
            # message from an opted-out number is still answered).
            return None
        if len(users) >= 2:
            together = self._clear_together(users)
            if together is not None:
                return together
            earlier = _risk(users[-2])
            if earlier is not None and _risk_source(users[-2]) == FRAGMENT and risk is None:
                # The end of a cut sentence that a reader worried about: its own
                # reading, even a weak one, is asked about ("le petit d'en face
                # il pleure, son père l'a" / "enfermé sur le balcon, il fait -2").
                worry = _continuation_worry(user, earlier[0])
                if worry is not None:
                    return ([f"{ASK_PREFIX}{worry}", self.escalate_action],
                            f"{worry}:watch:context")
        if asked and asked.startswith(ASK_PREFIX) and not in_safety:
            category = category_of(asked)
            if YES.search(text) or user.intent_name == "affirm":
                return ([clear_reply(category, text), self.escalate_action],
                        f"{category}:high:answer")
            if NO.search(text) or user.intent_name == "deny":
                return [SAFETY_REPLIES["relief"]], ""
            return [SAFETY_REPLIES["noted"]], ""
        if not in_safety:
            return None
        if HELP_COMING.search(text):
            return [SAFETY_REPLIES["help"]], ""
        if asked and asked.startswith(CLEAR_PREFIX) and (
                NO.search(text) or user.intent_name == "deny"):
            category = category_of(asked)
            return ([SAFETY_REPLIES["unsafe"], self.escalate_action],
                    f"{category}:critical:answer")
        if ASKS_WHEN.search(text):
            return [SAFETY_REPLIES["when"]], ""
        return [SAFETY_REPLIES["stay"]], ""

    @staticmethod
    def _session(tracker: DialogueStateTracker) -> List[Any]:
        events = list(tracker.events)
        for index in range(len(events) - 1, -1, -1):
            if isinstance(events[index], SessionStarted):
                return events[index:]
        return events

    def _clear_together(self, users: List[Any], needs_both: bool = False
                        ) -> Optional[Tuple[List[str], str]]:
        """A risk clear only on the last two messages read together.

        The first half alone was nothing, or only worrying (asked about: "je
        crois que je vais me" / "pendre cette nuit"). ``needs_both``: not when
        the last message's own words already match (its reading, doubted by
        the readers, stands: "appelez le samu j'ai perdu au tarot").
        """
        if len(users) < 2:
            return None
        if needs_both:
            own = load_lexicon().match(users[-1].text or "")
            if own is not None and own.level != "watch":
                return None
        joined = f"{users[-2].text or ''} {users[-1].text or ''}"
        found = load_lexicon().match(joined)
        earlier = _risk(users[-2])
        earlier_match = load_lexicon().match(users[-2].text or "")
        if found is not None and found.level != "watch" \
                and (earlier is None or earlier[1] == "watch") \
                and (earlier_match is None or earlier_match.level == "watch"):
            return ([clear_reply(found.category, load_lexicon().prepare(joined)),
                     self.escalate_action], f"{found.category}:{found.level}:context")
        return None

    @staticmethod
    def _last_question(session: List[Any]) -> Optional[str]:
        """The last risk or safety utterance before the latest user message."""
        seen_user = False
        for event in reversed(session):
            if isinstance(event, UserUttered):
                if seen_user:
                    return None
                seen_user = True
                continue
            if seen_user and isinstance(event, ActionExecuted) and event.action_name:
                name = event.action_name
                if name.startswith((CLEAR_PREFIX, ASK_PREFIX)) or name in SAFETY_REPLIES.values():
                    return name
                if name not in (ACTION_LISTEN_NAME, ESCALATE_ACTION, CALL_FORM) \
                        and not name.startswith("action_"):
                    # (the call booked after the question, by the form, does not
                    # hide the question: the next message answers it)
                    return None
        return None

    @staticmethod
    def _in_safety(session: List[Any], users: List[UserUttered]) -> bool:
        """A clear risk earlier in this session, and no listener's hand-back since."""
        active = False
        for event in session:
            if isinstance(event, UserUttered):
                if event.intent_name == HUMAN_DONE:
                    active = False
                    continue
                risk = _risk(event)
                if risk is not None and risk[1] != "watch":
                    active = True
            elif isinstance(event, SlotSet) and event.key == CONTEXT_SLOT and event.value \
                    and ":watch:" not in str(event.value):
                active = True
            elif isinstance(event, ActionExecuted) and event.action_name == "utter_human_done":
                active = False
        return active
