"""Services as data: schema, staleness, territories, order, and the replies built from them."""

from __future__ import annotations

import re
import string
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.needs import NEEDS, ActionOrientNeed
from bot.core import clock
from bot.cli.main import main as cli_main
from bot.companion.services import (
    NATIONAL,
    ServiceDataError,
    catalogues,
    check_report,
    due_checks,
    max_age_days,
    need_of,
    needs,
    pick,
    reply_entries,
    services_for,
    territory_of,
)
from tests.support.paths import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
# A phone number as replies write them: "115", "17", "39 39", "0 805 16 00 75".
PHONE = re.compile(r"\d+(?: \d+)*")
# An SMS reply stays short: two SMS segments at most.
LONGEST_REPLY = 320


def _entry(**fields):
    entry = {"id": "x", "name": "X", "phone": "115", "does": "aide",
             "source": "https://example.org", "checked": "2026-12-01"}
    entry.update(fields)
    return {key: value for key, value in entry.items() if value is not None}


def _write(directory: Path, name: str, content: dict) -> None:
    (directory / f"{name}.yml").write_text(yaml.safe_dump(content, allow_unicode=True),
                                           encoding="utf-8")


def _national(needs_: dict, **settings) -> dict:
    data = {"territory": "national", "max_age_days": 180, "due_within_days": 30,
            "needs": needs_}
    data.update(settings)
    return data


def _tracker(intent, text, slots=None, events=()):
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0},
               "entities": [], "message_id": uuid.uuid4().hex}
    return Tracker(
        sender_id=f"test:{uuid.uuid4().hex[:10]}", slots=slots or {},
        latest_message=message,
        events=list(events) + [{"event": "user", "text": text, "parse_data": message}],
        paused=False, followup_action=None, active_loop={},
        latest_action_name="action_listen",
    )


def _as_bot_event(message: dict) -> dict:
    """The bot event Rasa records for a response dispatched by an action."""
    metadata = {k: v for k, v in message.items() if k != "response" and v}
    metadata["utter_action"] = message["response"]
    return {"event": "bot", "text": "…", "metadata": metadata}


async def _orient(intent, text, slots=None, events=()):
    dispatcher = CollectingDispatcher()
    await ActionOrientNeed().run(dispatcher, _tracker(intent, text, slots, events), DOMAIN)
    (message,) = dispatcher.messages
    return message


# --- The real files -------------------------------------------------------------


def test_every_entry_is_sourced_dated_and_not_stale():
    """Fails when a number has not been checked within max_age_days (data setting)."""
    today = clock.utcnow().date()
    limit = max_age_days()
    assert 30 <= limit <= 366
    for territory, catalogue in catalogues().items():
        for need, entries in catalogue.needs.items():
            for entry in entries:
                where = f"{territory}.yml {need}/{entry.id}"
                assert entry.source and entry.checked, where
                assert entry.phone or entry.reach, where
                assert entry.checked <= today, f"{where}: checked in the future"
                assert (today - entry.checked).days <= limit, (
                    f"{where} was checked on {entry.checked}: check it again "
                    f"(python -m bot services check)")


def test_the_files_name_their_territory_and_national_is_complete():
    found = catalogues()
    assert NATIONAL in found and "75" in found
    assert set(needs()) >= {"food", "housing", "rent_arrears", "medication", "money",
                            "scam", "elder_abuse", "loneliness", "digital"}
    for need in needs():
        assert any(entry.status == "confirmed" for entry in services_for(need)), need


def test_lockdown_line_is_unconfirmed_and_never_the_food_answer():
    croix_rouge = [entry for entry in services_for("food")
                   if entry.phone == "09 70 28 30 00"]
    assert croix_rouge and croix_rouge[0].status == "unconfirmed"
    assert croix_rouge[0].note
    assert "croix_rouge_chez_vous" not in [entry.id for entry in reply_entries("food")]


@pytest.mark.parametrize(
    "need, first_ids",
    [
        ("scam", ["bank_opposition", "opposition_interbancaire"]),
        ("scam_threat", ["police_17", "bank_opposition"]),
        ("housing", ["samu_social_115", "siao"]),
        ("rent_arrears", ["sos_loyers_impayes", "adil"]),
        ("medication", ["own_pharmacy", "ccas"]),
        ("elder_abuse", ["maltraitance_3977", "violences_femmes_info_3919"]),
        ("loneliness", ["solitud_ecoute", "sos_amitie"]),
        ("food", ["ccas", "restos_du_coeur"]),
        ("money", ["ccas", "allo_service_public"]),
    ],
)
def test_most_urgent_first(need, first_ids):
    assert [entry.id for entry in reply_entries(need)] == first_ids


def test_phone_pattern_counts_numbers_as_replies_write_them():
    assert PHONE.findall("au 115 (gratuit) ou au 0 805 16 00 75, et le 17.") == [
        "115", "0 805 16 00 75", "17"]


def test_the_numbers_the_issue_names():
    phones = {(need, entry.id): entry.phone for need in needs()
              for entry in services_for(need)}
    assert phones[("scam", "opposition_interbancaire")] == "0 892 705 705"
    assert phones[("scam", "info_escroqueries")] == "0 805 805 817"
    assert phones[("rent_arrears", "sos_loyers_impayes")] == "0 805 16 00 75"
    assert phones[("housing", "samu_social_115")] == "115"
    assert phones[("medication", "pharmacie_de_garde")] == "32 37"
    assert phones[("loneliness", "solitud_ecoute")] == "0 800 47 47 88"
    assert phones[("loneliness", "sos_amitie")] == "09 72 39 40 50"
    assert phones[("elder_abuse", "maltraitance_3977")] == "3977"
    assert phones[("money", "allo_service_public")] == "39 39"


# --- Staleness and the command ----------------------------------------------------


def test_due_checks_lists_stale_and_soon(tmp_path):
    _write(tmp_path, "national", _national({"food": [
        _entry(id="old", checked="2026-01-01"),
        _entry(id="soon", checked="2026-06-20"),
        _entry(id="fresh", checked="2026-11-30"),
    ]}))
    due = due_checks(date(2026, 12, 3), tmp_path)
    assert [(item.service.id, item.state) for item in due] == [("old", "stale"),
                                                              ("soon", "soon")]
    assert due[0].age_days == 336


def test_an_entry_without_source_or_checked_is_refused(tmp_path):
    for missing in ("source", "checked"):
        directory = tmp_path / missing
        directory.mkdir()
        _write(directory, "national", _national({"food": [
            _entry(**{missing: None}), _entry(id="y")]}))
        with pytest.raises(ServiceDataError, match=missing):
            catalogues(directory)


@pytest.mark.parametrize(
    "entries, message",
    [
        ([_entry(phone=None), _entry(id="y")], "phone or a reach"),
        ([_entry(status="unconfirmed"), _entry(id="y")], "note"),
        ([_entry(status="maybe"), _entry(id="y")], "status"),
        ([_entry(status="unconfirmed", note="n"), _entry(id="y", status="retired", note="n")],
         "no confirmed entry"),
        ([_entry()], "two entries"),
        ([_entry(checked="hier"), _entry(id="y")], "YYYY-MM-DD"),
        ([_entry(phone="01-23"), _entry(id="y")], "digits"),
        ([_entry(), _entry()], "repeats an id"),
        ([_entry(colour="red"), _entry(id="y")], "unknown fields"),
    ],
)
def test_schema_is_enforced(tmp_path, entries, message):
    _write(tmp_path, "national", _national({"food": entries}))
    with pytest.raises(ServiceDataError, match=message):
        catalogues(tmp_path)


def test_a_territory_file_must_match_its_name_and_national_needs(tmp_path):
    _write(tmp_path, "national", _national({"food": [_entry(), _entry(id="y")]}))
    _write(tmp_path, "13", {"territory": "13", "needs": {"rent": [_entry()]}})
    with pytest.raises(ServiceDataError, match="not in national"):
        catalogues(tmp_path)
    (tmp_path / "13.yml").unlink()
    _write(tmp_path, "13", {"territory": "69", "needs": {"food": [_entry()]}})
    with pytest.raises(ServiceDataError, match="file name"):
        catalogues(tmp_path)


def test_services_check_command_exit_codes(capsys):
    oldest = min(entry.checked for catalogue in catalogues().values()
                 for entries in catalogue.needs.values() for entry in entries)
    limit = max_age_days()
    assert cli_main(["services", "check", "--today", oldest.isoformat()]) == 0
    assert "moins de" in capsys.readouterr().out
    soon = oldest + timedelta(days=limit - 1)
    assert cli_main(["services", "check", "--today", soon.isoformat()]) == 0
    assert "bientôt" in capsys.readouterr().out
    late = oldest + timedelta(days=limit + 1)
    assert cli_main(["services", "check", "--today", late.isoformat()]) == 1
    out = capsys.readouterr().out
    assert "PÉRIMÉ" in out and "0 892 705 705" in out


def test_check_report_says_when_a_file_is_invalid(tmp_path):
    _write(tmp_path, "national", _national({"food": [_entry(source=None), _entry(id="y")]}))
    text, code = check_report(date(2026, 12, 3), tmp_path)
    assert code == 2 and "source" in text


# --- Territories ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, territory",
    [("75", "75"), ("75011", "75"), ("13001", "13"), ("20000", "2A"), ("20200", "2B"),
     ("2a", "2A"), ("97411", "974"), ("12 rue des Lilas 69003 Lyon", "69"),
     ("national", "national"), ("", None), (None, None), ("../etc", None),
     ("rue sans code", None)],
)
def test_territory_of(value, territory):
    assert territory_of(value) == territory


def test_territory_replaces_by_id_in_place_and_goes_first(tmp_path):
    _write(tmp_path, "national", _national({"food": [
        _entry(id="ccas", name="le CCAS", phone=None, reach="à la mairie"),
        _entry(id="restos", name="les Restos", phone=None, reach="au centre"),
    ]}))
    _write(tmp_path, "13", {"territory": "13", "needs": {"food": [
        _entry(id="ccas", name="le CCAS de Marseille", phone="04 00 00 00 00"),
        _entry(id="banque_alimentaire", name="la banque alimentaire", phone="04 11 11 11 11"),
    ]}})
    assert [e.name for e in services_for("food", "13008", tmp_path)] == [
        "la banque alimentaire", "le CCAS de Marseille", "les Restos"]
    assert [e.name for e in services_for("food", "69003", tmp_path)] == [
        "le CCAS", "les Restos"]
    assert [e.name for e in services_for("food", "../13", tmp_path)] == [
        "le CCAS", "les Restos"]


def test_paris_is_used_from_a_postcode():
    assert services_for("money", "75011")[0].phone == "39 75"
    assert services_for("money", None)[0].name == "le CCAS"
    # What Paris does not change stays national.
    assert services_for("housing", "75011")[0].phone == "115"


# --- What a reply shows -----------------------------------------------------------


def test_an_unconfirmed_entry_is_never_shown_alone(tmp_path):
    _write(tmp_path, "national", _national({"food": [
        _entry(id="u1", status="unconfirmed", note="n"),
        _entry(id="u2", status="unconfirmed", note="n"),
        _entry(id="ok"),
    ]}))
    entries = services_for("food", None, tmp_path)
    assert [e.id for e in pick(entries)] == ["ok", "u1"]
    assert [e.id for e in pick(entries, limit=1)] == ["ok"]
    assert [e.id for e in reply_entries("food", None, ["ok"], directory=tmp_path)] == [
        "ok", "u1"]


def test_asked_again_gives_the_next_entries_then_starts_over():
    first = [e.id for e in reply_entries("scam")]
    second = [e.id for e in reply_entries("scam", None, first)]
    assert second == ["police_17", "info_escroqueries"]
    everything = [e.id for e in services_for("scam")]
    assert [e.id for e in reply_entries("scam", None, everything)] == first


@pytest.mark.parametrize(
    "need, text, refined",
    [
        ("housing", "on va etre expulsés, j'ai 3 mois de loyers en retard", "rent_arrears"),
        ("money", "j'arrive plus a payer le loyer", "rent_arrears"),
        ("housing", "le proprio a changé la serrure, je dors dans la voiture", "housing"),
        ("housing", "expulsé ce matin, je sais pas où dormir", "housing"),
        ("housing", "il fait 12 degrés, le chauffage est en panne", "housing_conditions"),
        ("housing", "je dors dans ma voiture", "housing"),
        ("scam", "il m'a menacé et dit qu'il va revenir chercher l'argent", "scam_threat"),
        ("scam", "j'ai donné mon code de carte à un faux conseiller", "scam"),
        ("food", "mon loyer m'a tout pris, plus rien à manger", "food"),
        # Stems match at the start of a word only ("Royer" is not "loyer*"),
        # whole words as whole words ("gazole" is not "gaz").
        ("housing", "je dors chez mon ami Royer", "housing"),
        ("housing", "je dors dans ma voiture, plus de gazole", "housing"),
        ("housing", "on m'a coupé le gaz", "housing_conditions"),
        ("scam", "c'est forcément une arnaque ce SMS", "scam"),
        ("scam", "il veut forcer la porte pour l'argent", "scam_threat"),
    ],
)
def test_need_of_refines_by_words(need, text, refined):
    assert need_of(need, text) == refined


# --- The action and the domain's wording ------------------------------------------


async def test_scam_reply_puts_the_bank_first_and_then_the_next_numbers():
    first = await _orient("need_scam", "j'ai donné mon code de carte bleue au téléphone")
    assert first["response"] == "utter_need_scam"
    assert first["service_name"] == "le numéro d'opposition de la banque"
    assert first["next_contact"] == "au 0 892 705 705"
    again = await _orient("need_scam", "j'ai donné mon code, je fais quoi",
                          events=[_as_bot_event(first)])
    assert again["response"] == "utter_need_more"
    assert (again["service_contact"], again["next_contact"]) == ("au 17", "au 0 805 805 817")


async def test_one_new_entry_left_is_given_with_the_most_urgent_one():
    first = await _orient("need_housing", "je dors dans ma voiture")
    again = await _orient("need_housing", "je dors toujours dans ma voiture",
                          events=[_as_bot_event(first)])
    assert again["response"] == "utter_need_more"
    assert (again["service_name"], again["next_contact"]) == ("l'ADIL du département",
                                                              "au 115")
    third = await _orient("need_housing", "toujours dehors", events=[
        _as_bot_event(first), _as_bot_event(again)])
    assert (third["response"], third["service_contact"]) == ("utter_need_housing", "au 115")


async def test_a_new_session_starts_the_list_over():
    first = await _orient("need_scam", "arnaque")
    again = await _orient("need_scam", "arnaque", events=[
        _as_bot_event(first), {"event": "session_started"}])
    assert again["response"] == "utter_need_scam"


async def test_a_threat_puts_17_first():
    message = await _orient("need_scam", "le faux plombier m'a menacé, il est devant ma porte")
    assert message["response"] == "utter_need_scam_threat"
    assert message["service_contact"] == "au 17"


async def test_housing_and_rent_arrears():
    car = await _orient("need_housing", "jdors ds ma voiture depuis 3 jours")
    assert (car["response"], car["service_contact"]) == ("utter_need_housing", "au 115")
    rent = await _orient("need_housing", "3 mois de loyer impayé, l'huissier est passé")
    assert rent["response"] == "utter_need_rent_arrears"
    assert rent["service_contact"] == "au 0 805 16 00 75"
    assert rent["next_name"] == "l'ADIL du département"


async def test_medication_starts_with_the_own_pharmacy_not_the_paid_line():
    message = await _orient("need_medication", "je peux pas aller chercher mes medicaments")
    assert message["service_name"] == "la pharmacie habituelle"
    assert "32 37" not in (message["service_contact"], message["next_contact"])


async def test_territory_slot_reaches_the_reply():
    message = await _orient("need_money", "je n'ai plus un sou", slots={"territory": "75011"})
    assert message["service_contact"] == "au 39 75"


def _variables(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _reachable_needs():
    reachable = set(NEEDS.values())
    for refinement in catalogues()[NATIONAL].refinements:
        if set(refinement.from_needs) & reachable:
            reachable.add(refinement.need)
    return sorted(reachable)


FILLED = {"service_name", "service_contact", "service_does", "service_phone",
          "next_name", "next_contact", "next_does", "need", "shown"}


@pytest.mark.parametrize("response", [f"utter_need_{n}" for n in _reachable_needs()]
                         + ["utter_need_more"])
def test_each_reply_exists_in_both_registers_and_says_at_most_two_numbers(response):
    variations = DOMAIN["responses"][response]
    tu = [v for v in variations if v.get("condition")]
    vous = [v for v in variations if not v.get("condition")]
    assert tu and vous
    for variation in variations:
        assert _variables(variation["text"]) <= FILLED, variation["text"]
    for need in _reachable_needs():
        for territory in (None, "75"):
            first, then = reply_entries(need, territory)
            values = {"service_name": first.name, "service_contact": first.contact,
                      "service_does": first.does, "service_phone": first.contact,
                      "next_name": then.name, "next_contact": then.contact,
                      "next_does": then.does}
            for variation in variations:
                text = variation["text"].format(**values)
                assert len(PHONE.findall(text)) <= 2, text
                assert len(text) <= LONGEST_REPLY, text
                assert text.count("?") == 1, text


def test_need_housing_is_an_intent_routed_like_the_other_needs():
    assert "need_housing" in DOMAIN["intents"]
    rules = yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))
    routed = [rule["steps"] for rule in rules["rules"]
              if rule.get("steps", [{}])[0].get("intent") == "need_housing"]
    assert routed == [[{"intent": "need_housing"}, {"action": "action_orient_need"}]]
    nlu = yaml.safe_load((ROOT / "data" / "nlu" / "written_housing.yml").read_text(
        encoding="utf-8"))["nlu"]
    examples = [line[2:].strip() for block in nlu if block["intent"] == "need_housing"
                for line in block["examples"].splitlines() if line.strip()]
    assert len(examples) >= 60
    assert len(set(examples)) == len(examples)
