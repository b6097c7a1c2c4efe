"""Watch cases and requests reach the referents: a daily digest, or at once if configured."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Dict, List
from zoneinfo import ZoneInfo

import pytest
import requests

from bot.safety import cases
from bot.safety import roster as roster_mod
from bot.safety.escalation import Escalation, record_escalation
from bot.worker.loop import Worker
from bot.worker.settings import WorkerSettings
from tests.support.fakes import Clock, NoCheckins
from tests.support.settings import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN

PARIS = ZoneInfo("Europe/Paris")


def _ts(*args: int) -> float:
    return datetime(*args, tzinfo=PARIS).timestamp()


# A Tuesday; the digest is due at 09:00, Paris time.
MORNING = _ts(2027, 3, 9, 8, 59)


def _phone() -> str:
    return f"+3365{uuid.uuid4().int % 10**7:07d}"


@pytest.fixture
def roster_file(twilio_double, monkeypatch, tmp_path):
    """Write a roster (tier 1, tier 2, two referents) and point the worker at it."""
    for name, value in (("TWILIO_ACCOUNT_SID", TWILIO_SID), ("TWILIO_AUTH_TOKEN", TWILIO_TOKEN),
                        ("TWILIO_FROM_NUMBER", TWILIO_FROM), ("TWILIO_API_URL", twilio_double),
                        ("CONSOLE_URL", "https://lien.example.org")):
        monkeypatch.setenv(name, value)
    phones = {"tier1": _phone(), "tier2": _phone(), "durand": _phone(), "petit": _phone()}
    path = tmp_path / "roster.yml"

    def write(digest: str = "", referents: bool = True) -> Dict[str, str]:
        text = (f"tiers:\n  - name: t1\n    members:\n"
                f"      - {{name: A, phone: '{phones['tier1']}'}}\n"
                f"  - name: t2\n    members:\n      - {{name: B, phone: '{phones['tier2']}'}}\n"
                "ladder:\n  critical: [0, 5]\n  high: [0, 15]\n")
        if referents:
            text += (f"referents:\n  \"Mme Durand\": {{phone: '{phones['durand']}'}}\n"
                     f"  \"M. Petit\": {{phone: '{phones['petit']}', telegram: ''}}\n"
                     "  \"Sans moyen\": {phone: '', telegram: ''}\n")
        path.write_text(text + digest, encoding="utf-8")
        roster_mod.roster.cache_clear()
        return phones

    monkeypatch.setenv("ROSTER_FILE", str(path))
    yield write
    roster_mod.roster.cache_clear()


@pytest.fixture
async def world(redis_client, twilio_double, roster_file):
    prefix = f"{uuid.uuid4().hex[:8]}d"

    def received(phone: str) -> List[str]:
        """Messages to a phone; a long one's SMS segments joined back."""
        messages = requests.get(f"{twilio_double}/_messages", timeout=10).json()
        out: List[str] = []
        for body in (m["body"] for m in messages if m["to"] == phone):
            if out and not body.startswith("Lien"):
                out[-1] += " " + body
            else:
                out.append(body)
        return out

    yield redis_client, prefix, received, roster_file
    async for key in redis_client.scan_iter(match=f"{prefix}:*", count=1000):
        await redis_client.delete(key)


async def _person(redis, prefix, first_name, referent="") -> str:
    person_id = f"sms:{_phone()}"
    await redis.hset(f"{prefix}:person:{person_id}", mapping={
        "first_name": first_name, "last_name": "Secret", "referent": referent,
        "channel": "sms"})
    return person_id


async def _escalate(redis, prefix, person_id, category, level, ts, text=""):
    await record_escalation(redis, Escalation(
        sender_id=person_id, category=category, level=level, channel="sms",
        text=text, created_ts=ts), prefix)


def _worker(redis, prefix, clock, **settings) -> Worker:
    return Worker(redis, prefix, NoCheckins(), WorkerSettings(**settings), now=clock)


async def test_each_referent_gets_one_digest_a_day_at_the_configured_time(world):
    redis, prefix, received, write = world
    phones = write('digest: {time: "09:00", timezone: "Europe/Paris"}\n')
    odette = await _person(redis, prefix, "Odette", "Mme Durand")
    marcel = await _person(redis, prefix, "Marcel", "  mme   DURAND ")
    lucie = await _person(redis, prefix, "Lucie", "M. Petit")
    paul = await _person(redis, prefix, "Paul", "Quelqu'un d'autre")
    rene = await _person(redis, prefix, "René")
    ines = await _person(redis, prefix, "Inès", "Sans moyen")
    jeanne = await _person(redis, prefix, "Jeanne", "Mme Durand")
    await _escalate(redis, prefix, odette, "no_news", "watch", MORNING - 2 * 86400 - 60)
    await _escalate(redis, prefix, marcel, "human_request", "request", MORNING - 5 * 3600,
                    text="je voudrais parler à quelqu'un")
    await _escalate(redis, prefix, lucie, "no_news", "watch", MORNING - 40 * 60)
    await _escalate(redis, prefix, paul, "misunderstood", "request", MORNING - 3 * 3600)
    await _escalate(redis, prefix, rene, "no_news", "watch", MORNING - 3 * 86400)
    await _escalate(redis, prefix, ines, "no_news", "watch", MORNING - 3600)
    await _escalate(redis, prefix, jeanne, "suicide", "critical", MORNING - 60,
                    text="jveux en finir")
    clock = Clock(MORNING)
    worker = _worker(redis, prefix, clock)
    await worker.tick()
    # 08:59: the critical case pages tier 1; the referents hear nothing yet.
    assert [m for m in received(phones["tier1"]) if "suivi" in m] == []
    assert received(phones["durand"]) == [] and received(phones["petit"]) == []
    assert len(received(phones["tier1"])) == 1

    clock.ts = MORNING + 60  # 09:00
    await worker.tick()
    assert received(phones["durand"]) == [
        "Lien, suivi du 09/03 : 2 personne(s) à suivre : Odette (sans nouvelles, depuis 2 j) ; "
        "Marcel (demande d'un humain, depuis 5 h). File : https://lien.example.org/queue"]
    assert received(phones["petit"]) == [
        "Lien, suivi du 09/03 : 1 personne(s) à suivre : Lucie (sans nouvelles, depuis "
        "41 min). File : https://lien.example.org/queue"]
    orphans = [m for m in received(phones["tier1"]) if "suivi" in m]
    assert orphans == [
        "Lien, suivi du 09/03 : 3 personne(s) à suivre sans référent connu : René (sans "
        "nouvelles, depuis 3 j) ; Paul (incompréhension, depuis 3 h) ; Inès (sans "
        "nouvelles, depuis 1 h). File : https://lien.example.org/queue"]
    assert received(phones["tier2"]) == []
    for text in received(phones["durand"]) + received(phones["petit"]) + orphans:
        assert "+33" not in text and "Secret" not in text and "parler" not in text
        assert "Jeanne" not in text  # a critical case pages the roster, not the digest

    # The same day: never again, whichever worker.
    clock.ts = MORNING + 3600
    await worker.tick()
    await _worker(redis, prefix, clock).tick()
    assert len(received(phones["durand"])) == 1 and len(received(phones["petit"])) == 1

    # The next morning, still open: again, once. A resolved case drops out.
    (lucie_case,) = [c for c in await cases.queue(redis, prefix) if c["person_id"] == lucie]
    await cases.resolve_case(redis, prefix, lucie_case["id"], "appelée", "", clock())
    clock.ts = MORNING + 86400 + 60
    await worker.tick()
    assert len(received(phones["durand"])) == 2 and len(received(phones["petit"])) == 1
    assert received(phones["durand"])[1].startswith("Lien, suivi du 10/03 : 2 personne(s)")


async def test_two_workers_at_the_same_moment_send_one_digest(world):
    redis, prefix, received, write = world
    phones = write()  # no digest section: 09:00, Europe/Paris
    await _escalate(redis, prefix, await _person(redis, prefix, "Odette", "Mme Durand"),
                    "no_news", "watch", MORNING - 600)
    clock = Clock(MORNING + 3600)
    await asyncio.gather(*(_worker(redis, prefix, clock).tick() for _ in range(3)))
    assert len(received(phones["durand"])) == 1


class _DiesAfterOne:
    """A provider hand-off that dies at the second message (a worker killed mid-digest)."""

    def __init__(self, real) -> None:
        self.real = real
        self.count = 0

    def output(self, channel):
        outer = self

        class Output:
            async def send_text_message(self, recipient, text):
                outer.count += 1
                if outer.count > 1:
                    raise RuntimeError("killed")
                await outer.real.output(channel).send_text_message(recipient, text)

        return Output()


async def test_a_digest_cut_short_is_finished_by_the_next_worker_after_the_lease(world):
    redis, prefix, received, write = world
    phones = write()
    await _escalate(redis, prefix, await _person(redis, prefix, "Odette", "Mme Durand"),
                    "no_news", "watch", MORNING - 600)
    await _escalate(redis, prefix, await _person(redis, prefix, "Lucie", "M. Petit"),
                    "no_news", "watch", MORNING - 600)
    clock = Clock(MORNING + 3600)
    dying = _worker(redis, prefix, clock, lease_seconds=120)
    await dying.work_cases()
    real = dying.alert_output()
    dying.alert_output = lambda: _DiesAfterOne(real)
    await dying.tick()  # one digest out, then "killed"
    got = lambda: len(received(phones["durand"])) + len(received(phones["petit"]))  # noqa: E731
    assert got() == 1
    survivor = _worker(redis, prefix, clock, lease_seconds=120)
    await survivor.tick()
    assert got() == 1  # the lease still holds
    clock.ts += 121
    await survivor.tick()
    assert len(received(phones["durand"])) == 1 and len(received(phones["petit"])) == 1


async def test_immediate_sends_each_new_watch_case_to_its_referent_once(world):
    redis, prefix, received, write = world
    phones = write("digest:\n  immediate: true\n")
    odette = await _person(redis, prefix, "Odette", "Mme Durand")
    rene = await _person(redis, prefix, "René")
    clock = Clock(MORNING - 3 * 3600)  # 05:59: not the digest's time
    worker = _worker(redis, prefix, clock)
    await _escalate(redis, prefix, odette, "no_news", "watch", clock())
    await _escalate(redis, prefix, rene, "human_request", "request", clock())
    await worker.tick()
    by_person = {c["person_id"]: c["id"] for c in await cases.queue(redis, prefix)}
    assert received(phones["durand"]) == [
        f"Lien : Odette à suivre (sans nouvelles). "
        f"https://lien.example.org/cases/{by_person[odette]}"]
    assert received(phones["tier1"]) == [
        f"Lien : René à suivre (demande d'un humain), sans référent connu. "
        f"https://lien.example.org/cases/{by_person[rene]}"]
    # A second message joins the open case: not sent again; a critical one pages.
    await _escalate(redis, prefix, odette, "misunderstood", "request", clock() + 60)
    clock.ts += 120
    await worker.tick()
    await worker.tick()
    assert len(received(phones["durand"])) == 1
    await _escalate(redis, prefix, odette, "suicide", "critical", clock() + 60)
    clock.ts += 120
    await worker.tick()
    assert len(received(phones["durand"])) == 1
    assert any("URGENT" in m and "Odette" in m for m in received(phones["tier1"]))


async def test_without_immediate_a_new_watch_case_waits_for_the_digest(world):
    redis, prefix, received, write = world
    phones = write()
    await _escalate(redis, prefix, await _person(redis, prefix, "Odette", "Mme Durand"),
                    "no_news", "watch", MORNING - 3 * 3600)
    await _worker(redis, prefix, Clock(MORNING - 3 * 3600)).tick()
    assert len(await cases.queue(redis, prefix)) == 1
    assert received(phones["durand"]) == [] and received(phones["tier1"]) == []


async def test_an_older_roster_file_still_loads_with_defaults(world):
    _, _, _, write = world
    write(referents=False)
    data = roster_mod.roster()
    assert data["referents"] == {}
    assert data["digest"] == {"time": "09:00", "timezone": "Europe/Paris", "immediate": False}
    write("digest:\n  time: 9:30\n  immediate: oui\n")  # YAML reads 9:30 as 570
    assert roster_mod.roster()["digest"]["time"] == "09:30"
    assert roster_mod.roster()["digest"]["immediate"] is True


async def test_an_unreadable_roster_never_stops_a_case_from_opening(world, monkeypatch,
                                                                    tmp_path):
    redis, prefix, _, _ = world
    monkeypatch.setenv("ROSTER_FILE", str(tmp_path / "missing.yml"))
    roster_mod.roster.cache_clear()
    await _escalate(redis, prefix, await _person(redis, prefix, "Odette", "Mme Durand"),
                    "suicide", "critical", MORNING)
    await cases.ensure_group(redis, prefix)
    assert await cases.consume(redis, prefix, "w1", MORNING) == 1
    assert len(await cases.queue(redis, prefix)) == 1


async def test_a_long_digest_names_what_fits_and_keeps_the_link(world, twilio_double):
    redis, prefix, received, write = world
    phones = write()
    for index in range(30):
        person = await _person(redis, prefix, f"Marie-Christine{index:02d}", "Mme Durand")
        await _escalate(redis, prefix, person, "no_news", "watch", MORNING - 86400 + index)
    await _worker(redis, prefix, Clock(MORNING + 60)).tick()
    (digest,) = received(phones["durand"])
    assert digest.startswith("Lien, suivi du 09/03 : 30 personne(s) à suivre : "
                             "Marie-Christine00 (sans nouvelles, depuis 24 h) ; ")
    assert digest.endswith(" autre(s). File : https://lien.example.org/queue")
    messages = requests.get(f"{twilio_double}/_messages", timeout=10).json()
    assert len([m for m in messages if m["to"] == phones["durand"]]) <= 3


async def test_a_case_a_listener_holds_is_listed_as_taken_care_of(world):
    redis, prefix, received, write = world
    phones = write()
    person = await _person(redis, prefix, "Odette", "Mme Durand")
    await _escalate(redis, prefix, person, "human_request", "request", MORNING - 1800)
    clock = Clock(MORNING - 60)
    worker = _worker(redis, prefix, clock)
    await worker.tick()
    (case,) = await cases.queue(redis, prefix)
    assert await cases.claim_case(redis, prefix, case["id"], "ana", clock())
    clock.ts = MORNING + 60
    await worker.tick()
    assert received(phones["durand"]) == [
        "Lien, suivi du 09/03 : 1 personne(s) à suivre : Odette (demande d'un humain, "
        "depuis 31 min, pris en charge). File : https://lien.example.org/queue"]
