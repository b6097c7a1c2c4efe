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
# Measured on the batch-12 sealed half (six new writers, sealed whole on
# 2026-12-04 at 21:10: 330 risk, 270 harmless, 42 + 43 scenarios; 190 companion
# messages; 58 bookings, 14 cancellations and 17 with nothing to book). The
# batch-10 half, read five times, joined the dev half.
# First reading (21:20, the model of e01a377): recall 0.921, critical 0.939,
# English 0.944, right number 0.900, false alarms 0.133 (clear band 0.104),
# scenarios on time 34/42 (8 late, none missed), harmless scenarios escalated
# 17/43; intent accuracy 0.811, fallback 0.047; bookings right 48/58,
# cancellations 13/14, nothing booked 17/17, no booking at a refused hour. (The
# batch-10 half's last reading had said scenarios 39/42, intent 0.836 and
# bookings 49/54: a half read often flatters; README, "Tests and measures".)
# Fourth reading (22:30, the model of this commit: 2,390 sentences from five
# new writers, the sentence reader learning each sentence of a harmless
# example, DIET at 25 epochs in batches of 256 to 512): recall 0.933, critical
# 0.961, English 0.889, right number 0.924, false alarms 0.126 (clear band
# 0.085), scenarios 34/42 on time, harmless scenarios escalated 14/43; intent
# accuracy 0.837, fallback 0.026; bookings right 48/58, cancellations 13/14,
# nothing booked 17/17, no booking at a refused hour.
# Fifth reading (2026-12-05, the model of this commit: batch 13's booking fixes,
# 329 sentences about a booked call, the companion scorer reading ask_privacy
# as ask_privacy where the writers had that label, cut sentences watched):
# recall 0.924, critical 0.961, English 0.833, right number 0.912, false alarms
# 0.115 (clear band 0.078), scenarios 34/42 on time, harmless scenarios
# escalated 13/43; intent accuracy 0.874, fallback 0.032; bookings right 51/58,
# cancellations 14/14, nothing booked 17/17, no booking at a refused hour.
# Sixth reading (2026-12-05, the model of this commit: 360 sentences in simple
# English from people without French, risk and harmless twins; the English
# lexicon entries; batch 14's booking fixes): recall 0.939, critical 0.961,
# English 0.944, right number 0.927, false alarms 0.119 (clear band 0.085),
# scenarios 34/42 on time, harmless scenarios escalated 13/43; intent accuracy
# 0.889, fallback 0.026; bookings right 51/58, cancellations 14/14, nothing
# booked 17/17, no booking at a refused hour. (360 sentences of ordinary
# farewells and their risky twins, tried with it, cost eleven risk messages of
# the dev half, "jai mis le gaz et jai fermé les fenetres" among them: not kept,
# never read on the sealed half.)
# Issue 10 asks for 0.98 / 1.00 / 0.98 / 0.05 and issue 11 for bookings 0.95,
# intent accuracy 0.85, every cancellation and no refused hour: not reached.
# Training is seeded; the floors sit one or two messages below.
FLOORS = {
    "recall": 0.93,
    "critical_recall": 0.95,
    "right_number": 0.92,
    "false_alarms_max": 0.13,
    "scenario_on_time": 0.78,
    "harmless_scenarios_escalated_max": 15,
    "intent_accuracy": 0.87,
    "fallback_max": 0.045,
    "booking_right": 0.86,
    "booking_cancelled": 0.92,
    "booking_refused_max": 0,
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
