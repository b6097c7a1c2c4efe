"""The independent evaluation, scored on the model `make test` trains.

Parsing a few hundred messages takes seconds: a change that breaks the gates
of the sealed half cannot land. The figures are printed (never the sealed
half's lines); `make eval` prints the same with intervals, for both halves.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot import eval_independent as ev

# The sealed half's floors that must hold today. Issue 10's targets are in
# ev.GATES; where today's figure is below a target, the floor is today's
# measured figure (README, "Measures"), so that nothing slips back unnoticed.
# Measured 2026-12-03 on the sealed half (329 risk, 313 harmless, 39 + 40
# scenarios): recall 0.857, critical 0.846, right number 0.802, false alarms
# 0.173, scenarios on time 37/39, harmless scenarios escalated 11/40. Issue 10
# asks for 0.98 / 1.00 / 0.98 / 0.05: not reached (README, "Measures").
FLOORS = {
    "recall": 0.83,
    "critical_recall": 0.81,
    "right_number": 0.77,
    "false_alarms_max": 0.20,
    "scenario_on_time": 0.90,
    "harmless_scenarios_escalated_max": 13,
}


@pytest.fixture(scope="module")
def figures(trained_model):
    driver = ev.Driver(Path(trained_model))

    async def score():
        out = {}
        for half in ("dev", "sealed"):
            risk = await ev.score_risk(driver, ev.load_set("risk", half))
            scenarios = await ev.score_scenarios(driver, ev.load_set("scenarios", half))
            ev.print_risk(half, risk)
            ev.print_scenarios(half, scenarios)
            out[half] = (risk, scenarios)
        return out

    return asyncio.run(score())


def _sealed_figures(figures) -> dict:
    """Plain numbers only: a failing assertion must not show the report (its
    by-kind counts of misses belong to the sealed half)."""
    risk, scenarios = figures["sealed"]
    return {
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
                                          "scenario_on_time") if got[name] < FLOORS[name]}
    assert not below, below
    assert got["false_alarms"] <= FLOORS["false_alarms_max"], got["false_alarms"]
    assert got["harmless_scenarios_escalated"] <= FLOORS["harmless_scenarios_escalated_max"], \
        got["harmless_scenarios_escalated"]


def test_the_dev_half_is_scored_too(figures):
    risk, scenarios = figures["dev"]
    assert risk.recall.n >= 120 and risk.false_alarms.n >= 120
    assert scenarios.risky >= 20 and scenarios.harmless >= 20
