"""bot.companion.memory (names, topics, grief); the check-ins that remember (checkins.wording)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from bot.companion import memory
from bot.checkins.wording import compose, compose_remembered, said_key, wording
from bot.companion.memory import MemoryKeys, extract, is_grief, reflection
from bot.people.privacy import erase, export

NOW = 1_800_000_000.0
DAY = 24 * 3600


def _names(text):
    return [(m.relation.key, m.name) for m in extract(text).mentions]


@pytest.mark.parametrize("text, expected", [
    ("Ma fille Julie m'a appelée", [("file", "Julie")]),
    ("mon chat qui s'appelle pompon", [("chat", "Pompon")]),
    ("Mon petit-fils Léo et ma voisine Marie-Claire sont passés",
     [("petit fils", "Léo"), ("voisine", "Marie-Claire")]),
    ("mon petit fils Léo", [("petit fils", "Léo")]),
    ("mon chien nommé Rex aboie", [("chien", "Rex")]),
    ("ma fille est venue", [("file", "")]),  # lower case: not a name
    ("Ma fille Elle ne vient plus", [("file", "")]),  # a pronoun is not a name
    ("Mon fils Dimanche il vient", [("fils", "")]),
    ("La fille de la voisine", []),  # nobody of theirs
    ("ma copine Josette vient jouer aux cartes", [("amie", "Josette")]),
    ("mes petits-enfants Zoé et Tom", [("petits enfants", "Zoé")]),
])
def test_names_come_from_a_relation_word_and_a_capitalised_or_introduced_word(text, expected):
    assert _names(text) == expected


@pytest.mark.parametrize("text", [
    "Mon mari est décédé en mars", "c'est l'anniversaire de sa mort", "l'enterrement de Paul",
    "ça fait un an qu'il nous a quittés", "j'ai perdu ma femme l'an dernier",
    "Je suis veuve depuis peu", "mon chien est mort ce matin", "on a mis des fleurs sur sa tombe",
    "Maman s'est éteinte cette nuit", "je pense à mon mari disparu",
    "je suis allée sur la tombe de mon père", "la mort de mon mari m'a changée",
    "ça fait dix ans qu'elle est partie", "premier Noël sans lui", "on a dispersé ses cendres",
    "my husband died last spring",
])
def test_grief_is_recognised(text):
    assert is_grief(text)


@pytest.mark.parametrize("text", [
    "je suis morte de rire", "mort de fatigue après le marché", "j'ai perdu mes clés",
    "il tombe de la neige", "j'y suis allée la mort dans l'âme", "je meurs d'envie d'y aller",
    "ça fait un an que mon fils est parti en Australie", "premier Noël sans les enfants",
    "ma fille est partie en vacances", "bonne soirée", "quelle belle journée",
])
def test_what_is_not_grief(text):
    assert not is_grief(text)


def test_a_reflection_never_carries_an_insult_a_risk_or_health():
    assert reflection("mon connard de voisin Paul") is None
    assert reflection("ma fille Julie", risky=True) is None
    assert reflection("je veux en finir, ma fille Julie ne le sait pas") is None
    assert reflection("la prise de sang au jardin d'à côté") is None
    assert reflection("rien de spécial") is None
    assert reflection("les tomates du potager") == "de votre jardin"
    assert reflection("les tomates du potager", "tu") == "de ton jardin"


async def test_names_and_topic_are_kept_30_days_never_the_message(redis_client, prefix):
    person = f"test:{uuid.uuid4().hex[:8]}"
    key = MemoryKeys(prefix).memory(person)
    text = "Mon chat Pompon a mangé les tomates du potager, quel filou"
    assert await memory.remember(redis_client, prefix, person, text, NOW)
    record = {k.decode(): v.decode() for k, v in (await redis_client.hgetall(key)).items()}
    assert "Pompon" in record["names"] and record["topic"] == "jardin"
    assert not any("filou" in value or "mangé" in value for value in record.values())
    assert 29 * DAY < await redis_client.ttl(key) <= 30 * DAY
    # Health leaves no topic; nothing to keep keeps nothing.
    other = f"test:{uuid.uuid4().hex[:8]}"
    assert not await memory.remember(redis_client, prefix, other,
                                     "le médecin m'a parlé de mon jardin", NOW)
    assert not await redis_client.exists(MemoryKeys(prefix).memory(other))


async def test_a_name_is_asked_about_once_a_day_and_once_per_mention(redis_client, prefix):
    person = f"test:{uuid.uuid4().hex[:8]}"
    await memory.remember(redis_client, prefix, person, "Ma petite-fille Inès arrive", NOW)
    # Not right after she was mentioned.
    assert await memory.follow_up(redis_client, prefix, person, NOW + 60) is None
    first = await memory.follow_up(redis_client, prefix, person, NOW + 3600)
    assert first == memory.FollowUp(name="Inès")
    await memory.mark_asked(redis_client, prefix, person, first, NOW + 3600, asker="a")
    # The same asker (a retried check-in) gets the same; anyone else, not today.
    assert await memory.follow_up(redis_client, prefix, person, NOW + 3660, asker="a") == first
    assert await memory.follow_up(redis_client, prefix, person, NOW + 3660) is None
    # Next day: Inès was asked about already, nothing else to ask.
    assert await memory.follow_up(redis_client, prefix, person, NOW + DAY) is None
    # Shared again: she may come back, the next day.
    await memory.remember(redis_client, prefix, person, "Ma petite-fille Inès a appelé",
                          NOW + DAY)
    assert await memory.follow_up(redis_client, prefix, person, NOW + DAY + 60) is None
    assert await memory.follow_up(redis_client, prefix, person, NOW + 2 * DAY) == first


async def test_a_death_or_a_risk_forgets_the_names_it_contains(redis_client, prefix):
    person = f"test:{uuid.uuid4().hex[:8]}"
    await memory.remember(redis_client, prefix, person, "Mon chat Pompon et mon fils Marc", NOW)
    pompon = memory.FollowUp(name="Pompon")
    assert await memory.follow_up(redis_client, prefix, person, NOW + 3600, asker="c") == pompon
    await memory.mark_asked(redis_client, prefix, person, pompon, NOW + 3600, asker="c")
    assert await memory.remember(redis_client, prefix, person, "Pompon est mort cette nuit",
                                 NOW + 3660)
    # Even a retried check-in no longer asks about him.
    assert await memory.follow_up(redis_client, prefix, person, NOW + 3720, asker="c") is None
    assert await memory.follow_up(redis_client, prefix, person, NOW + DAY) == \
        memory.FollowUp(name="Marc")
    await memory.remember(redis_client, prefix, person, "Marc me fait peur", NOW + DAY,
                          risky=True)
    assert await memory.follow_up(redis_client, prefix, person, NOW + 2 * DAY) is None
    # And nothing new is kept from such a message.
    assert not await memory.remember(redis_client, prefix, person,
                                     "ma fille Julie est décédée", NOW + 300)


PERSON = {"first_name": "Odette", "register": "vous"}


async def test_a_checkin_wording_comes_back_after_a_week_at_the_earliest(redis_client, prefix):
    person = f"test:{uuid.uuid4().hex[:8]}"
    start = date(2026, 12, 7)
    chosen = []
    last = None
    for offset in range(21):
        day = start + timedelta(days=offset)
        text, index = await compose_remembered(redis_client, prefix, person, PERSON,
                                               "morning", day, None, last, NOW + offset * DAY)
        # A retry on the same day says the same.
        again = await compose_remembered(redis_client, prefix, person, PERSON, "morning",
                                         day, None, last, NOW + offset * DAY + 60)
        assert again == (text, index)
        chosen.append(index)
        last = index
    for offset in range(len(chosen) - 6):
        week = chosen[offset:offset + 7]
        assert len(set(week)) == 7, chosen
    assert len(wording()["morning"]["vous"]) >= 8
    assert await redis_client.ttl(said_key(prefix, person)) <= 8 * DAY


async def test_callbacks_are_not_repeated_within_a_week_either(redis_client, prefix):
    person = f"test:{uuid.uuid4().hex[:8]}"
    callbacks = wording()["callbacks"]["bad"]["vous"]
    said = []
    for offset in range(7):
        day = date(2026, 12, 7) + timedelta(days=offset)
        text, _ = await compose_remembered(redis_client, prefix, person, PERSON, "evening",
                                           day, "bad", None, NOW + offset * DAY)
        said += [c for c in callbacks if c in text]
    assert len(said) == len(set(said)) == len(callbacks)


async def test_the_next_checkin_asks_about_a_name_once(redis_client, prefix):
    person = f"test:{uuid.uuid4().hex[:8]}"
    await memory.remember(redis_client, prefix, person, "Mon chat Pompon ronronne", NOW)
    day = date(2026, 12, 8)
    text, _ = await compose_remembered(redis_client, prefix, person, PERSON, "morning",
                                       day, "good", None, NOW + DAY)
    assert "Pompon" in text and text.startswith("Bonjour Odette")
    assert text.count("?") == 1
    retried, _ = await compose_remembered(redis_client, prefix, person, PERSON, "morning",
                                          day, "good", None, NOW + DAY + 60)
    assert retried == text
    evening, _ = await compose_remembered(redis_client, prefix, person, PERSON, "evening",
                                          day, None, None, NOW + DAY + 9 * 3600)
    assert "Pompon" not in evening
    later, _ = await compose_remembered(redis_client, prefix, person, PERSON, "morning",
                                        day + timedelta(days=1), None, None, NOW + 2 * DAY)
    assert "Pompon" not in later


async def test_after_a_difficult_day_the_callback_comes_first(redis_client, prefix):
    person = f"test:{uuid.uuid4().hex[:8]}"
    await memory.remember(redis_client, prefix, person, "Mon chat Pompon ronronne", NOW)
    text, _ = await compose_remembered(redis_client, prefix, person, PERSON, "morning",
                                       date(2026, 12, 8), "bad", None, NOW + DAY)
    assert "Pompon" not in text
    assert "difficile" in text or "pas très fort" in text
    # Pompon was not used up: he comes back on a better day.
    assert await memory.follow_up(redis_client, prefix, person, NOW + DAY + 60) is not None


def test_compose_alone_still_avoids_yesterdays_variant():
    for day in range(1, 28):
        text, index = compose("evening", PERSON, date(2026, 12, day), None, 3, seed="x")
        assert index != 3 and "Odette" in text


async def test_erasure_removes_what_the_dialogue_remembers(redis_client, prefix):
    person = f"sms:+3369{uuid.uuid4().int % 10**7:07d}"
    await memory.remember(redis_client, prefix, person, "Ma fille Julie", NOW)
    await compose_remembered(redis_client, prefix, person, PERSON, "morning",
                             date(2026, 12, 8), None, None, NOW)
    keys = [MemoryKeys(prefix).memory(person), said_key(prefix, person)]
    assert await redis_client.exists(*keys) == 2
    assert "Julie" in (await export(redis_client, prefix, person))["memory"]["names"]
    await erase(redis_client, prefix, person)
    assert await redis_client.exists(*keys) == 0
