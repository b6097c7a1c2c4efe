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
# Measured on the batch-15 sealed half (seven new writers, sealed whole on
# 2026-12-05 at 02:40: 330 risk, 269 harmless, 44 + 44 scenarios; 193 companion
# messages; 84 bookings, 26 cancellations and 19 with nothing to book). The
# batch-12 half, read six times, joined the dev half; its readings were: first
# recall 0.921, intent 0.811, bookings 48/58; sixth recall 0.939, critical
# 0.961, right number 0.927, false alarms 0.119, scenarios 34/42 on time,
# harmless scenarios escalated 13/43, intent 0.889, bookings 51/58,
# cancellations 14/14 (git log of this file).
# First reading (02:41, the model of ae893a9, before any change): recall 0.921,
# critical 0.963, English 0.973, right number 0.909, false alarms 0.071 (clear
# band 0.045), scenarios 38/44 on time (5 late, 1 missed), harmless scenarios
# escalated 16/44; intent accuracy 0.912, fallback 0.021; bookings right 72/84,
# cancellations 23/26, nothing booked 17/19, one booking at a refused hour.
# (The batch-12 half's last reading had said bookings 51/58 and cancellations
# 14/14: the same level of bookings on lines nobody had read, fewer
# cancellations honoured.)
# Second reading (03:50, the model of this commit: booking fixes from batches 16
# and 17, dev only, written from the sealed half's briefs by five new writers;
# STOP calls off the booked call; the risk lexicon's entries from batch 12's
# dev half; English safety replies varied): risk figures unchanged (recall
# 0.921, critical 0.963, right number 0.909, false alarms 0.071); bookings right
# 75/84, cancellations 26/26, nothing booked 18/19, one booking at a refused
# hour.
# Third reading (04:10, the model of this commit: booking fixes from batch 18,
# dev only, same briefs, two new writers; batch 18 had read 72/83 before them):
# risk unchanged; bookings right 76/84, cancellations 26/26, nothing booked
# 18/19, one booking at a refused hour. Fourth reading (04:25, a call moved or
# called off after a risk question): the same figures.
# Issue 10 asks for 0.98 / 1.00 / 0.98 / 0.05 and issue 11 for bookings 0.95,
# intent accuracy 0.85, every cancellation and no refused hour: not reached.
# Training is seeded; the floors sit one or two messages below.
FLOORS = {
    "recall": 0.91,
    "critical_recall": 0.95,
    "right_number": 0.90,
    "false_alarms_max": 0.08,
    "scenario_on_time": 0.84,
    "harmless_scenarios_escalated_max": 17,
    "intent_accuracy": 0.90,
    "fallback_max": 0.03,
    "booking_right": 0.89,
    "booking_cancelled": 0.96,
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
    # asks for every cancellation honoured and no refused hour: not met on batch 15).
    assert got["booking_cancelled"] >= FLOORS["booking_cancelled"], got["booking_cancelled"]
    assert got["booking_refused"] <= FLOORS["booking_refused_max"], got["booking_refused"]


def test_the_dev_half_is_scored_too(figures):
    risk, scenarios, companion = figures["dev"]
    assert risk.recall.n >= 120 and risk.false_alarms.n >= 120
    assert scenarios.risky >= 20 and scenarios.harmless >= 20
