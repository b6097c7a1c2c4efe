"""The session start reads the registry: register, first name, territory, agreement."""

from __future__ import annotations

import uuid

import pytest
import redis.asyncio as aioredis
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.session as session
from actions.session import ActionSessionStart
from bot.people.registry import (
    Keys, enrol_self, import_persons, person_from_row, read_csv, territory_code,
)
from tests.support.paths import ROOT

DOMAIN = {"session_config": {"carry_over_slots_to_new_session": True}}
NOW = 1_800_000_000.0


def _tracker(sender=None, slots=None):
    return Tracker(
        sender_id=sender or f"sms:+336{uuid.uuid4().int % 10**8:08d}",
        slots=slots or {},
        latest_message={},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )


def _slots(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def _shape(events):
    """session_started first, action_listen last, only slots between."""
    assert events[0]["event"] == "session_started"
    assert events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"
    assert all(e["event"] == "slot" for e in events[1:-1])


async def _start(tracker, domain=DOMAIN):
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    assert dispatcher.messages == []
    _shape(events)
    return events


async def test_a_registered_person_gets_their_register_name_territory_and_agreement(
        sync_redis, prefix):
    tracker = _tracker()
    sync_redis.hset(f"{prefix}:person:{tracker.sender_id}", mapping={
        "first_name": "Josiane", "register": "tu", "territory": "75", "agreement": "f",
        "status": "active", "consent_at": "2026-11-01"})
    slots = _slots(await _start(tracker))
    assert slots == {"first_name": "Josiane", "has_first_name": True, "register": "tu",
                     "territory": "75", "agreement": "f"}


async def test_no_agreement_means_no_slot_and_a_pending_person_is_to_be_asked(
        sync_redis, prefix):
    tracker = _tracker()
    sync_redis.hset(f"{prefix}:person:{tracker.sender_id}", mapping={
        "first_name": "", "register": "vous", "status": "pending", "agreement": "x"})
    slots = _slots(await _start(tracker))
    assert slots == {"register": "vous", "consent_pending": True}


async def test_someone_already_asked_is_not_asked_again(sync_redis, prefix):
    tracker = _tracker(slots={"consent_pending": True})
    sync_redis.hset(f"{prefix}:person:{tracker.sender_id}", mapping={
        "register": "vous", "status": "pending", "consent_asked_ts": "1"})
    assert "consent_pending" not in _slots(await _start(tracker))


async def test_someone_who_said_no_is_not_asked_again(sync_redis, prefix):
    tracker = _tracker()
    sync_redis.hset(f"{prefix}:person:{tracker.sender_id}", mapping={
        "register": "vous", "status": "pending", "consent_declined_ts": "1"})
    assert "consent_pending" not in _slots(await _start(tracker))


async def test_slots_are_carried_over_and_the_registry_wins(sync_redis, prefix):
    tracker = _tracker(slots={"language": "en", "register": "tu", "first_name": "Old",
                              "territory": "13", "call_at": None})
    sync_redis.hset(f"{prefix}:person:{tracker.sender_id}", mapping={
        "first_name": "Marcel", "register": "vous", "status": "active",
        "consent_at": "2026-11-01"})
    slots = _slots(await _start(tracker))
    assert slots == {"language": "en", "register": "vous", "first_name": "Marcel",
                     "has_first_name": True}


async def test_without_carry_over_only_the_registry(sync_redis, prefix):
    tracker = _tracker(slots={"language": "en"})
    sync_redis.hset(f"{prefix}:person:{tracker.sender_id}", mapping={
        "register": "tu", "status": "active", "consent_at": "2026-11-01"})
    domain = {"session_config": {"carry_over_slots_to_new_session": False}}
    assert _slots(await _start(tracker, domain)) == {"register": "tu"}


async def test_someone_unknown_gets_neutral_wording_and_the_consent_question(sync_redis,
                                                                            prefix):
    tracker = _tracker()
    slots = _slots(await _start(tracker))
    assert slots == {"consent_pending": True}
    # The register they used themselves is kept; nothing is written to the registry.
    tracker = _tracker(slots={"register": "tu"})
    assert _slots(await _start(tracker)) == {"register": "tu", "consent_pending": True}
    assert not sync_redis.exists(f"{prefix}:person:{tracker.sender_id}")


async def test_a_self_enrolled_person_is_asked_and_has_no_name(redis_client, prefix):
    tracker = _tracker()
    await enrol_self(redis_client, prefix, tracker.sender_id, NOW)
    slots = _slots(await _start(tracker))
    assert slots == {"register": "vous", "consent_pending": True}


async def test_staff_conversations_are_never_asked(prefix):
    slots = _slots(await _start(_tracker(sender=f"staff:{uuid.uuid4().hex[:8]}")))
    assert "consent_pending" not in slots


async def test_redis_down_still_starts_the_session(monkeypatch):
    dead = aioredis.from_url("redis://127.0.0.1:1/0", socket_timeout=1,
                             socket_connect_timeout=1)
    monkeypatch.setattr(session, "get_redis", lambda: dead)
    events = await _start(_tracker(slots={"register": "tu", "consent_pending": True}))
    assert _slots(events) == {"register": "tu", "consent_pending": True}
    await dead.close()


def test_the_domain_declares_the_session_start_and_its_slots():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert "action_session_start" in domain["actions"]
    for slot in ("first_name", "has_first_name", "register", "territory", "agreement",
                 "consent_pending"):
        assert slot in domain["slots"], slot
    assert domain["slots"]["agreement"]["values"] == ["f", "m"]
    # Wording slots never change the dialogue; consent_pending is read by rules.
    for slot in ("first_name", "has_first_name", "agreement", "territory", "register"):
        assert domain["slots"][slot]["influence_conversation"] is False, slot
    assert domain["slots"]["consent_pending"]["influence_conversation"] is True


def test_the_first_name_is_said_only_where_a_condition_guarantees_it():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    named = 0
    for name, variants in domain["responses"].items():
        for variant in variants:
            if "{first_name}" in variant.get("text", ""):
                named += 1
                conditions = {(c["name"], c["value"]) for c in variant.get("condition") or []}
                assert ("has_first_name", True) in conditions, (name, variant["text"])
    assert named >= 1


# -- the registry's optional columns -------------------------------------------------

def test_territory_codes_from_codes_and_postcodes():
    assert territory_code("75") == "75"
    assert territory_code("75011") == "75"
    assert territory_code("13 008") == "13"
    assert territory_code("2a") == "2A"
    assert territory_code("20167") == "2A" and territory_code("20200") == "2B"
    assert territory_code("97411") == "974"
    assert territory_code("Paris") == "" and territory_code("7") == ""


@pytest.mark.parametrize("raw, agreement", [
    ("F", "f"), ("femme", "f"), ("m", "m"), ("Homme", "m"), ("", ""), ("?", ""),
])
def test_agreement_is_what_the_file_says_or_neutral(raw, agreement):
    person, errors = person_from_row({"first_name": "A", "address": "0612345678",
                                      "agreement": raw})
    assert errors == [] and person.agreement == agreement


def test_older_files_without_the_new_columns_still_import(tmp_path):
    path = tmp_path / "persons.csv"
    path.write_text("first_name,address\nLucien,06 12 34 56 78\n", encoding="utf-8")
    persons, errors = read_csv(path)
    assert errors == []
    assert persons[0].territory is None and persons[0].agreement is None
    assert "territory" not in persons[0].fields()


async def test_an_older_file_leaves_the_territory_and_agreement_in_place(tmp_path,
                                                                         redis_client,
                                                                         prefix):
    number = f"06{uuid.uuid4().int % 10**8:08d}"
    full = tmp_path / "full.csv"
    full.write_text(f"first_name,address,territory,agreement\nLucie,{number},75011,f\n",
                    encoding="utf-8")
    old = tmp_path / "old.csv"
    old.write_text(f"first_name,address\nLucie,{number}\n", encoding="utf-8")
    persons, errors = read_csv(full)
    assert errors == []
    await import_persons(redis_client, prefix, persons, NOW)
    key = Keys(prefix).person(persons[0].id)
    assert await redis_client.hget(key, "territory") == b"75"
    assert await redis_client.hget(key, "agreement") == b"f"
    persons, errors = read_csv(old)
    summary = await import_persons(redis_client, prefix, persons, NOW)
    assert summary.unchanged == 1
    assert await redis_client.hget(key, "territory") == b"75"
    # A file that says nothing in the column clears it (neutral wording again).
    cleared = tmp_path / "cleared.csv"
    cleared.write_text(f"first_name,address,agreement\nLucie,{number},\n", encoding="utf-8")
    persons, _ = read_csv(cleared)
    await import_persons(redis_client, prefix, persons, NOW)
    assert await redis_client.hget(key, "agreement") == b""


def _suitable(domain, response, slots):
    from rasa.core.nlg.generator import ResponseVariationFilter

    return ResponseVariationFilter(domain.responses).responses_for_utter_action(
        response, "rest", slots)


def test_rasa_picks_the_name_and_the_register_the_session_start_set(domain):
    named = [name for name, variants in domain.responses.items()
             if any("{first_name}" in v.get("text", "") for v in variants)]
    assert "utter_greet" in named
    base = {"language": None, "agreement": None, "first_name": None,
            "has_first_name": None}
    for name in named:
        # Someone unknown, or without a first name: never "{first_name}".
        for slots in ({}, {"register": "vous"}, {"register": "tu"}):
            for variant in _suitable(domain, name, dict(base, **slots)):
                assert "{first_name}" not in variant["text"], (name, slots)
        for register in ("tu", "vous"):
            slots = dict(base, register=register, first_name="Josiane",
                         has_first_name=True)
            chosen = _suitable(domain, name, slots)
            assert chosen and any("{first_name}" in v["text"] for v in chosen), name
            for variant in chosen:
                said = {c["name"]: c["value"] for c in variant.get("condition") or []}
                assert said.get("register") == register, (name, register, variant["text"])
