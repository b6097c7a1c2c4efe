"""The intent reader (bot/rasa/intent_model.py) trained on a small set, on its own."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa.intent_model import IntentReader

EXAMPLES = {
    "greet": ["bonjour", "salut", "coucou", "bonsoir a vous", "bjr", "hello"],
    "share_day": ["j'ai fait un tour au jardin", "ma fille est passée ce matin",
                  "on a joué aux cartes au club", "j'ai fait une soupe de potiron",
                  "le chat a dormi sur le canapé", "j'ai vu un renard ce matin"],
    "request_human": ["je voudrais parler a quelqu'un", "un humain svp",
                      "je veux parler à une vraie personne", "appelez moi un bénévole",
                      "passez moi quelqu'un de l'équipe", "je veux un humain"],
    "risk_suicide": ["je veux mourir", "je vais en finir", "je veux me tuer",
                     "plus envie de vivre", "je veux disparaitre pour toujours",
                     "je pense au suicide"],
}


def _reader(tmp_path, **config) -> IntentReader:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("intent_reader")
    context = ExecutionContext(GraphSchema({}), "test")
    reader = IntentReader.create({**IntentReader.get_default_config(), **config},
                                 storage, resource, context)
    examples = [Message(data={"text": text, "intent": intent})
                for intent, texts in EXAMPLES.items() for text in texts]
    reader.train(TrainingData(training_examples=examples))
    return IntentReader.load({**IntentReader.get_default_config(), **config},
                             storage, resource, context)


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    return _reader(tmp_path_factory.mktemp("reader"),
                   act_first=["request_human"], act_first_min=0.3,
                   act_first_margin=0.0)


def test_it_reads_the_intent_and_a_ranking_after_loading(reader):
    message = Message(data={"text": "coucou bonjour"})
    reader.process([message])
    assert message.get("intent")["name"] == "greet"
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == "greet"
    assert [r["confidence"] for r in ranking] == sorted(
        (r["confidence"] for r in ranking), reverse=True)
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6


def test_a_sentence_asking_for_a_human_in_a_long_message_is_answered_first(reader):
    text = ("J'ai fait un tour au jardin, le chat a dormi sur le canapé et j'ai fait "
            "une soupe de potiron. Je voudrais parler à quelqu'un de l'équipe.")
    message = Message(data={"text": text})
    reader.process([message])
    assert message.get("intent")["name"] == "request_human"


def test_without_act_first_the_whole_message_decides(tmp_path):
    plain = _reader(tmp_path)
    text = ("J'ai fait un tour au jardin, le chat a dormi sur le canapé, ma fille est "
            "passée ce matin et on a joué aux cartes au club. Un humain svp.")
    message = Message(data={"text": text})
    plain.process([message])
    assert message.get("intent")["name"] == "share_day"


def test_an_earlier_classifier_s_surer_risk_reading_is_kept(reader):
    message = Message(data={"text": "j'ai fait un tour au jardin"})
    message.set("intent_ranking", [{"name": "risk_suicide", "confidence": 0.999},
                                   {"name": "share_day", "confidence": 0.001}])
    reader.process([message])
    names = {r["name"]: r["confidence"] for r in message.get("intent_ranking")}
    assert names["risk_suicide"] == pytest.approx(0.999)
    # An earlier reading of an everyday intent is not kept: this reader decides those.
    assert message.get("intent")["name"] == "risk_suicide"
    other = Message(data={"text": "j'ai fait un tour au jardin"})
    other.set("intent_ranking", [{"name": "greet", "confidence": 0.99}])
    reader.process([other])
    assert other.get("intent")["name"] == "share_day"


def test_empty_text_leaves_the_message_alone(reader):
    message = Message(data={"text": "   "})
    reader.process([message])
    assert message.get("intent") is None
