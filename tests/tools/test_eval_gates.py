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
# Measured on the batch-22 sealed half (seven new writers, new briefs, sealed
# whole on 2026-12-05 in session 20: 339 risk, 260 harmless, 41 + 41 scenarios;
# 193 companion messages; 88 bookings, 26 cancellations and 24 with nothing to
# book). The batch-15 half, read six times, joined the dev half; its readings
# were: first recall 0.921, critical 0.963, right number 0.909, false alarms
# 0.071, scenarios 38/44 on time, harmless escalated 16/44, intent 0.912,
# bookings 72/84, cancellations 23/26; last recall 0.921 (the same), bookings
# 76/84, cancellations 26/26, one at a refused hour (git log of this file).
# First reading (09:16, the model of 1cc54e9, before any change): recall 0.906
# (clear band 0.832), critical 0.966, English 0.912, right number 0.903, false
# alarms 0.050 (clear band 0.046), scenarios 38/41 on time (3 late, 0 missed),
# harmless scenarios escalated 12/41; intent accuracy 0.922 (macro F1 0.938),
# fallback 0.021; bookings right 81/88, cancellations 25/26, nothing booked
# 23/24, no booking at a refused hour.
# Second reading (batch 15's dev misses as lexicon families and booking rules):
# the same figures. Third reading (10:16, the reader asks from 0.90 instead of
# 0.93, chosen on batch 23, a dev-only batch from the sealed half's briefs;
# batch 23's booking rules): recall 0.914, critical 0.979, right number 0.909,
# false alarms 0.058 (clear band 0.046), harmless scenarios escalated 13/41;
# bookings unchanged.
# Fourth reading (10:34, batch 24's booking and cancellation rules, dev only): risk
# unchanged; bookings right 82/88, cancellations 25/26, nothing booked 23/24.
# Fifth reading (session 20's last lexicon families): unchanged. Sixth and seventh
# (session 21): the sentence reader learns the dev half (risk messages, then also
# everyday messages and conversations) and asks from 0.80, both chosen on batch
# 23 left out of its training: recall 0.938 (clear band 0.838), critical 0.986,
# right number 0.935, false alarms 0.054 (clear band 0.038), scenarios 39/41 on
# time, harmless scenarios escalated 11/41; intent accuracy 0.907 (a few long
# everyday messages asked about), fallback 0.021; bookings unchanged. Eighth (a
# short answer not learnt as risk; two messages read together; batch 25's booking
# rules): recall 0.941, critical 0.986, right number 0.938, false alarms 0.050,
# scenarios 38/41 on time, harmless escalated 10/41; bookings right 83/88.
# Issue 10 asks for 0.98 / 1.00 / 0.98 / 0.05 and issue 11 for bookings 0.95,
# intent accuracy 0.85, every cancellation and no refused hour: not reached.
# Training is seeded; the floors sit one or two messages below.
FLOORS = {
    "recall": 0.93,
    "critical_recall": 0.97,
    "right_number": 0.925,
    "false_alarms_max": 0.058,
    "scenario_on_time": 0.90,
    "harmless_scenarios_escalated_max": 12,
    "intent_accuracy": 0.895,
    "fallback_max": 0.03,
    "booking_right": 0.92,
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
    # asks for every cancellation honoured and no refused hour: not met on batch 22).
    assert got["booking_cancelled"] >= FLOORS["booking_cancelled"], got["booking_cancelled"]
    assert got["booking_refused"] <= FLOORS["booking_refused_max"], got["booking_refused"]


def test_the_dev_half_is_scored_too(figures):
    risk, scenarios, companion = figures["dev"]
    assert risk.recall.n >= 120 and risk.false_alarms.n >= 120
    assert scenarios.risky >= 20 and scenarios.harmless >= 20
