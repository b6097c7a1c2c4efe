"""The independent evaluation sets stay independent, and big enough to mean something.

No line of either half may be, or nearly be, a training example, a lexicon
example or an earlier test phrase: a model that has seen a line would score its
memory. A failure on the sealed half names only the line's position, never its
text (nobody reads the sealed half's lines).
"""

from __future__ import annotations

import json

import pytest

from tools.eval_independent import NearIndex, load_set, training_texts
from bot.core.text import normalise_text


def _lines(name: str, half: str) -> list:
    items = load_set(name, half)
    out = []
    for item in items:
        out.extend([item["text"]] if "text" in item else item["turns"])
    return out


@pytest.fixture(scope="module")
def index() -> NearIndex:
    return NearIndex(training_texts())


@pytest.mark.slow
@pytest.mark.parametrize("half", ["dev", "sealed"])
@pytest.mark.parametrize("name", ["risk", "scenarios", "companion", "booking"])
def test_no_evaluation_line_is_or_nearly_is_a_training_example(index, name, half):
    lines = [line for line in _lines(name, half) if len(normalise_text(line)) > 12]
    near = [i for i, line in enumerate(lines) if index.near(line)]
    if half == "sealed":
        assert not near, f"{len(near)} sealed line(s) overlap training, at {near[:20]}"
    else:
        assert not near, [lines[i] for i in near]


def test_the_halves_do_not_share_lines():
    for name in ("risk", "scenarios", "companion", "booking"):
        dev = {json.dumps(i, sort_keys=True) for i in load_set(name, "dev")}
        sealed = {json.dumps(i, sort_keys=True) for i in load_set(name, "sealed")}
        assert not dev & sealed, name


def test_the_risk_set_is_big_and_varied_enough():
    items = load_set("risk", "dev") + load_set("risk", "sealed")
    risky = [i for i in items if i["risk"]]
    harmless = [i for i in items if not i["risk"]]
    assert len(items) >= 600 and len(risky) >= 300 and len(harmless) >= 300
    assert {i["category"] for i in risky} == {"suicide", "violence", "child", "medical"}
    assert {i["level"] for i in risky} == {"critical", "high"}
    assert all(i.get("source") for i in items)
    scenarios = load_set("scenarios", "dev") + load_set("scenarios", "sealed")
    assert len(scenarios) >= 40
    assert sum(s["risk"] for s in scenarios) >= 20 and sum(not s["risk"] for s in scenarios) >= 20
    for half in ("dev", "sealed"):
        assert len([i for i in load_set("risk", half) if i["risk"]]) >= 120, half


def test_a_refined_intent_is_right_only_where_the_label_set_lacked_it():
    from tools.evaluation.companion import judged

    # the first writers had no ask_privacy: their bot_challenge is answered by it
    assert judged("bot_challenge", "ask_privacy") == "bot_challenge"
    # later writers had it: ask_privacy for ask_privacy, a miss for another label
    assert judged("ask_privacy", "ask_privacy") == "ask_privacy"
    assert judged("greet", "ask_privacy") == "ask_privacy"
    assert judged("ask_privacy", "bot_challenge") == "bot_challenge"
