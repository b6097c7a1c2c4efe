"""The persons registry and `python -m bot persons import`."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.people.registry import (
    Keys, import_persons, in_quiet_hours, next_due, parse_time, read_csv, set_status,
)
from tests.support.paths import ROOT

PARIS = ZoneInfo("Europe/Paris")
HEADER = ("first_name,last_name,birth_year,channel,address,timezone,morning,evening,"
          "referent,consent_date,consent_how\n")


def _csv(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "persons.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


def _ts(*args: int) -> float:
    return datetime(*args, tzinfo=PARIS).timestamp()


def test_a_valid_file_gives_people_with_defaults(tmp_path):
    path = _csv(tmp_path, "Marie,Durand,1941,sms,06 12 34 56 78,,,,ccas-lyon,2026-11-02,"
                          "oral au téléphone\nPaul,,,telegram,123456,,08:00,aucun,,,\n")
    persons, errors = read_csv(path)
    assert errors == []
    marie, paul = persons
    assert marie.id == "sms:+33612345678"
    assert (marie.morning, marie.evening, marie.timezone) == ("09:30", "18:30", "Europe/Paris")
    assert marie.status == "active" and marie.consent_at == "2026-11-02"
    # No consent given: enrolled but pending, nothing will be scheduled.
    assert paul.id == "telegram:123456" and paul.status == "pending"
    assert (paul.morning, paul.evening) == ("08:00", "")


def test_every_bad_row_is_named_and_nothing_is_kept(tmp_path):
    path = _csv(tmp_path, "Marie,,,sms,0612,,,,,,\n"
                          ",,,sms,0612345678,,,,,,\n"
                          "Jean,,1800,fax,0612345679,Mars/Olympus,25:00,03:00,,hier,\n"
                          "Lise,,,sms,06 12 34 56 80,,,,,,\n"
                          "Lise bis,,,sms,+33612345680,,,,,,\n")
    persons, errors = read_csv(path)
    text = "\n".join(errors)
    assert "ligne 2 : numéro de téléphone invalide « 0612 »" in text
    assert "ligne 3 : « first_name » est obligatoire" in text
    for expected in ("canal inconnu « fax »", "fuseau horaire inconnu « Mars/Olympus »",
                     "heure invalide « 25:00 »", "heures de repos", "année de naissance",
                     "date de consentement invalide « hier »"):
        assert "ligne 4 : " in text and expected in text, expected
    assert "ligne 6 : même destinataire que la ligne 5" in text
    assert len(persons) == 1  # only Lise: the command refuses the whole file anyway


def test_health_data_columns_are_refused(tmp_path):
    path = _csv(tmp_path, "Marie,sms,0612345678,diabète\n",
                header="first_name,channel,address,traitement\n")
    persons, errors = read_csv(path)
    assert persons == [] and "colonne inconnue « traitement »" in errors[0]
    assert "jamais de données de santé" in errors[0]


def test_semicolons_and_a_bom_are_read(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("\ufefffirst_name;address\nMarie;0612345678\n", encoding="utf-8")
    persons, errors = read_csv(path)
    assert errors == [] and persons[0].address == "+33612345678"


@pytest.mark.parametrize("raw, parsed", [("9h30", "09:30"), ("18h", "18:00"),
                                          ("08:05", "08:05"), ("aucun", ""), ("", ""),
                                          ("25h", None), ("midi", None)])
def test_times(raw, parsed):
    assert parse_time(raw) == parsed


def test_quiet_hours_wrap_midnight():
    from datetime import time
    assert in_quiet_hours(time(23, 0)) and in_quiet_hours(time(7, 59))
    assert not in_quiet_hours(time(8, 0)) and not in_quiet_hours(time(20, 59))


def test_daylight_saving_moves_nothing_by_an_hour():
    # 2026-03-29: Paris goes from UTC+1 to UTC+2 at 02:00.
    before = next_due("09:30", "Europe/Paris", _ts(2026, 3, 28, 10, 0))
    assert datetime.fromtimestamp(before, PARIS).strftime("%d %H:%M") == "29 09:30"
    assert datetime.fromtimestamp(before, timezone.utc).hour == 7
    saturday = next_due("09:30", "Europe/Paris", _ts(2026, 3, 27, 10, 0))
    assert datetime.fromtimestamp(saturday, timezone.utc).hour == 8
    # Autumn: 2026-10-25, back to UTC+1.
    autumn = next_due("18:30", "Europe/Paris", _ts(2026, 10, 25, 9, 0))
    assert datetime.fromtimestamp(autumn, PARIS).strftime("%d %H:%M") == "25 18:30"
    assert autumn - next_due("18:30", "Europe/Paris", _ts(2026, 10, 24, 9, 0)) == 25 * 3600


async def test_import_is_idempotent_and_schedules_only_consenting_people(
        tmp_path, redis_client, prefix):
    path = _csv(tmp_path, "Marie,,,sms,0611000001,,,,,2026-11-02,oral\n"
                          "Paul,,,sms,0611000002,,,,,,\n")
    persons, errors = read_csv(path)
    now = _ts(2026, 11, 25, 8, 0)
    first = await import_persons(redis_client, prefix, persons, now)
    again = await import_persons(redis_client, prefix, persons, now)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    keys = Keys(prefix)
    due = {m.decode(): s for m, s in await redis_client.zrange(keys.due, 0, -1, withscores=True)
           if m.decode().startswith(("sms:+33611000001", "sms:+33611000002"))}
    assert due == {"sms:+33611000001|morning": _ts(2026, 11, 25, 9, 30),
                   "sms:+33611000001|evening": _ts(2026, 11, 25, 18, 30)}


async def test_an_opt_out_by_message_survives_a_reimport(tmp_path, redis_client, prefix):
    path = _csv(tmp_path, "Marie,,,sms,0611000003,,,,,2026-11-02,oral\n")
    persons, _ = read_csv(path)
    now = _ts(2026, 11, 25, 8, 0)
    await import_persons(redis_client, prefix, persons, now)
    await set_status(redis_client, prefix, "sms:+33611000003", "opted_out", now)
    summary = await import_persons(redis_client, prefix, persons, now)
    assert summary.kept_opted_out == 1
    keys = Keys(prefix)
    assert await redis_client.hget(keys.person("sms:+33611000003"), "status") == b"opted_out"
    assert await redis_client.zscore(keys.due, "sms:+33611000003|morning") is None


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_the_import_command_refuses_a_file_with_errors(tmp_path, sync_redis, prefix):
    path = _csv(tmp_path, "Marie,,,sms,0611000010,,,,,,\nJean,,,sms,12,,,,,,\n")
    result = _cli("persons", "import", str(path))
    assert result.returncode == 1
    assert "ligne 3 : numéro de téléphone invalide « 12 »" in result.stderr
    assert "rien n'a été importé" in result.stderr
    assert not sync_redis.exists(f"{prefix}:person:sms:+33611000010")


def test_the_import_command_shows_progress_and_a_summary(tmp_path, sync_redis, prefix):
    rows = "".join(f"P{i},,,sms,+3361200{i:04d},,,,,2026-11-01,oral\n" for i in range(1500))
    path = _csv(tmp_path, rows)
    result = _cli("persons", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "… 500/1500" in result.stderr and "… 1500/1500" in result.stderr
    assert "1500 ligne(s) : 1500 créée(s), 0 mise(s) à jour, 0 inchangée(s)." in result.stdout
    again = _cli("persons", "import", str(path))
    assert "0 créée(s), 0 mise(s) à jour, 1500 inchangée(s)." in again.stdout
    assert sync_redis.hget(f"{prefix}:person:sms:+33612000042", "first_name") == "P42"
