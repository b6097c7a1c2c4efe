"""French dates and times as people write them (bot.when)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.when import spoken, understand

PARIS = ZoneInfo("Europe/Paris")
# Wednesday 25 November 2026, 10:00 in Paris.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS).timestamp()


@pytest.mark.parametrize("text, expected", [
    ("jeudi vers 14h", "2026-11-26 14:00"),
    ("Jeudi vers 14H", "2026-11-26 14:00"),
    ("jeudi 14 h 30", "2026-11-26 14:30"),
    ("le 3 à 10h30", "2026-12-03 10:30"),
    ("demain 15h", "2026-11-26 15:00"),
    ("demain vers 10h", "2026-11-26 10:00"),
    ("après-demain à 9h30", "2026-11-27 09:30"),
    ("apres demain a 9h30", "2026-11-27 09:30"),
    ("mardi 14h30", "2026-12-01 14:30"),
    ("samedi à 11h", "2026-11-28 11:00"),
    ("le 12/12 à 11h", "2026-12-12 11:00"),
    ("3 décembre à 10h", "2026-12-03 10:00"),
    ("le 1er décembre 15h", "2026-12-01 15:00"),
    ("à 16h", "2026-11-25 16:00"),
    ("aujourd'hui 17h", "2026-11-25 17:00"),
    ("dans une heure", "2026-11-25 11:00"),
    ("dans 3 jours à 14h", "2026-11-28 14:00"),
    ("mercredi prochain à 15h", "2026-12-02 15:00"),
    ("jeudi midi", "2026-11-26 12:00"),
    ("le 30 à 9h", "2026-11-30 09:00"),
    ("jeudi 3h de l'aprem", "2026-11-26 15:00"),
])
def test_precise_moments(text, expected):
    found = understand(text, NOW, "Europe/Paris")
    assert found.status == "ok", (text, found)
    assert found.at.strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize("text, proposal", [
    ("demain matin", "2026-11-26 10:00"),
    ("dans deux jours", "2026-11-27 10:00"),
    ("lundi prochain", "2026-11-30 10:00"),
    ("vendredi après-midi", "2026-11-27 14:30"),
    ("ce soir", "2026-11-25 18:00"),
    ("dans 2 semaines", "2026-12-09 10:00"),
])
def test_vague_answers_get_a_concrete_proposal(text, proposal):
    found = understand(text, NOW, "Europe/Paris")
    assert found.status == "vague" and found.at is None
    assert found.proposal.strftime("%Y-%m-%d %H:%M") == proposal


@pytest.mark.parametrize("text", ["hier à 14h", "aujourd'hui à 8h"])
def test_the_past_is_refused_with_a_proposal(text):
    found = understand(text, NOW, "Europe/Paris")
    assert found.status == "past" and found.at is None and found.proposal.timestamp() > NOW


@pytest.mark.parametrize("text", ["demain à 3h", "ce soir 23h", "jeudi à 22h30"])
def test_the_middle_of_the_night_is_refused_with_a_daytime_proposal(text):
    found = understand(text, NOW, "Europe/Paris")
    assert found.status == "night" and found.proposal.hour == 10


@pytest.mark.parametrize("text", ["bof", "oui", "jsp", "", "🙂", "x" * 5000])
def test_no_moment_is_unknown(text):
    assert understand(text, NOW, "Europe/Paris").status == "unknown"


def test_times_are_read_in_the_persons_timezone():
    found = understand("demain à 10h", NOW, "America/Martinique")
    assert found.at.utcoffset().total_seconds() == -4 * 3600
    assert found.at.hour == 10


def test_spoken_form():
    at = datetime(2026, 11, 27, 14, 30, tzinfo=PARIS)
    assert spoken(at, NOW) == "vendredi 27 novembre à 14h30"
    assert spoken(datetime(2026, 11, 26, 10, 0, tzinfo=PARIS), NOW) == "demain à 10h"
    assert spoken(datetime(2026, 11, 25, 16, 0, tzinfo=PARIS), NOW) == "aujourd'hui à 16h"
