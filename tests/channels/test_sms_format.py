"""SMS shaping: GSM-7 only, sentence-bounded segments, numbered choices."""

from __future__ import annotations

import pytest

from bot.core.sms_text import (
    GSM7_BASIC,
    GSM7_EXTENDED,
    SINGLE_SEGMENT,
    septets,
    split_segments,
    to_gsm7,
)
from channels.sms_format import numbered_choices, payload_for_reply

ALL_GSM7 = GSM7_BASIC | GSM7_EXTENDED


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("C’est l’été", "C'est l'été"),
        ("« Bonjour »", '" Bonjour "'),
        ("Ça va ? Très bien, à bientôt", "Ça va ? Très bien, à bientot"),
        ("œuf, cœur", "oeuf, coeur"),
        ("Merci 🙂🌞", "Merci"),
        ("fenêtre, île, août, Noël", "fenetre, ile, aout, Noel"),
        ("appelez le 3114…", "appelez le 3114..."),
    ],
)
def test_to_gsm7(raw, expected):
    assert to_gsm7(raw) == expected
    assert set(to_gsm7(raw)) <= ALL_GSM7


def test_short_message_is_one_segment():
    assert split_segments("Bonjour ! Comment allez-vous ?") == ["Bonjour ! Comment allez-vous ?"]
    assert split_segments("") == [] and split_segments("🙂") == []


def test_long_message_is_cut_at_sentences():
    sentences = [f"Phrase numéro {i} qui parle de la journée et du jardin." for i in range(6)]
    pieces = split_segments(" ".join(sentences), max_segments=3)
    # Two 53-character sentences fit in one 160-septet SMS, three do not.
    assert pieces == [" ".join(sentences[i:i + 2]) for i in (0, 2, 4)]
    assert all(septets(piece) <= SINGLE_SEGMENT for piece in pieces)


def test_too_long_message_is_capped_with_an_ellipsis():
    text = " ".join(["Une phrase de remplissage assez longue pour occuper de la place."] * 20)
    pieces = split_segments(text, max_segments=2)
    assert len(pieces) == 2 and pieces[-1].endswith("...")
    assert all(septets(p) <= SINGLE_SEGMENT for p in pieces)


def test_a_word_longer_than_a_segment_is_wrapped():
    pieces = split_segments("x" * 400, max_segments=5)
    assert "".join(pieces) == "x" * 400 and all(len(p) <= SINGLE_SEGMENT for p in pieces)


def test_extended_characters_count_double():
    assert septets("€") == 2 and septets("e") == 1


BUTTONS = [{"title": "Oui, d’accord", "payload": "/opt_in"},
           {"title": "Non merci", "payload": "/opt_out"}]


def test_numbered_choices_and_replies():
    assert numbered_choices(BUTTONS) == ["1. Oui, d'accord", "2. Non merci", "Répondez 1 ou 2."]
    three = BUTTONS + [{"title": "Plus tard", "payload": "/deny"}]
    assert numbered_choices(three)[-1] == "Répondez 1, 2 ou 3."
    assert numbered_choices([]) == []
    assert payload_for_reply("2", BUTTONS) == "/opt_out"
    assert payload_for_reply(" 1. ", BUTTONS) == "/opt_in"
    assert payload_for_reply("3", BUTTONS) is None
    assert payload_for_reply("0", BUTTONS) is None
    assert payload_for_reply("oui", BUTTONS) is None
    assert payload_for_reply("12 rue", BUTTONS) is None
    assert payload_for_reply("", []) is None


def test_numbered_choices_are_never_cut_apart():
    from bot.core.sms_text import split_with_choices

    choices = ["1. Oui, je veux parler à quelqu'un", "2. Non, continuons", "Répondez 1 ou 2."]
    long_text = ("Pardon, je ne saisis pas bien. Une vraie personne pourrait mieux vous "
                 "aider : on vous appelle ? ") * 2
    block = "1. Oui, je veux parler à quelqu'un\n2. Non, continuons\nRépondez 1 ou 2."
    pieces = split_with_choices(long_text.strip(), choices)
    assert pieces[-1].endswith(block) and sum(block in p for p in pieces) == 1
    assert not any("2. Non" in p for p in pieces[:-1])
    longer = split_with_choices(("Une phrase assez longue pour remplir. " * 4).strip(),
                                choices)
    assert longer[-1] == block  # no room left in the text's last SMS
    short = split_with_choices("On vous appelle ?", choices)
    assert short == [f"On vous appelle ?\n{block}"]
    assert all(len(p) <= 160 for p in pieces)
