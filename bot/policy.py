"""RiskPolicy: the dialogue's answer to a risk message, whatever else is going on.

After a user message whose intent is ``risk_<category>`` the policy predicts, with
confidence 1.0 and a priority above every other policy:

1. ``utter_risk_<category>``: the emergency number, served by Rasa itself, so it
   reaches the person even if the action server is down;
2. ``action_escalate``: records the escalation (the tracker store records it too);
3. ``action_listen``.

Its predictions are marked as not depending on the user's input, the class of
prediction that Rasa lets overrule an active form's happy path: a risk message in
the middle of a form, a fallback or a check-in is never swallowed. When it wins
inside a form, the form is deactivated.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

RISK_PREFIX = "risk_"
ESCALATE_ACTION = "action_escalate"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT,
    is_trainable=True,
)
class RiskPolicy(Policy):
    """Answers every risk message first, in any dialogue state."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Priority above RulePolicy's 6."""
        return {"priority": 7, "escalate_action": ESCALATE_ACTION}

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

    def train(
        self,
        training_trackers: List[TrackerWithCachedStates],
        domain: Domain,
        **kwargs: Any,
    ) -> Resource:
        """Nothing to learn: persist an empty resource."""
        with self._model_storage.write_to(self._resource):
            pass
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """Predict the next step of the risk answer, or abstain."""
        step = self._next_step(tracker)
        if step is None or step not in domain.action_names_or_texts:
            return self._prediction(self._default_predictions(domain))
        optional_events = []
        if tracker.active_loop_name:
            optional_events = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        probabilities = self._default_predictions(domain)
        probabilities[domain.index_for_action(step)] = 1.0
        return self._prediction(
            probabilities,
            optional_events=optional_events,
            is_no_user_prediction=True,
        )

    def _next_step(self, tracker: DialogueStateTracker) -> Optional[str]:
        """Where we are in [user risk, utter_risk_x, action_escalate, listen]."""
        user: Optional[UserUttered] = None
        actions_since_user: List[str] = []
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                user = event
                break
            if isinstance(event, ActionExecuted) and event.action_name:
                actions_since_user.append(event.action_name)
        if user is None:
            return None
        intent = user.intent_name or ""
        if not intent.startswith(RISK_PREFIX):
            return None
        utter = f"utter_{intent}"
        actions_since_user.reverse()
        if not actions_since_user:
            return utter
        if actions_since_user == [utter]:
            return self.escalate_action
        if actions_since_user == [utter, self.escalate_action]:
            return ACTION_LISTEN_NAME
        return None
