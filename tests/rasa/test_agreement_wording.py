"""No response speaks of the person (or of Lien) in one gender without an agreement variation.

The ``agreement`` slot (f/m) comes from the registry and is never guessed: any
variation that may reach a person whose agreement is unknown must read the same
for everyone ("Je suis là avec vous", not "Vous n'êtes pas seul").
"""

from __future__ import annotations

import re

import yaml

from tests.support.paths import ROOT

# Gendered forms that have come up in our wording (adjectives and participles
# about the person). "Bien sûr" is an idiom; Lien speaking of itself ("je suis
# désolé", "pour être sûr": a program, grammatically masculine) agrees with no
# one, though our own wording avoids it too.
GENDERED = re.compile(
    r"\b(seule?s?|contente?s?|prête?s?|sûre?s?|inquiets?|désolée?s?|secouée?s?|"
    r"éveillée?s?|fatiguée?s?|épuisée?s?|rassurée?s?|silencieux|silencieuse|"
    r"heureux|heureuse|vous a mise?|t'a mise?|vous êtes-vous sentie?|t'es sentie?|"
    r"vous a le plus marquée?|t'a le plus marquée?|perdue?s?|isolée?s?|entourée?s?)\b",
    re.IGNORECASE,
)
IDIOMS = re.compile(
    r"\bbien sûr\b|\b(je (ne )?suis( \w+){0,2}|pour être|je veux être) "
    r"(désolé|content|sûr)\b|^(salut|bonjour) ! content de",
    re.IGNORECASE,
)


def _gendered(text: str) -> list:
    return GENDERED.findall(IDIOMS.sub("", text))


def _is_agreed(variant: dict) -> bool:
    return any(c.get("name") == "agreement" for c in variant.get("condition") or [])


def test_the_checker_finds_what_it_should():
    assert _gendered("Vous n'êtes pas seul.") == ["seul"]
    assert _gendered("Vous êtes contente de votre journée ?") == ["contente"]
    assert _gendered("Je suis content de vous lire") == []
    assert _gendered("Qu'est-ce qui vous a mis de bonne humeur ?")
    assert _gendered("Bien sûr, je suis là avec vous.") == []
    assert _gendered("Je suis vraiment désolé. Êtes-vous seule ?") == ["seule"]
    assert _gendered("Qu'est-ce qui vous inquiète le plus ?") == []


def test_no_response_is_gendered_without_an_agreement_variation():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    found = []
    for name, variants in domain["responses"].items():
        for variant in variants:
            text = variant.get("text", "")
            language = {c.get("value") for c in variant.get("condition") or []
                        if c.get("name") == "language"}
            if "en" in language or _is_agreed(variant):
                continue
            words = _gendered(text)
            if words:
                found.append((name, words, text))
    assert found == [], "\n".join(f"{n}: {w} in {t!r}" for n, w, t in found)


def test_agreement_variations_come_in_pairs_for_each_register():
    """A variation for "f" is worthless if a "tu" variation can be picked instead."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variants in domain["responses"].items():
        for variant in variants:
            if _is_agreed(variant):
                names = {c.get("name") for c in variant["condition"]}
                assert "register" in names, (name, variant["text"])
