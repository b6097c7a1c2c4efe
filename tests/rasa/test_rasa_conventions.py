"""Rasa's own checks: data validation and the test stories, on the trained model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.paths import ROOT

RASA = str(Path(sys.executable).with_name("rasa"))

REQUIRED_INTENTS = """greet goodbye thank affirm deny mood_good mood_bad feel_lonely
feel_anxious feel_sad sleep_trouble feel_bored share_day need_food need_medication
need_money request_human schedule_call opt_out opt_in bot_challenge out_of_scope
risk_suicide risk_violence risk_child risk_medical""".split()
RISK_INTENTS = {"risk_suicide", "risk_violence", "risk_child", "risk_medical"}


def _nlu_examples():
    counts = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" in block:
                lines = [l for l in block["examples"].splitlines() if l.strip()]
                counts[block["intent"]] = counts.get(block["intent"], 0) + len(lines)
    return counts


def test_intents_and_volumes():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    intents = set(domain["intents"])
    assert set(REQUIRED_INTENTS) <= intents
    assert {i for i in intents if i.startswith("risk_")} == RISK_INTENTS
    counts = _nlu_examples()
    for intent in REQUIRED_INTENTS:
        minimum = 100 if intent in RISK_INTENTS else 40
        assert counts.get(intent, 0) >= minimum, (intent, counts.get(intent))


def test_every_response_has_three_variants_and_no_bare_misunderstanding():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variants in domain["responses"].items():
        default = [v for v in variants if not v.get("condition")]
        assert len(default) >= 3, name
        for variant in variants:
            assert variant["text"].strip().lower() not in ("je n'ai pas compris.",
                                                           "je n'ai pas compris")


@pytest.mark.parametrize(
    "response, numbers",
    [("utter_risk_suicide", ["3114", "114"]), ("utter_risk_violence", ["3919", "17", "114"]),
     ("utter_risk_child", ["119", "114"]), ("utter_risk_medical", ["15", "112", "114"])],
)
def test_risk_responses_give_the_numbers(response, numbers):
    import re

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for variant in domain["responses"][response]:
        for number in numbers:
            assert re.search(rf"(?<!\d){number}(?!\d)", variant["text"]), (response, variant)


@pytest.mark.slow
def test_rasa_data_validate():
    result = subprocess.run(
        [RASA, "data", "validate", "--max-history", "4"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_test_stories(trained_model, tmp_path):
    result = subprocess.run(
        [RASA, "test", "core", "--model", trained_model, "--stories",
         "tests/test_stories.yml", "--fail-on-prediction-errors", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
