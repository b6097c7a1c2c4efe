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
# Measured on the batch-27 sealed half (eight new writers, new briefs, sealed
# whole on 2026-12-05 in session 22: 357 risk, 217 harmless, 40 + 40 scenarios;
# 180 companion messages; 100 bookings, 32 cancellations and 23 with nothing to
# book). The batch-22 half, read nine times, joined the dev half; its first
# reading was recall 0.906, critical 0.966, right number 0.903, false alarms
# 0.050, scenarios 38/41 on time, harmless escalated 12/41, intent 0.922,
# bookings 81/88, cancellations 25/26; its last recall 0.941, critical 0.986,
# right number 0.938, false alarms 0.050, harmless escalated 10/41, intent 0.912,
# bookings 83/88, cancellations 25/26 (git log of this file).
# First reading of batch 27 (the model of cfd11ee, session 21's, before any
# change): recall 0.930 (clear band 0.832), critical 0.989, English 0.949, right
# number 0.919, false alarms 0.055 (clear band 0.041), scenarios 35/40 on time (2
# late, 3 missed), harmless scenarios escalated 11/40; intent accuracy 0.883
# (macro F1 0.911), fallback 0.017; bookings right 87/100, cancellations 27/32,
# nothing booked 23/23, one booking at a refused hour. New writers' bookings and
# cancellations are read less well than the dev half says (dev: 0.99).
# Second reading (the reader learns batch 22; 112 in every first risk reply; batch
# 28's booking rules): recall 0.933, right number 0.933, harmless escalated 9/40;
# bookings unchanged. Third (batch 29's rules, eight lexicon families): bookings
# 88/100, cancellations 26/32. Fourth (more cancel wordings, 'on oublie' a cancel
# again, the language guessed on folded text): recall 0.933 (clear band 0.838),
# critical 0.989, right number 0.933, false alarms 0.055, scenarios 35/40 on time,
# harmless escalated 9/40; intent 0.883, fallback 0.017; bookings 87/100,
# cancellations 28/32, nothing booked 23/23, one at a refused hour.
# Session 23: batch 30 (seven new writers, new briefs) was read whole once, then
# split by the hash; its sealed half (365 risk messages, 42 scenarios, 152
# bookings) joined batch 27's. The grown sealed half (566 risk, 373 harmless; 60 +
# 62 scenarios; 204 bookings, 58 cancellations, 45 with nothing to book), first
# read with session 22's model and code (7436c2b), before any change: recall
# 0.947 (clear band 0.845), critical 0.993, right number 0.947, false alarms 0.075
# (clear band 0.038), scenarios 55/60 on time (2 late, 3 missed), harmless
# scenarios escalated 13/62; intent 0.883, fallback 0.017; bookings 184/204,
# cancellations 51/58, nothing booked 43/45, two at a refused hour. Batch 30's
# writers are harder than batch 27's: the floors of false alarms, harmless
# scenarios and refused hours move with the set, not with the assistant.
# Second reading (batch 30's and 31's dev rules and lexicon families, the reader
# learns both dev halves): recall 0.949, critical 0.993, right number 0.949, false
# alarms 0.083, scenarios 55/60, harmless 13; bookings 186/204, cancellations
# 50/58, nothing 43/45, two at a refused hour.
# Session 24: batch 32 (seven new writers, briefs in tests/eval/briefs/) was
# split by the hash; its sealed half (177 risk, 117 harmless, 16 + 16 scenarios,
# 88 bookings, 28 cancellations, 23 with nothing to book) joined. The grown
# sealed half (743 risk, 490 harmless; 76 + 78 scenarios; 292 bookings, 86
# cancellations, 68 with nothing to book), first read with session 23's model
# before any change (sum of the old half's reading and the new lines', both with
# 3312f1c): recall 0.938, critical 0.983, right number 0.938, false alarms 0.094,
# scenarios 71/76 on time (2 late, 3 missed), harmless escalated 17/78; bookings
# 268/292, cancellations 76/86, nothing booked 65/68, two at a refused hour.
# Batch 32's writers were the hardest yet on false alarms (12.8% on their sealed
# lines): the floors of recall, critical, false alarms and harmless scenarios
# move with the set, not with the assistant.
# Last reading of session 24 (batch 32's and 33's dev rules, twelve lexicon
# families, a suspense ellipsis read as one sentence, "quand vous voulez" and "3
# heures" booked; the reader learns batches 32 and 33): recall 0.933, critical
# 0.983, right number 0.933, false alarms 0.086 (clear 0.049), scenarios 71/76 on
# time, harmless escalated 16/78; intent 0.889, fallback 0.017; bookings 272/292,
# cancellations 77/86, nothing booked 65/68, two at a refused hour.
# Session 25 (batches 34 and 35, eleven new writers, dev half only; the reader
# learns both; lexicon families from their dev misses; a past brought back to now
# is not at a distance; a faint risk reading on a leaving message is asked about;
# the booking reader's batch 34 and 35 rules), last reading: recall 0.935 (clear
# 0.851), critical 0.978 (355 of 363: one and then another lost to the reader's
# retraining, nothing else this session silences a message), right number 0.935,
# false alarms 0.078 (clear 0.045), scenarios 70/76 on time (3 late, 3 missed),
# harmless escalated 17/78; intent 0.878 (macro F1 0.909), fallback 0.017;
# bookings 274/292, cancellations 77/86, nothing booked 65/68, two at a refused
# hour.
# Session 26 (batches 36 and 37, thirteen new writers, dev half only; the reader
# learns both; lexicon families from their dev misses; the booking reader's
# batch 36 and 37 rules; after a booking no "not understood" after the usual
# answer; thanks in the form close it), last reading: recall 0.942 (clear
# 0.852), critical 0.983 (357 of 363), right number 0.942, false alarms 0.080
# (clear 0.049), scenarios 70/76 on time (3 late, 3 missed), harmless escalated
# 17/78; intent 0.883 (macro F1 0.913), fallback 0.017; bookings 277/292,
# cancellations 76/86 (77 at the second reading), nothing booked 65/68, three at
# a refused hour (two at the second reading: one conversation, most likely a
# cancellation now moved to an hour its writer refused; the sealed misses are
# not read).
# Session 27 (batch 38, six new writers, dev half only; lexicon families from
# its dev misses and 35 English families from published warning signs; the
# booking reader's batch 38 rules; a learnt cancellation reader; a cancellation
# reaches a call booked a few messages before), last reading: recall 0.941
# (clear 0.851), critical 0.983, right number 0.941, false alarms 0.078 (clear
# 0.047), scenarios 70/76 on time (3 late, 3 missed), harmless escalated 17/78;
# intent 0.883 (macro F1 0.908), fallback 0.011; **bookings 278/292 (0.952)**,
# cancellations 76/86, nothing booked 65/68, three at a refused hour.
# Issue 10 asks for 0.98 / 1.00 / 0.98 / 0.05 and issue 11 for bookings 0.95,
# intent accuracy 0.85, every cancellation and no refused hour: not reached.
# Session 28 (batch 39, six new writers, dev half only; a worry that stands
# without a message's distant sentences and idioms is asked about; "atelier" is
# media only as a session; five lexicon families; the reader learns batch 39;
# the booking reader's batch 39 rules), last reading: recall 0.938 (697/743;
# clear 0.855), critical 0.983, right number 0.938, false alarms 0.073 (36/490;
# clear 0.047), scenarios 70/3/3, harmless escalated 17/78, intent 0.883,
# fallback 0.011, bookings 278/292, cancellations 76/86, three at a refused
# hour. The reader retrained on batch 39 moved recall 699 -> 697 and false
# alarms 38 -> 36: the recall floor follows, two messages below.
# Session 29 (batch 40, six new writers, dev half only; seven lexicon families
# and six harmless readings from its dev misses; the reader learns batch 40;
# batch 40's booking-reader rules), last reading: recall 0.941 (699/743; clear
# 0.857), critical 0.983, right number 0.941, false alarms 0.076 (37/490; clear
# 0.047), scenarios 70/3/3, harmless escalated 16/78, intent 0.883, fallback
# 0.011, bookings 278/292, **cancellations 78/86**, nothing 65/68, three at a
# refused hour.
# Session 30 (batches 41 and 42, fourteen new writers, dev half only; lexicon
# families from their dev misses; the reader learns both; their booking-reader
# rules), last reading: recall 0.941 (699/743; clear 0.863), critical 0.983,
# right number 0.941, false alarms 0.080 (39/490; clear 0.047), scenarios
# 71/76 on time (2 late, 3 missed), harmless escalated 14/78, intent
# 0.883, fallback 0.006, bookings 278/292, cancellations 78/86, nothing 65/68,
# three at a refused hour. False alarms went 37 -> 39 (the sealed lines are not
# read, so which family or reading added them is not known): the floor follows,
# one message above.
# Session 31 (batches 43, 44 and 45, seventeen new writers, dev half only, three
# of them writing harmless lines only; lexicon families and harmless readings
# from their dev misses; a laughing face read as "mdr"; a joke taken back is
# meant; DIET alone not followed when the sentence reader reads below 0.3; the
# reader learns the three batches; their booking-reader rules), last reading:
# recall 0.952 (707/743; clear 0.867), critical 0.989 (359/363), right number
# 0.952, false alarms 0.059 (29/490; clear 0.035), scenarios 71/76 on time (2
# late, 3 missed), harmless escalated 18/78 (10 in the clear band), intent 0.889
# (macro F1 0.917; from a fresh clone), fallback 0.011, bookings 278/292, cancellations 79/86,
# nothing 65/68, three at a refused hour. The floors of recall, critical, right
# number and false alarms follow, two messages away; harmless scenarios went
# 14 -> 18 (families that ask at the alarming turn a twin shares with its risk
# scenario: a hand that will not hold, a relative silent for days): one above.
# Session 32 (batches 46, 47 and 48, eighteen new writers, dev half only, two
# of them writing harmless lines only; two sentences in a row read together;
# families and harmless readings from their dev misses; the reader learns the
# three batches; their booking-reader rules): recall 0.954 (709/743; clear
# 0.865), critical 0.989 (359/363), right number 0.954, false alarms 0.057
# (28/490; clear 0.033), scenarios 71/76 on time (2 late, 3 missed), harmless
# escalated 17/78 (10 clear), intent 0.889 (macro F1 0.917), fallback 0.011,
# bookings 278/292, cancellations 79/86, nothing 65/68, three at a refused hour.
# The floors of recall, right number, false alarms and harmless scenarios follow,
# two messages (one scenario) away.
# Session 33 (batches 49, 50 and 51, eighteen new writers, dev half only, one of
# them writing harmless lines only; families and harmless readings from their dev
# misses; a former partner who threatens now is not told at a distance; the
# reader learns the three batches; their booking-reader rules): recall 0.960
# (713/743; clear 0.878), critical 0.992 (360/363), right number 0.960, false
# alarms 0.059 (29/490; clear 0.035), scenarios 71/76 on time (2 late, 3
# missed), harmless escalated 16/78 (10 clear), intent 0.889 (macro F1 0.914),
# fallback 0.011, bookings 279/292, cancellations 80/86, nothing 65/68, three at
# a refused hour. The floors of recall, critical, right number and bookings
# follow, two messages away; harmless scenarios one away; false alarms stay.
# Session 34 (batches 52 and 53, twelve new writers, dev half only; families and
# harmless readings from their dev misses, among them explanations a harmless
# twin gives in the same message; the reader learns both batches; their
# booking-reader rules): recall 0.961 (714/743; clear 0.882), critical 0.992
# (360/363), right number 0.961, false alarms 0.057 (28/490; clear 0.035),
# scenarios 71/76 on time (2 late, 3 missed), harmless escalated 13/78 (8
# clear), intent 0.883 (macro F1 0.911), fallback 0.011, bookings 279/292,
# cancellations 80/86, nothing 65/68, three at a refused hour. The floors of
# recall and right number follow, two messages away; harmless scenarios one away.
# Read again with batch 54 learnt too: the same figures (clear band 656).
# Session 35 (batches 55 to 58, twenty-four new writers, dev half only; families
# and harmless readings from their dev misses; the reader learns them; their
# booking-reader rules; a cancellation that found no call no longer hides the
# moment before it). With 55-56 learnt: recall 0.961 (714/743; clear 0.890),
# critical 0.992, false alarms 28/490, harmless escalated 14/78, bookings
# 279/292, cancellations 80/86. With 57 learnt too: recall 0.960 (713/743;
# clear 0.896), critical 0.989 (359/363), English 0.955, false alarms 0.055
# (27/490; clear 0.039), scenarios 71/76 on time, harmless escalated 15/78 (9
# clear), intent 0.883 (macro F1 0.914), fallback 0.011, bookings 280/292,
# cancellations 79/86, nothing 65/68, three at a refused hour. The lexicon alone
# reads 8 more sealed risk lines than session 34's and hides none (counts only):
# the lost critical line and the harmless scenario asked are the retrained
# model's. Batch 58 is learnt after that reading, so the floors of recall,
# critical, right number and harmless scenarios sit a retraining's noise below
# it (three messages, two critical, one scenario). Session 36, batches 59 and 60
# learnt: recall 0.964 (716/743; clear 0.904), critical 0.992 (360/363), English
# 0.973, false alarms 0.059 (29/490; clear 0.041), scenarios 70/76 on time (4
# missed), harmless escalated 15/78, intent 0.878 (macro F1 0.914), fallback
# 0.017, bookings 280/292, cancellations 80/86, nothing 65/68, three refused.
# The floors stay where they were: batch 61 is learnt after that reading.
# Session 38, batches up to 64 learnt with batch 64's families: recall 0.969
# (720/743; clear 0.911), critical 0.992, English 0.973, false alarms 0.051
# (25/490; clear 0.035), scenarios 70/76 on time (4 missed), harmless escalated
# 14/78 (9 clear), intent 0.872 (157/180, one message fewer than session 37's:
# the floor moves one message below it, the gate is 0.85), fallback
# 0.017, bookings 281/292, cancellations 80/86, nothing 65/68, three refused.
# Training is seeded; the floors sit one or two messages below.
FLOORS = {
    "recall": 0.955,
    "critical_recall": 0.983,
    "right_number": 0.955,
    "false_alarms_max": 0.062,
    "scenario_on_time": 0.905,
    "harmless_scenarios_escalated_max": 16,
    "intent_accuracy": 0.866,
    "fallback_max": 0.03,
    "booking_right": 0.948,
    "booking_cancelled": 0.907,
    "booking_refused_max": 3,
}


# The dev half is scored on a fixed sample (tools.evaluation.common.sample_set:
# a line is in or out by the hash of its words): the whole dev half took most
# of `make test`'s time (about 20 minutes of 40) and `make eval` scores it
# whole. One risk message in five, one scenario in four, one companion message
# in three, one booking conversation in ten.
DEV_SAMPLE = {"risk": 5, "scenarios": 4, "companion": 3, "booking": 10}

# The dev sample's floors, a few lines below its reading with session 29's last
# model (recall 1091/1093, false alarms 27/809, scenarios 213/222 on time, intent
# 490/526, bookings 311/314, cancellations 125/125, none at a refused hour; with
# session 30's, batches 41 and 42 in it: recall 1223/1225, false alarms 29/900,
# scenarios 239/248, intent 490/526, bookings 337/340, cancellations 138/138; with
# session 31's, batches 43 to 45 in it, read from a fresh clone: recall 1376/1378,
# false alarms 28/1067, scenarios 260/269, intent 485/526 (490 with a model whose
# intent reader came from the local training cache), bookings 349/352,
# cancellations 150/150; with session 32's, batches 46 to 48 in it: recall
# 1546/1549, false alarms 29/1257, scenarios 276/285, intent 485/526, bookings
# 363/365, cancellations 162/162; with session 33's, batches 49 to 51 in it:
# recall 1719/1722, false alarms 29/1444, scenarios 299/308, intent 490/526,
# bookings 375/378, cancellations 175/175; with session 34's, batches 52 and 53
# in it: recall 1897/1899, false alarms 27/1544, scenarios 311/321, intent
# 491/526, bookings 387/390, cancellations 180/180; with batch 54 too: recall
# 1954/1956, false alarms 28/1591, scenarios 316/326, intent 491/526, bookings
# 393/396, cancellations 186/186; with session 36's, batches 59 and 60 in it:
# recall 2396/2400, false alarms 29/1850, scenarios 345/355, intent 493/526,
# bookings 417/420, cancellations 207/207): the
# dev half is read and learnt from, so these guard what was learnt against
# slipping back, not how well the assistant generalises (the sealed half says that).
DEV_FLOORS = {
    "recall": 0.995,
    "false_alarms_max": 0.036,
    "scenario_on_time": 0.95,
    "intent_accuracy": 0.918,
    "booking_right": 0.984,
    "booking_cancelled": 0.984,
}


def _dev(name: str):
    return ev.sample_set(ev.load_set(name, "dev"), DEV_SAMPLE[name])


@pytest.fixture(scope="module")
def figures(trained_model):
    driver = ev.Driver(Path(trained_model))

    async def score():
        out = {}
        for half in ("dev", "sealed"):
            load = _dev if half == "dev" else (lambda name: ev.load_set(name, "sealed"))
            risk = await ev.score_risk(driver, load("risk"))
            scenarios = await ev.score_scenarios(driver, load("scenarios"))
            companion = await ev.score_companion(driver, load("companion"))
            label = "dev sample" if half == "dev" else half
            ev.print_risk(label, risk)
            ev.print_scenarios(label, scenarios)
            ev.print_companion(label, companion)
            out[half] = (risk, scenarios, companion)
        async with ev.BookingConversations(driver) as conversations:
            booking = await ev.score_booking(conversations, ev.load_set("booking", "sealed"))
            dev_booking = await ev.score_booking(conversations, _dev("booking"))
        ev.print_booking("sealed", booking)
        ev.print_booking("dev sample", dev_booking)
        out["booking"] = booking
        out["dev_booking"] = dev_booking
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
    # asks for every cancellation honoured and no refused hour: not met on batch 27).
    assert got["booking_cancelled"] >= FLOORS["booking_cancelled"], got["booking_cancelled"]
    assert got["booking_refused"] <= FLOORS["booking_refused_max"], got["booking_refused"]


def test_the_dev_sample_holds_what_was_learnt(figures):
    risk, scenarios, companion = figures["dev"]
    booking = figures["dev_booking"]
    assert risk.recall.n >= 800 and risk.false_alarms.n >= 500
    assert scenarios.risky >= 150 and scenarios.harmless >= 150
    assert booking.right.n >= 200 and booking.cancelled.n >= 50
    got = {
        "recall": round(risk.recall.value, 3),
        "scenario_on_time": round(scenarios.on_time / max(scenarios.risky, 1), 3),
        "intent_accuracy": round(companion.accuracy.value, 3),
        "booking_right": round(booking.right.value, 3),
        "booking_cancelled": round(booking.cancelled.value, 3),
    }
    below = {name: value for name, value in got.items() if value < DEV_FLOORS[name]}
    assert not below, below
    assert risk.false_alarms.value <= DEV_FLOORS["false_alarms_max"], risk.false_alarms
    assert booking.refused <= 1, booking.refused
