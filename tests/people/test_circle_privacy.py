"""The circle of care and the ladder after a silence in a person's data: the export
holds them, the erasure leaves nothing of the person nor of their contacts; the CSV
import reads the watch level."""

from __future__ import annotations

import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.checkins import ladder
from bot.people import circle
from bot.people.privacy import erase, export
from bot.people.registry import Keys, import_persons, read_csv
from bot.safety import roster as roster_mod
from tests.support.fakes import Clock
from tests.support.ladder import (
    Outbox, agree, circle_of, enrol, phone, ts, worker, write_roster,
)

DAY = (2026, 11, 25)


@pytest.fixture
async def world(redis_client, tmp_path, monkeypatch):
    monkeypatch.setenv("ROSTER_FILE", str(tmp_path / "roster.yml"))
    monkeypatch.delenv("QUIET_HOURS", raising=False)
    write_roster(tmp_path / "roster.yml")
    prefix = f"{uuid.uuid4().hex[:8]}c"
    clock = Clock(ts(*DAY, 8, 10))
    box = Outbox()
    yield SimpleNamespace(redis=redis_client, prefix=prefix, clock=clock, box=box,
                          worker=worker(redis_client, prefix, clock, box))
    roster_mod.roster.cache_clear()
    async for key in redis_client.scan_iter(match=f"{prefix}:*", count=1000):
        await redis_client.delete(key)


async def _two_people_mid_ladder(w):
    """Marie (Paul by SMS, Lise on Telegram, Sam) and Odile (Rémi, Sam): both
    renforcée, both silent; Marie's circle is being asked and her next step is
    leased by a worker right now."""
    sam = phone()
    marie = await enrol(w.redis, w.prefix, w.clock())
    odile = await enrol(w.redis, w.prefix, w.clock(), first_name="Odile", last_name="Roy")
    mine = await circle_of(w.redis, w.prefix, marie, w.clock(), "Paul")
    mine.update(await circle_of(w.redis, w.prefix, marie, w.clock(), "Lise", telegram=True))
    hers = await circle_of(w.redis, w.prefix, odile, w.clock(), "Rémi")
    for person in (marie, odile):
        await circle.add_contact(w.redis, w.prefix, person, "Sam", "ami", w.clock(), phone=sam)
    await w.worker.tick()
    await agree(w.redis, w.prefix, {**mine, **hers}, w.clock())
    for moment in ((9, 30, 5), (10, 15, 10), (11, 0, 10)):
        w.clock.ts = ts(*DAY, *moment)
        for _ in range(2):
            await w.worker.tick()
    assert any("AIDE" in t for t in w.box.to(mine["Paul"]))
    w.clock.ts = ts(*DAY, 11, 20, 15)
    claimed = await ladder.queue(w.redis, w.prefix).claim(w.clock(), w.clock() + 120, 100,
                                                          "busy-worker")
    assert {m.partition("|")[0] for m, _ in claimed} == {marie, odile}
    return marie, odile, mine, hers, f"sms:{sam}"


async def _all_values(redis, prefix):
    """Every key under the prefix with every piece of its value, as text."""
    found = []
    async for key in redis.scan_iter(match=f"{prefix}:*", count=1000):
        kind = (await redis.type(key)).decode()
        parts = []
        if kind == "string":
            parts = [await redis.get(key)]
        elif kind == "hash":
            for field, value in (await redis.hgetall(key)).items():
                parts += [field, value]
        elif kind == "list":
            parts = await redis.lrange(key, 0, -1)
        elif kind in ("set",):
            parts = list(await redis.smembers(key))
        elif kind == "zset":
            parts = await redis.zrange(key, 0, -1)
        elif kind == "stream":
            for _entry, fields in await redis.xrange(key):
                for field, value in fields.items():
                    parts += [field, value]
        found.append((key.decode(), " ".join(p.decode() if isinstance(p, bytes) else str(p)
                                             for p in parts if p is not None)))
    return found


async def test_the_export_holds_the_circle_and_the_ladder_and_nobody_elses(world):
    w = world
    marie, odile, mine, hers, sam = await _two_people_mid_ladder(w)
    data = await export(w.redis, w.prefix, marie)
    contacts = {c["first_name"]: c for c in data["circle"]}
    assert set(contacts) == {"Paul", "Lise", "Sam"}
    assert contacts["Paul"]["address"] == mine["Paul"]
    assert contacts["Lise"]["address"] == mine["Lise"]
    assert contacts["Paul"]["status"] == "agreed" and contacts["Sam"]["status"] == "asked"
    assert data["ladder"]["status"] == "open"
    assert hers["Rémi"] not in str(data) and "Odile" not in str(data)


async def test_erasure_leaves_nothing_of_the_person_nor_of_their_contacts(world):
    w = world
    marie, odile, mine, hers, sam = await _two_people_mid_ladder(w)
    before = [k for k, v in await _all_values(w.redis, w.prefix) if marie in k or marie in v]
    for part in (":ladder:due", ":ladder:leased", ":ladder:lease_owner", f":ladder:{marie}",
                 f":ladder:sent:{marie}:", f":person:{marie}:circle", ":circle:address:",
                 f":circle:sent:{marie}:"):
        assert any(part in key for key in before), part  # there to be erased
    await erase(w.redis, w.prefix, marie)
    traces = [marie, marie.partition(":")[2], mine["Paul"].partition(":")[2],
              mine["Lise"].partition(":")[2], "Marie", "Paul", "Lise"]
    for key, value in await _all_values(w.redis, w.prefix):
        for trace in traces:
            assert trace not in key and trace not in value, (trace, key)
    # Odile, and the contact she shares with Marie, keep everything of theirs.
    assert await circle.people_of(w.redis, w.prefix, sam) == [odile]
    assert {c.first_name for c in await circle.contacts(w.redis, w.prefix, odile)} == {
        "Rémi", "Sam"}
    assert (await ladder.episode_of(w.redis, w.prefix, odile))["status"] == "open"
    # The worker goes on with Odile's ladder, and writes to nobody of Marie's circle.
    sent = len(w.box.sent)
    for moment in ((11, 23), (12, 0, 15), (13, 0)):
        w.clock.ts = ts(*DAY, *moment)
        for _ in range(2):
            await w.worker.tick()
    later = [to for _, to, _ in w.box.sent[sent:]]
    assert mine["Paul"] not in later and mine["Lise"] not in later and marie not in later
    assert any(key.endswith(":ladder:" + odile) for key, _ in
               await _all_values(w.redis, w.prefix))


# -- the CSV import ------------------------------------------------------------------
HEADER = "first_name,channel,address,consent_date,watch,circle_on_silence\n"


def _csv(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "persons.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_the_import_reads_the_watch_level(tmp_path):
    persons, errors = read_csv(_csv(tmp_path, "Marie,sms,0612340001,2026-11-01,renforcée,\n"
                                              "Paul,sms,0612340002,2026-11-01,standard,oui\n"
                                              "Lise,sms,0612340003,2026-11-01,,non\n"
                                              "Jean,sms,0612340004,2026-11-01,Renforcee,\n"))
    assert errors == []
    assert [(p.first_name, p.watch, p.circle_on_silence) for p in persons] == [
        ("Marie", "renforcee", "0"), ("Paul", "standard", "1"), ("Lise", "standard", "0"),
        ("Jean", "renforcee", "0")]


def test_an_unknown_watch_level_is_refused_with_its_line(tmp_path):
    persons, errors = read_csv(_csv(tmp_path, "Marie,sms,0612340001,2026-11-01,élevée,\n"
                                              "Paul,sms,0612340002,2026-11-01,standard,"
                                              "peut-être\n"))
    text = "\n".join(errors)
    assert "ligne 2" in text and "élevée" in text
    assert "ligne 3" in text and "peut-être" in text
    assert persons == []


async def test_an_imported_renforcee_gets_the_reask_and_a_standard_does_not(world, tmp_path):
    w = world
    persons, errors = read_csv(_csv(tmp_path, "Marie,sms,0612340011,2026-11-01,renforcée,\n"
                                              "Paul,sms,0612340012,2026-11-01,standard,\n"))
    assert errors == []
    await import_persons(w.redis, w.prefix, persons, w.clock())
    for moment in ((9, 30, 5), (10, 15, 10), (11, 0)):
        w.clock.ts = ts(*DAY, *moment)
        await w.worker.tick()
    assert len(w.box.to("sms:+33612340011")) == 1
    assert w.box.to("sms:+33612340012") == []
    # A later file without the column leaves the level the social worker set.
    path = tmp_path / "again.csv"
    path.write_text("first_name,channel,address,consent_date\nMarie,sms,0612340011,"
                    "2026-11-01\n", encoding="utf-8")
    again, errors = read_csv(path)
    await import_persons(w.redis, w.prefix, again, w.clock())
    watch = await w.redis.hget(Keys(w.prefix).person("sms:+33612340011"), "watch")
    assert watch == b"renforcee"
