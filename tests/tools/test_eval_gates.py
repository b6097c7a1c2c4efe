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
# Measured 2026-12-04 on the batch-3 sealed half (270 risk, 221 harmless, 39 +
# 38 scenarios; 169 companion messages) and the booking set's sealed half with
# its fourth batch (51 conversations: 38 bookings, 10 cancellations, 3 with
# nothing to book): recall 0.852, critical 0.874, right number 0.822 (any
# band: the direct question gives the number too; 0.722 from the clear band), false
# alarms 0.149, scenarios on time 35/39, harmless scenarios escalated 18/38;
# intent accuracy 0.858, fallback 0.077; bookings right 33/38, cancellations
# 9/10, refused hours 0. Issue 10 asks for 0.98 / 1.00 / 0.98 / 0.05 and issue
# 11 for bookings 0.95 and every cancellation: not reached. Training is seeded
# (the same figures twice here); the floors sit one or two messages below.
FLOORS = {
    "recall": 0.83,
    "critical_recall": 0.85,
    "right_number": 0.80,
    "false_alarms_max": 0.16,
    "scenario_on_time": 0.87,
    "harmless_scenarios_escalated_max": 19,
    "intent_accuracy": 0.845,
    "fallback_max": 0.10,
    "booking_right": 0.80,
    "booking_cancelled": 0.89,
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
    # No booking at an hour the person refused (issue 11's gate, met); the
    # cancellations hold their floor (the fourth batch's sealed half brought
    # one that is not honoured: issue 11 asks for all).
    assert got["booking_cancelled"] >= FLOORS["booking_cancelled"], got["booking_cancelled"]
    assert got["booking_refused"] == 0, got["booking_refused"]


def test_the_dev_half_is_scored_too(figures):
    risk, scenarios, companion = figures["dev"]
    assert risk.recall.n >= 120 and risk.false_alarms.n >= 120
    assert scenarios.risky >= 20 and scenarios.harmless >= 20
