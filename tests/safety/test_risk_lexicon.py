"""The risk lexicon: every entry's examples, the held-out phrases, normalisation."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.safety.risk import DEFAULT_LEXICON, LexiconError, RiskLexicon

from bot.core.text import normalise_pattern, normalise_text
from tests.support.paths import ROOT

LEXICON = RiskLexicon.load(DEFAULT_LEXICON)
PHRASES = yaml.safe_load((ROOT / "tests" / "data" / "risk_phrases.yml").read_text("utf-8"))
KNOWN_MISSES = {m["text"]: m["reason"] for m in PHRASES.get("known_misses") or []}


def _training_texts():
    texts = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text("utf-8"))["nlu"]:
            for line in block.get("examples", "").splitlines():
                if line.strip().startswith("- "):
                    texts.add(normalise_text(line.strip()[2:]))
    return texts


@pytest.mark.parametrize("entry", LEXICON.patterns, ids=lambda e: e.id)
def test_every_entry_matches_its_examples(entry):
    for example in entry.examples:
        found = LEXICON.match(example)
        assert found is not None, (entry.id, example)
        assert found.category == entry.category, (entry.id, example, found)
        assert entry.id in found.all_pattern_ids, (entry.id, example, found)


@pytest.mark.parametrize("entry", LEXICON.safe, ids=lambda e: e.id)
def test_safe_idioms_raise_nothing(entry):
    for example in entry.examples:
        assert LEXICON.match(example) is None, (entry.id, example)


def _phrase_id(phrase):
    text = phrase["text"] if isinstance(phrase, dict) else phrase
    return re.sub(r"\W+", "_", normalise_text(text))[:60]


@pytest.mark.parametrize("phrase", PHRASES["risk"], ids=_phrase_id)
def test_held_out_risk_phrase_is_detected(phrase):
    if phrase["text"] in KNOWN_MISSES:
        pytest.xfail(KNOWN_MISSES[phrase["text"]])
    found = LEXICON.match(phrase["text"])
    assert found is not None, phrase
    assert found.category == phrase["category"], (phrase, found)
    if "level" in phrase:
        assert found.level == phrase["level"], (phrase, found)


@pytest.mark.parametrize("text", PHRASES["safe"], ids=_phrase_id)
def test_held_out_safe_phrase_raises_nothing(text):
    if text in KNOWN_MISSES:
        pytest.xfail(KNOWN_MISSES[text])
    assert LEXICON.match(text) is None, (text, LEXICON.match(text))


def test_recall_and_false_alarms_over_all_phrases():
    risky = PHRASES["risk"]
    detected = sum(
        1 for p in risky if (m := LEXICON.match(p["text"])) and m.category == p["category"]
    )
    alarms = sum(1 for t in PHRASES["safe"] if LEXICON.match(t))
    assert len(risky) >= 200 and len(PHRASES["safe"]) >= 150
    assert detected / len(risky) >= 0.98
    assert alarms / len(PHRASES["safe"]) <= 0.03


def test_held_out_phrases_are_not_training_data():
    training = _training_texts()
    examples = {normalise_text(e) for p in LEXICON.patterns + LEXICON.safe for e in p.examples}
    for phrase in PHRASES["risk"] + [{"text": t} for t in PHRASES["safe"]]:
        folded = normalise_text(phrase["text"])
        assert folded not in training, phrase
        assert folded not in examples, phrase


@pytest.mark.parametrize(
    "raw, folded",
    [
        ("Jé VEUX Mourîr", "je veux mourir"),
        ("mouriiiiir!!!", "mourir"),
        ("j'ai   envie", "j ai envie"),
        ("l’œuvre", "l oeuvre"),
        ("frappée", "frape"),
        ("", ""),
    ],
)
def test_normalisation(raw, folded):
    assert normalise_text(raw) == folded


@pytest.mark.parametrize("pattern, text", [
    (r"\bbetter off dead", "she would be better off dead"),
    (r"\bbleus?( \w+){0,3} tibias", "des bleus sur les tibias"),
    (r"respire pas( \W+)? ?aide", "respire pas aide"),
])
def test_a_pattern_escape_is_not_folded_into_the_next_letter(pattern, text):
    # session 37: "\bbetter" was folded to "\beter" (a boundary, then "eter")
    regex = re.compile(normalise_pattern(pattern))
    assert regex.search(normalise_text(text))
    assert normalise_pattern(r"\W\bb") == r"\W\bb"


def test_abbreviations_are_spelt_out():
    assert LEXICON.prepare("jveux en finir") == "je veux en finir"
    assert LEXICON.prepare("chui fatigue") == "je suis fatigue"
    assert LEXICON.prepare("g envie") == "j ai envie"
    # Whole words only: "gare" keeps its g.
    assert LEXICON.prepare("a la gare") == "a la gare"


def test_critical_beats_high_and_priority_breaks_ties():
    both = LEXICON.match("j'ai envie de mourir et j'ai avalé tous mes cachets")
    assert both.level == "critical" and both.category == "suicide"
    lexicon = RiskLexicon.from_dict({
        "category_priority": ["suicide", "medical", "child", "violence"],
        "patterns": [
            {"id": "v", "category": "violence", "level": "high", "pattern": "aaa",
             "examples": ["aaa"]},
            {"id": "s", "category": "suicide", "level": "high", "pattern": "bbb",
             "examples": ["bbb"]},
        ],
    })
    assert lexicon.match("aaa bbb").category == "suicide"
    assert lexicon.match("aaa").category == "violence"


def test_safe_idioms_do_not_hide_a_real_risk_in_the_same_message():
    found = LEXICON.match("je suis morte de rire hier mais aujourd'hui je veux mourir")
    assert found is not None and found.category == "suicide"


@pytest.mark.parametrize("text, category", [
    # Distance markers hide a risk word only in their own sentence: a present
    # risk in the next sentence is still read.
    ("Le chat est tombé du canapé. Et moi je suis tombée cette nuit, je ne peux pas me relever",
     "medical"),
    ("Ils se sont battus avec des épées en mousse. Mon mari m'a frappée ce soir.", "violence"),
    ("Je pars vivre chez mon fils. Mais avant je veux en finir.", "suicide"),
    ("Mon IRM est normale, aucune séquelle. Par contre mon mari a la bouche de travers "
     "depuis une heure", "medical"),
])
def test_distance_markers_do_not_hide_the_next_sentence(text, category):
    found = LEXICON.match(text)
    assert found is not None and found.category == category


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"patterns": []}, "no risk pattern"),
        ({"patterns": [{"id": "x", "category": "weather", "level": "high",
                        "pattern": "a", "examples": ["a"]}]}, "unknown category"),
        ({"patterns": [{"id": "x", "category": "suicide", "level": "urgent",
                        "pattern": "a", "examples": ["a"]}]}, "unknown level"),
        ({"patterns": [{"id": "x", "category": "suicide", "level": "high",
                        "pattern": "(", "examples": ["a"]}]}, "bad pattern"),
        ({"patterns": [{"id": "x", "category": "suicide", "level": "high",
                        "pattern": "a"}]}, "needs examples"),
        ({"patterns": [{"id": "x", "category": "suicide", "level": "high",
                        "pattern": "a", "examples": ["a"]},
                       {"id": "x", "category": "suicide", "level": "high",
                        "pattern": "b", "examples": ["b"]}]}, "duplicate id"),
        ({"emoji": {"\U0001F52A": " "}, "patterns": [
            {"id": "x", "category": "suicide", "level": "high", "pattern": "a",
             "examples": ["a"]}]}, "empty emoji or word"),
    ],
)
def test_malformed_lexicons_are_refused(raw, message):
    with pytest.raises(LexiconError, match=message):
        RiskLexicon.from_dict(raw)


def test_classifier_threshold_is_checked():
    base = {"patterns": [{"id": "x", "category": "suicide", "level": "high",
                          "pattern": "a", "examples": ["a"]}]}
    assert RiskLexicon.from_dict(base).classifier_threshold == pytest.approx(0.96)
    with pytest.raises(LexiconError, match="classifier_threshold"):
        RiskLexicon.from_dict({**base, "classifier_threshold": 1.5})


@pytest.mark.parametrize("text, risky", [
    ("il ne bouge pas, il a les yeux ouverts", True),
    ("elle ne bouge plus", True),
    ("moi vous savez je ne bouge plus beaucoup depuis mon opération", False),
    ("je ne bouge plus de la maison l'hiver", False),
    ("l'heure qui vous arrange, je ne bouge pas de chez moi", False),
    ("je ne bouge pas d'ici ce soir, venez quand vous voulez", False),
])
def test_not_moving_is_told_apart_from_staying_home(text, risky):
    assert (LEXICON.match(text) is not None) is risky


@pytest.mark.parametrize("text, distant", [
    ("le plus jeune a 4 ans, il a des marques rondes de brûlure de cigarette sur le bras",
     False),
    ("quand j'étais plus jeune mon père nous frappait", True),
])
def test_the_youngest_child_is_not_a_time_long_past(text, distant):
    assert LEXICON.at_distance(text) is distant


@pytest.mark.parametrize("text, cut", [
    ("je crois que je vais", True), ("Mon mari", True), ("j'ai avalé tous", True),
    ("I think tonight I will", True), ("il a pris ma canne et il m'a", True),
    # an end: punctuation, a last word that ends sentences, "à tous", "là"
    ("Mon mari.", False), ("je m'en vais", False), ("merci à tous", False),
    ("jveux plus etre la", False), ("ça va", False), ("je vais me tuer", False),
    ("Le petit est tout seul", False), ("", False),
])
def test_a_sentence_cut_before_its_end(text, cut):
    assert LEXICON.unfinished(text) is cut


@pytest.mark.parametrize("text, pattern", [
    ("voilà c'est fait. j'ai tout avalé. adieu", "suicide_all_taken_farewell"),
    ("c'est fait. j'ai tout pris. bonne nuit", "suicide_all_taken_goodnight"),
    ("à la fenêtre. les jambes dans le vide.", "suicide_window_legs_out"),
])
def test_a_terse_message_cut_by_full_stops_is_read_whole(text, pattern):
    found = LEXICON.match(text)
    assert found is not None and pattern in found.all_pattern_ids, found
    # each piece alone says nothing
    assert all(LEXICON.match(piece) is None or pattern not in LEXICON.match(piece).all_pattern_ids
               for piece in text.split("."))


def test_a_long_message_is_not_read_whole():
    # the words of sentences far apart do not make a saying
    text = ("C'est fait. J'ai tout pris chez le quincaillier pour repeindre la cuisine avec "
            "mon voisin Marcel samedi. Bonne nuit !")
    assert LEXICON.match(text) is None
    assert LEXICON.match("C'est fait. J'ai tout pris. Bonne nuit !") is not None


@pytest.mark.parametrize("text", [
    "j'ai envie de disparaître sous la couette jusqu'à lundi",
    "tu vas te suicider si je te débranche ?",
    "quand elle m'a annoncé la nouvelle, j'en suis tombée de ma chaise",
    "il a claqué la porte si fort qu'un tableau est tombé",
    "je n'ai pas mangé correctement depuis mardi, le frigo est vide",
    "il est parti en pyjama chercher le pain ce matin, trop drôle",
    "mon mari a Alzheimer, le boulanger vient de le raccompagner de sa promenade",
])
def test_what_batch_15_showed_is_harmless(text):
    found = LEXICON.match(text)
    assert found is None or found.level == "watch", found


def test_a_joke_about_the_window_is_not_a_threat_of_ours():
    found = LEXICON.match("si tu continues je me jette par la fenêtre, du rez-de-chaussée")
    assert found is None or "suicide_threat_present" not in found.all_pattern_ids


def test_only_written_families_are_trusted():
    trusted = {entry.id for entry in LEXICON.patterns if entry.trusted}
    assert "medical_vital_medicine_out" in trusted and "suicide_me_tuer" not in trusted


@pytest.mark.parametrize("entry", LEXICON.present, ids=lambda e: e.id)
def test_a_past_brought_back_to_now_is_not_told_at_a_distance(entry):
    # each example carries a word that alone tells a sentence at a distance ("en
    # 2016", "il y a deux ans"); the entry brings it back to now
    for example in entry.examples:
        prepared = LEXICON.neutralise(LEXICON.prepare(example))
        assert any(d.regex.search(prepared) for d in LEXICON.distance), example
        assert not LEXICON.at_distance(example), example


def test_what_is_told_here_and_now_is_cut_as_match_cuts_it():
    # the idiom whole only across a suspense ellipsis is cut, as match reads it
    kept, changed = LEXICON.here_and_now("Je suis tombée... sous le charme du kiné. Bonne journée")
    assert changed and not any("tombe" in sentence for sentence in kept)
    assert any("journe" in sentence for sentence in kept)  # prepared: no double letters
    # a sentence told at a distance is left out, the one beside it stays
    kept, changed = LEXICON.here_and_now(
        "Il y a vingt ans j'ai voulu mourir. Ce soir je suis seul.")
    assert changed and len(kept) == 1 and "seul" in kept[0]
    # nothing left out: the message stands as it is
    kept, changed = LEXICON.here_and_now("Je suis seul ce soir.")
    assert not changed and kept == ["je suis seul ce soir"]


def test_a_laughing_face_is_read_as_the_laugh_it_stands_for():
    # normalising drops emoji: a laughing face would otherwise say nothing
    assert LEXICON.at_distance("le chat voulait le poisson, il est tombé dans le bocal 😂")
    assert LEXICON.match("mon chien est tombé dans la piscine en courant après la balle 🤣") is None
    # the nervous or upside-down faces also end risk messages: not a laugh
    assert not LEXICON.at_distance("j'ai ouvert le gaz sans allumer 😅")
    assert LEXICON.match("j'ai ouvert le gaz sans allumer 🙃") is not None


@pytest.mark.parametrize("entry", LEXICON.taken_back, ids=lambda e: e.id)
def test_a_joke_taken_back_is_read_as_meant(entry):
    for example in entry.examples:
        assert entry.regex.search(LEXICON.neutralise(LEXICON.prepare(example))), example
    joke = "si un train m'écrase demain je dirais merci mdr"
    assert LEXICON.at_distance(joke)
    taken_back = joke + ". non mais en vrai je suis sérieux"
    assert not LEXICON.at_distance(taken_back)
    assert LEXICON.match(taken_back) is not None and LEXICON.match(joke) is None


def test_a_few_emoji_are_read_as_the_things_they_show():
    assert LEXICON.match("🔪🩸 encore une fois ce soir") is not None
    assert LEXICON.match("🔪🍅 ce soir ratatouille") is None


def test_the_emoji_block_is_the_lexicons_own():
    base = {"patterns": [{"id": "x", "category": "suicide", "level": "high",
                          "pattern": "lame", "examples": ["lame"]}]}
    # Without the block an emoji is dropped like any other.
    assert RiskLexicon.from_dict(base).match("🪒 ce soir") is None
    with_axe = RiskLexicon.from_dict({**base, "emoji": {"🪒": "Lame"}})
    assert with_axe.prepare("🪒ce soir") == "lame ce soir"
    assert with_axe.match("🪒 ce soir") is not None


def test_a_saying_cut_over_a_full_stop_is_read_across_it():
    first = ("Ma tante n'a plus de fioul depuis mardi et le livreur ne passe que"
             " la semaine prochaine")
    second = "Il fait moins 9 la nuit dans son hameau"
    assert LEXICON.match(first) is None and LEXICON.match(second) is None
    # too long to be read whole: only the pair of sentences finds it
    assert LEXICON.match(f"{first}. {second}.") is not None
    # a pair with a sentence told at a distance is not read together
    told = f"Dans le téléfilm d'hier, {first[0].lower()}{first[1:]}. {second}."
    assert LEXICON.at_distance(told) and LEXICON.match(told) is None


def test_a_joke_cut_by_an_ellipsis_is_joined_even_beside_another_idiom():
    # the second half holds an idiom of its own ("je plaisante"): the halves
    # are still joined when together they make one more ("tombée amoureuse")
    assert LEXICON.match("je suis tombée... amoureuse du facteur, non je plaisante") is None
    assert LEXICON.match("je suis tombée... dans la cuisine, je peux pas me relever") is not None
