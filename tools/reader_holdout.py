"""The sentence reader alone, on a batch of the dev half left out of its training.

Usage: python -m tools.reader_holdout batch23/ [--without-written] [--C 20] [--char-ngrams 4]

The reader (bot/rasa/risk_model.py) learns from the training examples and from
the independent set's dev half (config.yml, ``written``). Its dev figures are
then partly memory; to see what it makes of words it has not seen, one batch
(a ``file`` prefix of tests/eval/risk.dev.jsonl) is left out of the written
messages, the reader is fitted without it and reads it: AUC, recall and false
alarms at a few thresholds, recall at 5% false alarms. ``--without-written``
fits it on the training examples alone, for comparison. Design choices read
here, and then the whole pipeline on the same batch (``written_holdout`` in
config.yml), before the sealed half is read once.
"""

from __future__ import annotations

import argparse
from typing import List, Optional

import numpy as np

from bot.core.config import PROJECT_ROOT
from bot.rasa.risk_model import fit_reader, read_with, written_examples
from tools.evaluation.common import load_set, training_pairs



def written_files() -> List[str]:
    """The written files the sentence reader learns from, as config.yml names them."""
    import yaml

    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    for step in config.get("pipeline") or []:
        if str(step.get("name", "")).endswith("SentenceRiskClassifier"):
            return list(step.get("written") or [])
    return []


def main(argv: Optional[List[str]] = None) -> int:
    """Print the held-out batch's figures."""
    from sklearn.metrics import roc_auc_score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("batch", help="a file prefix in the dev half, e.g. batch23/")
    parser.add_argument("--without-written", action="store_true")
    parser.add_argument("--C", type=float, default=20.0, help="the regression's C")
    parser.add_argument("--char-ngrams", type=int, default=4, help="longest character n-gram")
    args = parser.parse_args(argv)
    held = [i for i in load_set("risk", "dev") if str(i.get("file", "")).startswith(args.batch)]
    if not held or all(i["risk"] for i in held) or not any(i["risk"] for i in held):
        print(f"{args.batch}: needs risk and harmless lines in the dev half")
        return 2
    examples = [(text, intent) for text, intent in training_pairs() if intent]
    if not args.without_written:
        examples += written_examples(written_files(), [args.batch])
    model = fit_reader(examples, C=args.C, char_ngrams=args.char_ngrams)
    p = np.array([read_with(model, i["text"])["p"] for i in held])
    risky = np.array([bool(i["risk"]) for i in held])
    print(f"{args.batch}: {risky.sum()} risk, {(~risky).sum()} harmless, "
          f"{len(examples)} examples learnt")
    print(f"  AUC {roc_auc_score(risky, p):.3f}")
    for threshold in (0.5, 0.7, 0.8, 0.9):
        print(f"  at {threshold}: recall {np.mean(p[risky] >= threshold):.3f}, "
              f"false alarms {np.mean(p[~risky] >= threshold):.3f}")
    cut = np.quantile(p[~risky], 0.95)
    print(f"  recall at 5% false alarms {np.mean(p[risky] > cut):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
