"""The base of the project's policies written in code (nothing to learn)."""

from __future__ import annotations

from typing import Any, List

from rasa.core.policies.policy import Policy
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates


class UntrainedPolicy(Policy):
    """A policy of rules written in code: nothing to learn, an empty resource."""

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
