"""RiskDetector and RegisterDetector on real Rasa messages."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.rasa.nlu import RegisterDetector, RiskDetector, detect_register
from bot.safety.risk import DEFAULT_LEXICON


@pytest.fixture(scope="module")
def detector():
    """The risk component with the real lexicon."""
    return RiskDetector({"lexicon": str(DEFAULT_LEXICON), "classifier_threshold": 0.5})


def _message(text, intent="greet", confidence=0.9, ranking=None):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", ranking or [{"name": intent, "confidence": confidence}])
    return message


def _risk_entity(message):
    return [e for e in message.get("entities") or [] if e["entity"] == "risk_level"]


def _read_by_both(text, everyday, confidence, risk_intent, diet_p, reader_p):
    """A message as the risk detector sees it: an everyday intent first, DIET's
    risk reading in the ranking, and the sentence reader's reading."""
    from bot.rasa.risk_model import READING

    message = _message(text, intent=everyday, confidence=confidence,
                       ranking=[{"name": everyday, "confidence": confidence},
                                {"name": risk_intent, "confidence": diet_p}])
    message.set(READING, {"category": risk_intent[5:], "p": reader_p, "chunk": 0})
    return message


def test_lexicon_match_overrides_the_classifier(detector):
    message = _message("jveux en finir", intent="mood_bad", confidence=0.8)
    detector.process([message])
    assert message.get("intent") == {"name": "risk_suicide", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "risk_suicide"
    (entity,) = _risk_entity(message)
    assert entity["value"] in ("high", "critical")
    assert entity["source"] == "lexicon"
    assert entity["classifier_intent"] == "mood_bad"


def test_a_fallback_never_hides_a_lexicon_risk(detector):
    message = _message("jveux en finir", intent="nlu_fallback", confidence=0.45)
    detector.process([message])
    assert message.get("intent")["name"] == "risk_suicide"


def test_classifier_risk_counts_even_below_the_top(detector):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "feel_sad", "confidence": 0.3},
        {"name": "risk_medical", "confidence": 0.6},
    ]
    from bot.rasa.risk_model import READING

    message = _message("blabla obscur", intent="nlu_fallback", confidence=0.45,
                       ranking=ranking)
    message.set(READING, {"category": "medical", "p": 0.6, "chunk": 0})  # the reader agrees
    detector.process([message])
    assert message.get("intent")["name"] == "risk_medical"
    (entity,) = _risk_entity(message)
    assert entity["value"] == "high" and entity["source"] == "classifier"


def test_weak_classifier_risk_and_harmless_text_are_left_alone(detector):
    ranking = [{"name": "feel_bored", "confidence": 0.7},
               {"name": "risk_suicide", "confidence": 0.2}]
    message = _message("je tue le temps", intent="feel_bored", confidence=0.7,
                       ranking=ranking)
    detector.process([message])
    assert message.get("intent")["name"] == "feel_bored"
    assert not _risk_entity(message)


def test_empty_and_missing_text(detector):
    for text in ("", "   ", "🙂🙂"):
        message = _message(text)
        detector.process([message])
        assert message.get("intent")["name"] == "greet"


@pytest.mark.parametrize(
    "text, register",
    [
        ("tu es là ?", "tu"),
        ("t'es un robot", "tu"),
        ("je te remercie", "tu"),
        ("vous êtes gentille", "vous"),
        ("Pouvez-vous m'appeler svp", "vous"),
        ("bonjour", None),
        ("tu sais, vous êtes tous pareils", None),
    ],
)
def test_register(text, register):
    assert detect_register(text) == register
    message = Message(data={"text": text})
    RegisterDetector({}).process([message])
    found = [e["value"] for e in message.get("entities") or [] if e["entity"] == "register"]
    assert found == ([register] if register else [])


def test_the_threshold_comes_from_the_lexicon_unless_overridden():
    assert RiskDetector({"lexicon": str(DEFAULT_LEXICON)}).threshold == pytest.approx(0.995)
    overridden = RiskDetector({"lexicon": str(DEFAULT_LEXICON), "classifier_threshold": 0.7})
    assert overridden.threshold == pytest.approx(0.7)


def test_a_weak_risk_guess_without_lexicon_match_is_not_an_escalation(detector):
    ranking = [{"name": "risk_medical", "confidence": 0.45},
               {"name": "thank", "confidence": 0.4}]
    message = _message("merci beaucoup", intent="risk_medical", confidence=0.45,
                       ranking=ranking)
    detector.process([message])
    assert message.get("intent")["name"] == "thank"
    assert not _risk_entity(message)
    vague = _message("hmm", intent="risk_child", confidence=0.45,
                     ranking=[{"name": "risk_child", "confidence": 0.45},
                              {"name": "greet", "confidence": 0.1}])
    detector.process([vague])
    assert vague.get("intent") == {"name": "nlu_fallback", "confidence": 0.45}


def test_a_harmless_idiom_overrules_a_classifier_only_risk(detector):
    idiom = _message("je suis tombée d'accord avec ma voisine", intent="risk_medical",
                     confidence=0.99, ranking=[{"name": "risk_medical", "confidence": 0.99},
                                               {"name": "share_day", "confidence": 0.6}])
    detector.process([idiom])
    assert idiom.get("intent")["name"] == "share_day" and _risk_entity(idiom) == []
    # The idiom does not hide a risk pattern next to it.
    both = _message("je suis tombée sur une vieille photo et jveux en finir",
                    intent="share_day", confidence=0.9)
    detector.process([both])
    assert both.get("intent")["name"] == "risk_suicide"
    # Without an idiom, a sure classifier still escalates.
    plain = _message("je sais plus quoi faire de moi", intent="risk_suicide", confidence=0.99)
    detector.process([plain])
    assert plain.get("intent")["name"] == "risk_suicide"


@pytest.fixture(scope="module")
def guard():
    """The unknown-words guard with a small vocabulary."""
    from bot.rasa.nlu import UnknownWordsGuard

    # "bou" and "wi" (SMS words of the training sentences) are not what "bloup" and
    # "wiz" are typos of: a typo keeps about its word's length.
    vocabulary = {"oui", "bonjour", "je", "suis", "fatigue", "ca", "va", "mal", "dormir",
                  "bou", "wi"}
    return UnknownWordsGuard(UnknownWordsGuard.get_default_config(), None, None, vocabulary)


@pytest.mark.parametrize("text", ["qsdfgh", "xkcd bloup", "azerty uiop", "zorglub wiz"])
def test_a_message_with_no_known_word_is_not_a_confident_yes(guard, text):
    message = _message(text, intent="affirm", confidence=0.68)
    guard.process([message])
    assert message.get("intent") == {"name": "affirm", "confidence": 0.0}


@pytest.mark.parametrize("text", ["oui", "bonjoru", "chuis fatiguee", "1", "2 stp", "🙂", "",
                                  "ca va pas du tout"])
def test_known_words_typos_digits_and_emoji_keep_their_intent(guard, text):
    message = _message(text, intent="affirm", confidence=0.68)
    guard.process([message])
    assert message.get("intent")["confidence"] == 0.68


@pytest.mark.parametrize("chunk, alarmed", [(2, True), (1, False), (0, False)])
def test_the_reader_is_trusted_beside_a_distant_sentence_only_on_its_own_sentence(
        detector, chunk, alarmed):
    text = "J'ai regardé un film hier soir. Bientôt personne ne remarquera mon absence."
    assert detector.lexicon.match(text) is None and detector.lexicon.at_distance(text)
    message = _message(text, intent="share_day")
    message.set("risk_reading", {"category": "suicide", "p": 0.99, "chunk": chunk})
    detector.process([message])
    assert (message.get("intent")["name"] == "risk_suicide") is alarmed


@pytest.mark.parametrize("near_p, alarmed", [(0.9, True), (0.5, False), (None, False)])
def test_a_worry_that_stands_without_the_distant_sentence_or_idiom_is_asked(
        detector, near_p, alarmed):
    # A harmless idiom somewhere in a long message ("laissé tomber") must not
    # silence the reader's worry about the rest; what is said here and now,
    # read again without it (``near``), decides.
    text = ("Mon frère a rangé ses papiers de notaire sur la table, les codes de sa "
            "carte aussi. Depuis l'hiver il a laissé tomber le foot qu'il aimait tant.")
    assert detector.lexicon.has_idiom(text)
    message = _message(text, intent="share_day")
    reading = {"category": "suicide", "p": 0.9, "chunk": 0}
    if near_p is not None:
        reading["near"] = {"category": "suicide", "p": near_p}
    message.set("risk_reading", reading)
    detector.process([message])
    assert (message.get("intent")["name"] == "risk_suicide") is alarmed
    if alarmed:
        (entity,) = _risk_entity(message)
        assert entity["value"] == "watch" and entity["source"] == "reader"


def test_what_is_said_here_and_now_leaves_out_distant_sentences_and_idioms():
    from bot.rasa.risk_model import near_text

    kept = near_text("J'ai vu un film hier soir. Il a laissé tomber la chasse. Je suis seul.")
    assert len(kept) == 2
    assert "film" not in " ".join(kept) and "tomber" not in kept[0]
    assert "chase" in kept[0] and "seul" in kept[1]  # prepared: lowercase, no double letters
    assert near_text("Je suis seul ce soir.") == []  # nothing to leave out


@pytest.mark.parametrize("text, intent, expected", [
    # a moment asked for, whatever else the message says: a call
    ("est-ce que quelqu'un peut m'appeler dans une heure ? je me sens un peu seule ce matin",
     "feel_lonely", "schedule_call"),
    ("le 8 à 9h30", "change_checkin_time", "schedule_call"),
    ("lundi en huit a 10h30, avant j'suis chez ma fille", "pause_checkins", "schedule_call"),
    ("can you call me tomorrow at 3pm", "out_of_scope", "schedule_call"),
    ("Le matin l'infirmière passe jusqu'à 11h pour mes soins, donc plutôt lundi après-midi",
     "change_checkin_time", "schedule_call"),
    ("samedi matin je vais au marché avec ma fille", "share_day", "share_day"),
    # a moment told about something else is not a call
    ("Mon médecin m'a dit d'appeler le 15 si je refais un malaise comme mardi à 14h",
     "schedule_call", "health_minor"),
    # check-in times and pauses keep their intents; risk and STOP are never touched
    ("envoyez-moi le message du matin à 9h", "change_checkin_time", "change_checkin_time"),
    ("je pars chez ma fille jusqu'au 10", "pause_checkins", "pause_checkins"),
    ("je veux en finir demain à 10h", "risk_suicide", "risk_suicide"),
    ("stop", "opt_out", "opt_out"),
    # a telegram's STOP around a moment asked is punctuation; STOP about the
    # messages, or first, stays an opt-out
    ("VENDREDI 11H STOP BIEN A VOUS STOP", "opt_out", "schedule_call"),
    ("stop appelez moi vendredi a 11h", "opt_out", "opt_out"),
    ("vendredi 11h ok mais stop les messages du soir", "opt_out", "opt_out"),
    ("j'ai passé une bonne journée", "share_day", "share_day"),
    # a yes with a condition on the moment is a yes; a long story that happens to
    # hold "ça va" is not
    ("oui mais pas le matin j'ai le kiné", "health_minor", "affirm"),
    ("QUAND VOUS VOULEZ", "ask_exercise", "affirm"),
    # words that only ever call a call off; a cancelled trip is not a call
    ("ANNULEZ SVP", "request_human", "cancel_call"),
    ("ne m'appelez pas mardi, je serai à l'hôpital", "pause_checkins", "cancel_call"),
    ("j'ai annulé mon voyage chez ma fille", "share_day", "share_day"),
    ("ne m'appelez pas mardi, plutôt mercredi à 10h", "cancel_call", "cancel_call"),
    ("g passé une prise de sang, les resultats c lundi, ça va durer tout le weekend",
     "feel_anxious", "feel_anxious"),
    # a greeting that asks for a call is a request; a greeting with a moment is not
    ("slt c possible ke qqn mapel lundi a 18h", "greet", "schedule_call"),
    ("bonjour, bonne journée à demain", "greet", "greet"),
    # someone else's calls
    ("mon fils m'appelle tous les dimanches à 15h", "schedule_call", "health_minor"),
    # one's own call to someone else, no cancellation: never read as one
    ("d'accord, j'appellerai la mairie lundi à 9h, merci", "schedule_call", "health_minor"),
    # a call that was ("elle a reçu un appel hier vers 16h, c'était vous ?")
    ("ma voisine a reçu un appel hier vers 16h, c'était un de vos bénévoles ?",
     "schedule_call", "health_minor"),
    # a call asked for, the moment left to the team, with nothing offered
    ("mon père aimerait bien qu'une dame l'appelle un de ces jours, choisissez vous-mêmes",
     "affirm", "schedule_call"),
    ("appelez-moi quand vous voulez, je suis toujours à la maison", "feel_lonely",
     "schedule_call"),
    ("mon fils m'appelle quand il veut, il est gentil", "share_day", "share_day"),
    ("ne m'appelez pas, choisissez plutôt de m'écrire", "affirm", "cancel_call"),
])
def test_a_call_asked_for_at_a_moment_is_a_call(text, intent, expected):
    from bot.rasa.nlu import CallRequestReader

    message = _message(text, intent=intent, confidence=0.6, ranking=[
        {"name": intent, "confidence": 0.6}, {"name": "health_minor", "confidence": 0.3}])
    CallRequestReader({}).process([message])
    assert message.get("intent")["name"] == expected


def test_a_call_demoted_is_no_cancellation_unless_the_message_calls_one_off():
    from bot.rasa.nlu import CallRequestReader

    message = _message("D'accord, j'appellerai la mairie lundi à 9h, merci.",
                       intent="schedule_call", confidence=0.6, ranking=[
                           {"name": "schedule_call", "confidence": 0.6},
                           {"name": "cancel_call", "confidence": 0.5},
                           {"name": "thank", "confidence": 0.45}])
    CallRequestReader({}).process([message])
    assert message.get("intent")["name"] == "thank"


@pytest.mark.parametrize("reader, diet, expected", [
    ({"category": "suicide", "p": 0.8, "chunk": 0}, "risk_suicide", "risk_suicide"),
    ({"category": "suicide", "p": 0.8, "chunk": 0}, "risk_medical", "risk_medical"),
    ({"category": "suicide", "p": 0.3, "chunk": 0}, "risk_suicide", "risk_medical"),
])
def test_both_classifiers_agreeing_on_another_category_give_its_number(
        detector, reader, diet, expected):
    from bot.rasa.risk_model import READING

    message = _message("depuis mon AVC je suis un fardeau pour ma femme, je la libérerais",
                       intent="feel_sad", confidence=0.5,
                       ranking=[{"name": "feel_sad", "confidence": 0.5},
                                {"name": diet, "confidence": 0.3}])
    message.set(READING, reader)
    detector.process([message])
    assert message.get("intent")["name"] == expected


@pytest.fixture(scope="module")
def banded():
    """The detector with the lexicon's own thresholds (no test override)."""
    return RiskDetector({"lexicon": str(DEFAULT_LEXICON)})


@pytest.mark.parametrize("reader_p, diet_p, band", [
    (0.79, 0.85, "watch"),   # both fairly worried: asked directly
    (0.70, 0.95, "watch"),
    (0.79, 0.60, None),      # one alone below its own band: left alone
    (0.60, 0.90, None),
])
def test_both_readers_fairly_worried_ask_directly(banded, reader_p, diet_p, band):
    assert banded.lexicon.combined_ask <= 0.82 and 0.79 < banded.lexicon.reading_ask
    assert (0.60 + 0.90) / 2 < banded.lexicon.combined_ask
    text = "je suis dans la baignoire et j'ai pris ce qu'il fallait"
    assert banded.lexicon.match(text) is None
    message = _read_by_both(text, "nlu_fallback", 0.3, "risk_suicide",
                            diet_p=diet_p, reader_p=reader_p)
    banded.process([message])
    entity = _risk_entity(message)
    if band is None:
        assert not entity and not message.get("intent")["name"].startswith("risk_")
    else:
        assert message.get("intent")["name"] == "risk_suicide"
        assert entity[0]["value"] == band and entity[0]["source"] == "combined"


@pytest.mark.parametrize("reader_p, diet_p, level", [
    (0.05, 0.05, None),      # the word alone, both readers at ease: not paged, not asked
    (0.05, 0.60, "critical"),
    (0.60, 0.05, "critical"),
])
def test_a_lexicon_word_both_readers_find_harmless_is_not_an_alarm(
        banded, reader_p, diet_p, level):
    text = "appelez le samu j'ai perdu au tarot contre Paulette"
    found = banded.lexicon.match(text)
    assert found is not None and found.level in ("critical", "high")
    message = _read_by_both(text, "share_day", 0.8, "risk_medical",
                            diet_p=diet_p, reader_p=reader_p)
    banded.process([message])
    if level is None:
        assert message.get("intent")["name"] == "share_day" and not _risk_entity(message)
        return
    assert message.get("intent")["name"] == "risk_medical"
    assert _risk_entity(message)[0]["value"] == found.level


def test_a_trusted_family_is_not_silenced_by_readers_that_never_saw_its_kind(banded):
    # "plus d'insuline depuis hier": a family written for a kind the readers were
    # never trained on; both readers at ease do not silence it
    text = "il n'y a plus d'insuline à la maison depuis hier, la pharmacie est fermée"
    found = banded.lexicon.match(text)
    assert found is not None and found.trusted and found.level == "high"
    message = _read_by_both(text, "need_medication", 0.9, "risk_medical",
                            diet_p=0.02, reader_p=0.02)
    banded.process([message])
    assert message.get("intent")["name"] == "risk_medical"
    assert _risk_entity(message)[0]["value"] == "high"


@pytest.mark.parametrize("reader_p, band", [(0.05, None), (0.45, None), (0.60, "watch")])
def test_an_uncertain_lexicon_word_is_asked_about_when_a_reader_leans_to_risk(
        banded, reader_p, band):
    text = "plus envie de rien"
    assert banded.lexicon.match(text).level == "watch"
    message = _read_by_both(text, "mood_bad", 0.7, "risk_suicide",
                            diet_p=0.05, reader_p=reader_p)
    banded.process([message])
    if band is None:
        assert message.get("intent")["name"] == "mood_bad" and not _risk_entity(message)
    else:
        assert message.get("intent")["name"] == "risk_suicide"
        assert _risk_entity(message)[0]["value"] == band


@pytest.mark.parametrize("reader_p, diet_p, band", [
    (0.99, 0.99, "watch"),   # both sure: the distant word beside it does not hide it
    (0.99, 0.50, None),      # one reader alone: the distant sentence explains it
])
def test_both_readers_sure_outweigh_a_distant_word(banded, reader_p, diet_p, band):
    text = ("Après le journal de 20h je prendrai toute la boîte, "
            "comme ça plus de souci pour personne")
    assert banded.lexicon.at_distance(text) and banded.lexicon.match(text) is None
    message = _read_by_both(text, "share_day", 0.6, "risk_suicide",
                            diet_p=diet_p, reader_p=reader_p)
    banded.process([message])
    if band is None:
        assert not _risk_entity(message)
    else:
        assert message.get("intent")["name"] == "risk_suicide"
        assert _risk_entity(message)[0]["value"] == band


@pytest.mark.parametrize("reader_p, level", [
    (0.05, None), (0.29, None),   # DIET sure, the sentence reader at ease: not followed
    (0.35, "high"), (0.6, "high"),
])
def test_diet_alone_is_followed_only_when_the_reader_shares_some_worry(banded, reader_p, level):
    from bot.rasa.risk_model import READING

    assert banded.lexicon.classifier_floor == 0.3 <= banded.lexicon.classifier_support
    text = "bonsoir, me voilà de retour"
    assert banded.lexicon.match(text) is None and not banded.lexicon.at_distance(text)
    message = _message(text, intent="risk_suicide", confidence=0.999,
                       ranking=[{"name": "risk_suicide", "confidence": 0.999},
                                {"name": "greet", "confidence": 0.001}])
    message.set(READING, {"category": "suicide", "p": reader_p, "chunk": 0})
    banded.process([message])
    if level is None:
        assert not _risk_entity(message)
        assert not message.get("intent")["name"].startswith("risk_")
    else:
        assert message.get("intent")["name"] == "risk_suicide"
        assert _risk_entity(message)[0]["value"] == level


def test_a_readers_risk_on_a_cut_sentence_is_watched_as_a_fragment(detector):
    # "Mon mari" read as risk by both readers: a guess about words not written yet
    message = _read_by_both("Mon mari", "share_day", 0.5, "risk_violence", 0.999, 0.997)
    detector.process([message])
    assert message.get("intent")["name"] == "risk_violence"
    (entity,) = _risk_entity(message)
    assert (entity["value"], entity["source"]) == ("watch", "fragment")
    # the same words with their end are read as before
    whole = _read_by_both("Mon mari me frappe", "share_day", 0.5, "risk_violence", 0.999,
                          0.997)
    detector.process([whole])
    (entity,) = _risk_entity(whole)
    assert entity["source"] != "fragment" and entity["value"] == "high"


def test_a_lexicon_risk_is_never_held_as_a_fragment(detector):
    message = _message("je vais me tuer ce soir avec les", intent="mood_bad", confidence=0.8)
    detector.process([message])
    (entity,) = _risk_entity(message)
    assert entity["source"] == "lexicon" and entity["value"] in ("high", "critical")


def test_the_reader_learns_written_messages_but_not_a_batch_left_out(tmp_path, monkeypatch):
    import json

    from bot.rasa import risk_model

    lines = [{"text": "je veux en finir", "risk": True, "category": "suicide",
              "file": "batch1/risk_suicide.jsonl"},
             {"text": "le chat dort", "risk": False, "category": None,
              "file": "batch1/risk_suicide.jsonl"},
             {"text": "il me frappe", "risk": True, "category": "violence",
              "file": "batch2/risk_violence_child.jsonl"}]
    written = tmp_path / "written.jsonl"
    written.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    monkeypatch.setattr(risk_model, "PROJECT_ROOT", tmp_path)
    assert risk_model.written_examples(["written.jsonl"], []) == [
        ("je veux en finir", "risk_suicide"), ("le chat dort", "none"),
        ("il me frappe", "risk_violence")]
    assert risk_model.written_examples(["written.jsonl"], ["batch1/"]) == [
        ("il me frappe", "risk_violence")]


def test_a_conversation_teaches_its_turns_up_to_the_risky_one(tmp_path, monkeypatch):
    import json

    from bot.rasa import risk_model

    lines = [{"turns": ["bonjour", "j'ai mal dormi", "je veux mourir ce soir", "oui"],
              "risk": True, "category": "suicide", "first_risky_turn": 2,
              "file": "b/scenarios.jsonl"},
             {"turns": ["Je ne sais pas", "non"], "risk": True, "category": "violence",
              "first_risky_turn": 1, "file": "b/scenarios.jsonl"},
             {"turns": ["bonsoir", "bonne nuit"], "risk": False, "category": None,
              "first_risky_turn": None, "file": "b/scenarios.jsonl"},
             {"text": "je voudrais un appel demain", "intent": "schedule_call",
              "file": "b/companion.jsonl"}]
    written = tmp_path / "written.jsonl"
    written.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    monkeypatch.setattr(risk_model, "PROJECT_ROOT", tmp_path)
    assert risk_model.written_examples(["written.jsonl"], []) == [
        ("bonjour", "none"), ("j'ai mal dormi", "none"),
        ("je veux mourir ce soir", "risk_suicide"), ("Je ne sais pas", "none"),
        ("bonsoir", "none"), ("bonne nuit", "none"), ("je voudrais un appel demain", "none")]


def test_the_written_files_the_reader_learns_exist_and_are_the_dev_half():
    from bot.core.config import PROJECT_ROOT
    from tools.reader_holdout import written_files

    files = written_files()
    assert "tests/eval/risk.dev.jsonl" in files
    assert all((PROJECT_ROOT / f).exists() and ".dev." in f for f in files)


def test_a_changed_written_file_or_lexicon_retrains_the_reader(tmp_path, monkeypatch):
    from bot.rasa import risk_model
    from bot.rasa.risk_model import SentenceRiskClassifier

    written = tmp_path / "written.jsonl"
    written.write_text('{"text": "a", "risk": false}\n', encoding="utf-8")
    lexicons = tmp_path / "lexicon"
    lexicons.mkdir()
    (lexicons / "risk_fr.yml").write_text("bands: {}\n", encoding="utf-8")
    monkeypatch.setattr(risk_model, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(risk_model, "LEXICON_DIR", lexicons)
    config = {"written": ["written.jsonl"]}
    first = SentenceRiskClassifier.fingerprint_addon(config)
    assert SentenceRiskClassifier.fingerprint_addon(config) == first
    written.write_text('{"text": "b", "risk": false}\n', encoding="utf-8")
    second = SentenceRiskClassifier.fingerprint_addon(config)
    assert second != first
    (lexicons / "risk_fr.yml").write_text("bands: {reading_ask: 0.8}\n", encoding="utf-8")
    assert SentenceRiskClassifier.fingerprint_addon(config) != second


@pytest.mark.parametrize("text", [
    "allô c'est madame Perrin, pour l'appel lundi 7 à onze heures moins le quart parce "
    "qu'à dix heures j'ai l'infirmière qui passe pour la piqûre",
    "Je voudrais un petit coup de fil, je ne bouge plus guère de chez moi depuis ma chute.",
    # the moment left to the team: a call asked for, not a bare yes
    "Vous pouvez me faire appeler ? N'importe quel jour, je suis toujours là, "
    "choisissez vous-mêmes.",
])
def test_a_weak_risk_guess_on_a_call_request_gives_way_to_the_call(banded, text):
    from bot.rasa.risk_model import READING

    # DIET sure of a risk the sentence reader does not share: demoted, and the call
    # asked for is what the message is (not the next everyday intent)
    message = _message(text, intent="risk_medical", confidence=0.91,
                       ranking=[{"name": "risk_medical", "confidence": 0.91},
                                {"name": "health_minor", "confidence": 0.3}])
    message.set(READING, {"category": "medical", "p": 0.05, "chunk": 0})
    banded.process([message])
    assert message.get("intent")["name"] == "schedule_call"
    assert not _risk_entity(message)


@pytest.mark.parametrize("text, category, runner_up, expected", [
    # "quand vous voulez" with nothing asked: a yes to the call offered
    ("quand vous voulez, je suis toujours là", "suicide", ("affirm", 0.2), "affirm"),
    ("j'ai fait une petite chute hier, rien de cassé", "medical", ("health_minor", 0.6),
     "health_minor"),
])
def test_a_weak_risk_guess_without_a_call_is_demoted_as_before(banded, text, category,
                                                                runner_up, expected):
    from bot.rasa.risk_model import READING

    message = _message(text, intent=f"risk_{category}", confidence=0.93,
                       ranking=[{"name": f"risk_{category}", "confidence": 0.93},
                                {"name": runner_up[0], "confidence": runner_up[1]}])
    message.set(READING, {"category": category, "p": 0.05, "chunk": 0})
    banded.process([message])
    assert message.get("intent")["name"] == expected


def test_someone_else_s_cancellation_with_a_call_asked_is_a_call():
    from bot.rasa.nlu import CallRequestReader

    text = ("Le kiné a annulé sa séance de lundi à quatorze heures. Je suis donc libre : "
            "vous pouvez me faire appeler lundi à cette heure-là.")
    message = _message(text, intent="cancel_call", confidence=0.7, ranking=[
        {"name": "cancel_call", "confidence": 0.7}, {"name": "schedule_call", "confidence": 0.2}])
    CallRequestReader({}).process([message])
    assert message.get("intent")["name"] == "schedule_call"
    own = _message("annulez l'appel de lundi 14h svp", intent="cancel_call", confidence=0.7)
    CallRequestReader({}).process([own])
    assert own.get("intent")["name"] == "cancel_call"


@pytest.mark.parametrize("text, expected", [
    ("Oui ça me va très bien.", None),  # accents folded: not "a", "me", "tr", "s"
    ("Là ça va mieux", None),
    ("il me frappe", None),
    ("I will kill myself", "en"),
    ("I fell and can't get up", "en"),
    ("yes please call me tomorrow", "en"),
])
def test_the_language_of_a_message(text, expected):
    from bot.core.language import detect_language

    assert detect_language(text) == expected


def test_any_day_at_an_hour_is_a_call():
    from bot.rasa.nlu import CallRequestReader

    message = _message("N'importe quel jour ça me va, mais à 18h, après mes mots croisés.",
                       intent="out_of_scope", confidence=0.5)
    CallRequestReader({}).process([message])
    assert message.get("intent")["name"] == "schedule_call"


def test_a_moment_alone_is_an_answer_about_the_call_and_the_call_named_is_called_off():
    from bot.rasa.nlu import CallRequestReader

    # "tomorrow pls" in the booking form, read as a wish for a human
    bare = _message("tomorrow please", intent="request_human", confidence=0.6)
    human = _message("je veux parler à quelqu'un demain", intent="request_human",
                     confidence=0.6)
    # the call named by its moment, with a cancel word: no request for it
    named = _message("Mon appel de samedi 10h, vous pouvez le supprimer ? je serai chez mon "
                     "frère", intent="schedule_call", confidence=0.6)
    CallRequestReader({}).process([bare, human, named])
    assert bare.get("intent")["name"] == "schedule_call"
    assert human.get("intent")["name"] == "request_human"
    assert named.get("intent")["name"] == "cancel_call"


@pytest.mark.parametrize("text, expected", [
    # after the offer of a call: a yes that leaves the moment to the team, read by
    # DIET as a weak risk guess whose runner-up was STOP
    ("comme vous voulez, je reste chez moi toute la semaine", "affirm"),
    ("je m'ennuie un peu mais je ne sors plus beaucoup", "feel_bored"),
])
def test_a_weak_risk_guess_never_gives_way_to_stop_without_a_word_about_messages(
        banded, text, expected):
    from bot.rasa.risk_model import READING

    message = _message(text, intent="risk_suicide", confidence=0.7,
                       ranking=[{"name": "risk_suicide", "confidence": 0.7},
                                {"name": "opt_out", "confidence": 0.4},
                                {"name": "feel_bored", "confidence": 0.35}])
    message.set(READING, {"category": "suicide", "p": 0.05, "chunk": 0})
    banded.process([message])
    assert message.get("intent")["name"] == expected
    stop = _message("stop je ne veux plus de messages", intent="risk_suicide", confidence=0.7,
                    ranking=[{"name": "risk_suicide", "confidence": 0.7},
                             {"name": "opt_out", "confidence": 0.4}])
    stop.set(READING, {"category": "suicide", "p": 0.05, "chunk": 0})
    banded.process([stop])
    assert stop.get("intent")["name"] == "opt_out"


@pytest.mark.parametrize("leaving", ["opt_out", "goodbye", "thank", "pause_checkins"])
def test_a_faint_risk_reading_on_a_leaving_message_is_asked_about(detector, leaving):
    # "j'ai tout préparé... vous pouvez arrêter d'en envoyer": read as STOP, with
    # a sentence-reader reading below the usual bands; asked about, not acted on
    text = "j'ai tout rangé. merci pour vos messages, vous pouvez arrêter maintenant"
    message = _read_by_both(text, leaving, 0.7, "risk_suicide", 0.02, 0.36)
    detector.process([message])
    assert message.get("intent")["name"] == "risk_suicide"
    (entity,) = _risk_entity(message)
    assert entity["value"] == "watch"
    # the same reading on an everyday intent is no risk; none on STOP is STOP
    everyday = _read_by_both(text, "share_day", 0.7, "risk_suicide", 0.02, 0.36)
    detector.process([everyday])
    assert everyday.get("intent")["name"] == "share_day" and not _risk_entity(everyday)
    stop = _read_by_both("STOP", leaving, 0.99, "risk_suicide", 0.0, 0.01)
    detector.process([stop])
    assert stop.get("intent")["name"] == leaving and not _risk_entity(stop)


def test_a_word_or_two_read_as_leaving_is_left_to_the_lexicon(detector):
    # "laisse" after a booking: too little for the sentence reader
    message = _read_by_both("laisse", "goodbye", 0.7, "risk_suicide", 0.02, 0.4)
    detector.process([message])
    assert message.get("intent")["name"] == "goodbye" and not _risk_entity(message)
