"""The learnt reading of a call called off (bot.calls.cancel_reader)."""

from __future__ import annotations

import json

import pytest

from bot.calls import cancel_reader
from bot.core.french_time import explicit_cancel


def test_the_turn_that_calls_off_is_learnt_against_every_turn_that_books(tmp_path,
                                                                          monkeypatch):
    path = tmp_path / "booking.dev.jsonl"
    items = [
        {"expect": "cancelled", "turns": ["jeudi 15h", "merci", "on arrête là"],
         "file": "batch1/booking.jsonl"},
        {"expect": "booked", "turns": ["lundi", "10h"], "file": "batch1/booking.jsonl"},
        {"expect": "none", "turns": ["non merci"], "file": "batch1/booking.jsonl"},
        {"expect": "cancelled", "turns": ["mardi 9h", "rayez tout"],
         "file": "batch2/booking.jsonl"},
    ]
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    # the first turn books; a turn in between is no cancellation; "none" teaches nothing
    assert cancel_reader.examples(path) == (
        ["merci", "on arrête là", "lundi", "10h", "rayez tout"], [0, 1, 0, 0, 1])
    monkeypatch.setenv("LIEN_CANCEL_READER_HOLDOUT", "batch2/")
    assert cancel_reader.examples(path) == (["merci", "on arrête là", "lundi", "10h"],
                                            [0, 1, 0, 0])
    assert cancel_reader.examples(tmp_path / "missing.jsonl") == ([], [])


@pytest.mark.parametrize("text", [
    "je me retire pour mardi, désolée du dérangement",
    "l'appel prévu, on le supprime, j'ai trop de monde à la maison",
])
def test_a_cancellation_without_the_rules_words_is_read(text):
    assert not explicit_cancel(text)
    assert cancel_reader.calls_off(text)


@pytest.mark.parametrize("text", [
    "parfait, je note vendredi 15h dans mon agenda",
    "merci, à vendredi alors",
    "ma fille dit que c'est bien, elle sera là aussi",
    "",
])
def test_a_booking_kept_is_not_read_as_one(text):
    assert not cancel_reader.calls_off(text)


def test_without_its_examples_the_rules_answer_alone(monkeypatch, tmp_path):
    monkeypatch.setattr(cancel_reader, "SOURCE", tmp_path / "none.jsonl")
    monkeypatch.setattr(cancel_reader, "examples",
                        lambda path=tmp_path / "none.jsonl": ([], []))
    cancel_reader._model.cache_clear()
    try:
        assert cancel_reader.probability("on supprime l'appel") == 0.0
    finally:
        cancel_reader._model.cache_clear()
