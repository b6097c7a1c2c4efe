"""The companion set: intents read right, fallbacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Tuple

from tools.evaluation.common import Driver, Rate

# Issue 11: understanding of everyday messages on the sealed companion half.
COMPANION_GATES = {"accuracy": 0.85, "fallback_max": 0.10}


# Intents added after the first batches were written that refine one of their
# labels: the answer to "qui lit mes messages ?" (ask_privacy) is the honest "who
# are you" answer the first writers, who had no ask_privacy label, called
# bot_challenge. Later writers (batches 10, 12, 13) had the label: a line they
# labelled ask_privacy must be read as ask_privacy.
REFINES = {"ask_privacy": "bot_challenge"}


def judged(expected: str, predicted: str) -> str:
    """The predicted intent as the line's own label set names it."""
    if REFINES.get(predicted) == expected:
        return expected
    return predicted


@dataclass
class CompanionReport:
    """Understanding of everyday messages (issue 11): intent, fallback, macro F1."""

    accuracy: Rate = field(default_factory=Rate)
    fallback: Rate = field(default_factory=Rate)
    risk: Rate = field(default_factory=Rate)
    pairs: List[Tuple[str, str]] = field(default_factory=list)
    misses: List[str] = field(default_factory=list)

    def macro_f1(self) -> float:
        """Macro F1 over the expected intents."""
        labels = sorted({expected for expected, _ in self.pairs})
        scores = []
        for label in labels:
            tp = sum(1 for e, p in self.pairs if e == label and p == label)
            fp = sum(1 for e, p in self.pairs if e != label and p == label)
            fn = sum(1 for e, p in self.pairs if e == label and p != label)
            scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        return sum(scores) / len(scores) if scores else 0.0


async def score_companion(driver: Driver, items: Iterable[Dict[str, Any]]) -> CompanionReport:
    """Parse each message (NLU only): the intent, a fallback, a false risk reading."""
    report = CompanionReport()
    for item in items:
        parsed = await driver.agent.parse_message(item["text"])
        predicted = (parsed.get("intent") or {}).get("name") or ""
        predicted = judged(item["intent"], predicted)
        report.pairs.append((item["intent"], predicted))
        report.accuracy.add(predicted == item["intent"])
        report.fallback.add(predicted == "nlu_fallback")
        report.risk.add(predicted.startswith("risk_"))
        if predicted != item["intent"]:
            report.misses.append(f"MISS {item['intent']} got={predicted} "
                                 f"[{item.get('kind', '')}] :: {item['text']}")
    return report


def print_companion(half: str, report: CompanionReport) -> None:
    """The companion figures of one half."""
    print(f"  companion messages, {half} half: intent accuracy {report.accuracy}, "
          f"macro F1 {report.macro_f1():.3f}, fallback {report.fallback}, "
          f"read as risk {report.risk}")


def companion_gate_failures(report: CompanionReport) -> List[str]:
    """Which of issue 11's understanding gates a half fails."""
    failures = []
    if report.accuracy.value < COMPANION_GATES["accuracy"]:
        failures.append(f"intent accuracy {report.accuracy.value:.3f} < "
                        f"{COMPANION_GATES['accuracy']}")
    if report.fallback.value > COMPANION_GATES["fallback_max"]:
        failures.append(f"fallback {report.fallback.value:.3f} > "
                        f"{COMPANION_GATES['fallback_max']}")
    return failures
