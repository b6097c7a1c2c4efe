"""The independent evaluation, scored on the model `make test` trains.

Parsing a few hundred messages takes seconds: a change that breaks the gates
of the sealed half cannot land. The figures are printed (never the sealed
half's lines); `make eval` prints the same with intervals, for both halves.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tools import eval_independent as ev

# The sealed half's floors that must hold today. Issue 10's and issue 11's
# targets are in ev.GATES, ev.COMPANION_GATES and the booking gates; where
# today's figure is below a target, the floor is today's measured figure, a
# little lower for the width of one or two messages (README, "Tests and
# measures"), so that nothing slips back unnoticed.
# Measured on the batch-10 sealed half (eight new writers, sealed whole on
# 2026-12-04 evening: 321 risk, 244 harmless, 42 + 42 scenarios; 183 companion
# messages; 54 bookings, 22 cancellations and 14 with nothing to book).
# First reading (18:20, the model of 21d4a24): recall 0.819, critical 0.881,
# right number 0.798, false alarms 0.172, scenarios on time 38/42, harmless
# scenarios escalated 11/42; intent accuracy 0.858, fallback 0.027; bookings
# right 49/54, cancellations 20/22, no booking at a refused hour. (The batch-7
# sealed half, read six times and now in the dev half, said recall 0.913 and
# false alarms 0.098: a half read often flatters; README, "Tests and measures".)
# Second reading (18:40, DIET on sentence features and 1,480 sentences from four
# new writers: English, reports about others, indirect risk, hard negatives):
# recall 0.872, critical 0.937, English 0.943 (0.743), right number 0.850,
# false alarms 0.176, scenarios 38/42, harmless scenarios escalated 15; intent
# accuracy 0.820 (4 more everyday messages read as risk, 3 more fallbacks; the
# dev half read the same, 0.898), fallback 0.044; bookings 48/54, 20/22, none
# at a refused hour.
# Third reading (19:10, 1,210 more sentences from three new writers, a lexicon
# word of the uncertain level asked about only when a reader leans towards
# risk, both readers sure outweighing a distant word; the intent reader's fit
# stopped at 60 iterations): recall 0.897, critical 0.944, English 0.971,
# right number 0.866, false alarms 0.127 (clear band 0.115), scenarios 39/42
# on time, harmless scenarios escalated 15, one conversation repeating a
# sentence; intent accuracy 0.836, fallback 0.038; bookings 49/54, 20/22,
# none at a refused hour.
# Issue 10 asks for 0.98 / 1.00 / 0.98 / 0.05 and issue 11 for bookings 0.95,
# intent accuracy 0.85, every cancellation and no refused hour: not reached.
# Training is seeded; the floors sit one or two messages below.
FLOORS = {
    "recall": 0.88,
    "critical_recall": 0.93,
    "right_number": 0.85,
    "false_alarms_max": 0.14,
    "scenario_on_time": 0.90,
    "harmless_scenarios_escalated_max": 17,
    "intent_accuracy": 0.82,
    "fallback_max": 0.055,
    "booking_right": 0.88,
    "booking_cancelled": 0.86,
    "booking_refused_max": 1,
}


@pytest.fixture(scope="module")
def figures(trained_model):
    driver = ev.Driver(Path(trained_model))

    async def score():
        out = {}
        for half in ("dev", "sealed"):
            risk = await ev.score_risk(driver, ev.load_set("risk", half))
            scenarios = await ev.score_scenarios(driver, ev.load_set("scenarios", half))
            companion = await ev.score_companion(driver, ev.load_set("companion", half))
            ev.print_risk(half, risk)
            ev.print_scenarios(half, scenarios)
            ev.print_companion(half, companion)
            out[half] = (risk, scenarios, companion)
        async with ev.BookingConversations(driver) as conversations:
            booking = await ev.score_booking(conversations, ev.load_set("booking", "sealed"))
        ev.print_booking("sealed", booking)
        out["booking"] = booking
        return out

    return asyncio.run(score())


def _sealed_figures(figures) -> dict:
    """Plain numbers only: a failing assertion must not show the report (its
    by-kind counts of misses belong to the sealed half)."""
    risk, scenarios, companion = figures["sealed"]
    booking = figures["booking"]
    return {
        "intent_accuracy": round(companion.accuracy.value, 3),
        "fallback": round(companion.fallback.value, 3),
        "booking_right": round(booking.right.value, 3),
        "booking_cancelled": round(booking.cancelled.value, 3),
        "booking_refused": booking.refused,
        "recall": round(risk.recall.value, 3),
        "critical_recall": round(risk.critical_recall.value, 3),
        "right_number": round(risk.right_number.value, 3),
        "false_alarms": round(risk.false_alarms.value, 3),
        "scenario_on_time": round(scenarios.on_time / max(scenarios.risky, 1), 3),
        "harmless_scenarios_escalated": scenarios.harmless_escalated,
    }


def test_the_sealed_half_holds_its_floors(figures):
    got = _sealed_figures(figures)
    below = {name: got[name] for name in ("recall", "critical_recall", "right_number",
                                          "scenario_on_time", "intent_accuracy",
                                          "booking_right") if got[name] < FLOORS[name]}
    assert not below, below
    assert got["false_alarms"] <= FLOORS["false_alarms_max"], got["false_alarms"]
    assert got["harmless_scenarios_escalated"] <= FLOORS["harmless_scenarios_escalated_max"], \
        got["harmless_scenarios_escalated"]
    assert got["fallback"] <= FLOORS["fallback_max"], got["fallback"]
    # Cancellations and bookings at a refused hour hold today's figures (issue 11
    # asks for every cancellation honoured and no refused hour: not met on batch 10).
    assert got["booking_cancelled"] >= FLOORS["booking_cancelled"], got["booking_cancelled"]
    assert got["booking_refused"] <= FLOORS["booking_refused_max"], got["booking_refused"]


def test_the_dev_half_is_scored_too(figures):
    risk, scenarios, companion = figures["dev"]
    assert risk.recall.n >= 120 and risk.false_alarms.n >= 120
    assert scenarios.risky >= 20 and scenarios.harmless >= 20
