"""Score the assistant on evaluation sets written outside the project.

The sets in ``tests/eval/`` were written by writers who never saw ``data/nlu``,
the lexicon or earlier test phrases (see tests/eval/README.md). Each is split
once into a **dev** half, whose misses may be read to improve the assistant,
and a **sealed** half, which is only ever scored: this module prints its
figures, never its lines.

The assistant is driven end to end in process (a real trained model, the real
NLU pipeline and policies, an in-memory tracker, no action server): a message's
band is read from the answer Rasa chose, ``utter_risk_<category>`` (clear:
number and escalation) or ``utter_safety_ask_<category>`` (uncertain: a direct
question and a case a human looks at).

The booking set is talked through with the actions too (run in process, on the
clock of the set's reference date, under their own Redis key prefix): each
conversation's call is read from the store at its end.

Usage: python -m tools.eval_independent [--model models/lien.tar.gz] [--half dev]
       [--show-misses]   (dev half only)
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.core.config import PROJECT_ROOT
from tools.evaluation.booking import (
    BOOKING_GATES,
    BOOKING_REFERENCE,
    BOOKING_TZ,
    BookingConversations,
    BookingOutcome,
    BookingReport,
    InProcessActions,
    booking_gate_failures,
    judge_booking,
    print_booking,
    score_booking,
)
from tools.evaluation.common import (
    EVAL_DIR,
    HALVES,
    Driver,
    NearIndex,
    Rate,
    Turn,
    load_set,
    sample_set,
    quiet_rasa,
    training_texts,
    wilson,
)
from tools.evaluation.companion import (
    COMPANION_GATES,
    REFINES,
    CompanionReport,
    companion_gate_failures,
    print_companion,
    score_companion,
)
from tools.evaluation.risk import (
    GATES,
    RIGHT_NUMBERS,
    RiskReport,
    ScenarioReport,
    gate_failures,
    print_risk,
    print_scenarios,
    score_risk,
    score_scenarios,
)


async def evaluate(model: Path, halves: List[str], show_misses: bool) -> Dict[str, List[str]]:
    """Score the halves; return each half's gate failures."""
    driver = Driver(model)
    failures: Dict[str, List[str]] = {}
    for half in halves:
        risk = await score_risk(driver, load_set("risk", half))
        scenarios = await score_scenarios(driver, load_set("scenarios", half))
        print_risk(half, risk)
        print_scenarios(half, scenarios)
        companion = await score_companion(driver, load_set("companion", half))
        print_companion(half, companion)
        failures[half] = gate_failures(risk, scenarios) + companion_gate_failures(companion)
        if show_misses and half == "dev":
            print("  dev misses by kind:", dict(risk.by_kind.most_common()))
            for line in risk.misses + scenarios.misses + companion.misses:
                print("   ", line)
    # Booking runs the actions (Redis, the reference date's clock): after the rest.
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        async with BookingConversations(driver) as conversations:
            booking = await evaluate_booking(conversations, halves, show_misses)
    except (OSError, RedisConnectionError) as error:
        print(f"  booking conversations: not scored, Redis unreachable ({error})")
        booking = {half: ["booking not scored (no Redis)"] for half in halves}
    for half in halves:
        failures[half] = failures.get(half, []) + booking[half]
    return failures


async def evaluate_booking(conversations: Any, halves: List[str],
                           show_misses: bool) -> Dict[str, List[str]]:
    """Score the booking set's halves; misses are printed for the dev half only."""
    failures: Dict[str, List[str]] = {}
    for half in halves:
        report = await score_booking(conversations, load_set("booking", half))
        print_booking(half, report)
        failures[half] = booking_gate_failures(report)
        if show_misses and half == "dev":
            for line in report.misses:
                print("   ", line)
    return failures


def main(argv: Optional[List[str]] = None) -> int:
    """Print the figures; exit 1 when the sealed half misses a gate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(PROJECT_ROOT / "models" / "lien.tar.gz"))
    parser.add_argument("--half", choices=[*HALVES, "both"], default="both")
    parser.add_argument("--show-misses", action="store_true",
                        help="print the dev half's misses (never the sealed half's)")
    args = parser.parse_args(argv)
    halves = list(HALVES) if args.half == "both" else [args.half]
    failures = asyncio.run(evaluate(Path(args.model), halves, args.show_misses))
    for half, failed in failures.items():
        print(f"  gates, {half} half: " + ("pass" if not failed else "; ".join(failed)))
    return 1 if failures.get("sealed") else 0


# The evaluation's public names, one import away (tests and tests/eval scripts).
__all__ = [
    "BOOKING_GATES", "BOOKING_REFERENCE", "BOOKING_TZ", "BookingConversations",
    "BookingOutcome", "BookingReport", "COMPANION_GATES", "CompanionReport", "Driver",
    "EVAL_DIR", "GATES", "HALVES", "InProcessActions", "NearIndex", "REFINES",
    "RIGHT_NUMBERS", "Rate", "RiskReport", "ScenarioReport", "Turn", "booking_gate_failures",
    "companion_gate_failures", "evaluate", "evaluate_booking", "gate_failures",
    "judge_booking", "load_set", "main", "print_booking", "print_companion", "print_risk",
    "print_scenarios", "quiet_rasa", "sample_set", "score_booking", "score_companion",
    "score_risk", "score_scenarios", "training_texts", "wilson",
]

if __name__ == "__main__":
    sys.exit(main())
