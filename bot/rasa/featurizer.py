"""A Rasa featurizer that adds French word vectors (see bot/rasa/vectors.py).

Character n-grams make "deprimee" close to "déprimée"; only meaning learnt from
a large corpus makes "une corde" close to "me pendre", or "un fardeau" close to
"un poids pour eux". Each token gets its unit vector (zeros when unknown), the
message its mean: DIET learns from both beside the sparse features.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa.vectors import DIMENSIONS, load_vectors


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class WordVectorFeaturizer(DenseFeaturizer, GraphComponent):
    """Token vectors and their mean, from the French vectors."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The vectors file (empty: ``LIEN_VECTORS`` or ``vectors/``)."""
        return {**DenseFeaturizer.get_default_config(), "path": ""}

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        """Load the vectors once per process."""
        super().__init__(name, config)
        self.vectors = load_vectors(self._config.get("path") or None)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "WordVectorFeaturizer":
        """Create the featurizer (nothing to train)."""
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Nothing to check."""

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the features of every message's text."""
        for message in messages:
            self._featurize(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Add the features of every training example."""
        self.process(training_data.training_examples)
        return training_data

    def _featurize(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not tokens:
            return
        sequence = np.zeros((len(tokens), DIMENSIONS), dtype=np.float32)
        known = 0
        for i, token in enumerate(tokens):
            vector = self.vectors.vector(token.text)
            if vector is not None:
                sequence[i] = vector
                known += 1
        sentence = (sequence.sum(axis=0, keepdims=True) / max(known, 1)).astype(np.float32)
        alias = self._config[FEATURIZER_CLASS_ALIAS]
        message.add_features(Features(sequence, FEATURE_TYPE_SEQUENCE, TEXT, alias))
        message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, alias))
