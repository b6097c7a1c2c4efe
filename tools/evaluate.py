"""NLU report on a held-out split (``make eval``): intent F1, risk recall, false alarms.

The NLU data is split 80/20 (stratified, fixed seed); a model is trained on the
80% with the production pipeline (risk lexicon included) and parses the 20%,
then the separate test phrases of ``tests/data/risk_phrases.yml``. Exits 1 when
risk recall is under 0.98 or false alarms reach 3%.

Usage: python -m tools.evaluate [--test-fraction 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot.core.config import PROJECT_ROOT, load_settings

RISK_PREFIX = "risk_"


def _split(test_fraction: float, out: Path) -> Tuple[Path, List[Tuple[str, str]]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(PROJECT_ROOT / "data" / "nlu"))
    train, test = data.train_test_split(train_frac=1 - test_fraction, random_seed=42)
    out.mkdir(parents=True, exist_ok=True)
    train_path = out / "train.yml"
    train_path.write_text(train.nlu_as_yaml(), encoding="utf-8")
    examples = [(m.get("text"), m.get("intent")) for m in test.intent_examples]
    return train_path, examples


def _train(train_path: Path, out: Path) -> Path:
    rasa = str(Path(sys.executable).with_name("rasa"))
    subprocess.run(
        [rasa, "train", "nlu", "--nlu", str(train_path), "--config",
         str(PROJECT_ROOT / "config.yml"), "--out", str(out / "models"),
         "--fixed-model-name", "heldout"],
        cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    return out / "models" / "heldout.tar.gz"


async def _parse_all(model: Path, texts: List[str]) -> List[str]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    predicted = []
    for text in texts:
        result = await agent.parse_message(text)
        predicted.append(result["intent"]["name"])
    return predicted


def _risk_rates(gold: List[str], predicted: List[str]) -> Dict[str, float]:
    risky = [(g, p) for g, p in zip(gold, predicted) if g.startswith(RISK_PREFIX)]
    safe = [(g, p) for g, p in zip(gold, predicted) if not g.startswith(RISK_PREFIX)]
    detected = sum(p.startswith(RISK_PREFIX) for _, p in risky)
    right_category = sum(p == g for g, p in risky)
    alarms = sum(p.startswith(RISK_PREFIX) for _, p in safe)
    return {
        "risk_messages": len(risky),
        "risk_recall": detected / len(risky) if risky else 1.0,
        "risk_category_accuracy": right_category / len(risky) if risky else 1.0,
        "safe_messages": len(safe),
        "false_alarm_rate": alarms / len(safe) if safe else 0.0,
    }


def main(argv=None) -> int:
    """Split, train, parse, report."""
    from sklearn.metrics import classification_report, f1_score

    parser = argparse.ArgumentParser(prog="python -m tools.evaluate")
    parser.add_argument("--test-fraction", type=float, default=0.2)
    args = parser.parse_args(argv)
    out = load_settings().var_dir / "eval"
    train_path, heldout = _split(args.test_fraction, out)
    model = _train(train_path, out)

    texts = [t for t, _ in heldout]
    gold = [g for _, g in heldout]
    predicted = asyncio.run(_parse_all(model, texts))

    phrases = yaml.safe_load(
        (PROJECT_ROOT / "tests" / "data" / "risk_phrases.yml").read_text("utf-8")
    )
    phrase_texts = [p["text"] for p in phrases["risk"]] + list(phrases["safe"])
    phrase_gold = [f"risk_{p['category']}" for p in phrases["risk"]] + [
        "safe"
    ] * len(phrases["safe"])
    phrase_predicted = asyncio.run(_parse_all(model, phrase_texts))

    report = {
        "heldout": {
            "examples": len(gold),
            "intent_f1_macro": f1_score(gold, predicted, average="macro"),
            "intent_f1_weighted": f1_score(gold, predicted, average="weighted"),
            **_risk_rates(gold, predicted),
        },
        "risk_phrases": _risk_rates(phrase_gold, phrase_predicted),
    }
    print(classification_report(gold, predicted, zero_division=0))
    print(json.dumps(report, indent=2))
    misses = [
        {"text": t, "gold": g, "predicted": p}
        for t, g, p in zip(texts + phrase_texts, gold + phrase_gold,
                           predicted + phrase_predicted)
        if g.startswith(RISK_PREFIX) != p.startswith(RISK_PREFIX)
    ]
    (out / "report.json").write_text(
        json.dumps({**report, "risk_errors": misses}, indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    print(f"risk errors (missed or false alarms): {len(misses)} — see {out / 'report.json'}")
    ok = all(
        part["risk_recall"] >= 0.98 and part["false_alarm_rate"] < 0.03
        for part in report.values()
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
