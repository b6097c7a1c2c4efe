"""The on-call roster: refused unless every contact is valid; a page that reaches
nobody is an error and widens at once; every page says how many it reached."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import List, Tuple

import pytest

from bot.safety import roster as roster_mod
from bot.safety.escalation import Escalation, record_escalation
from bot.worker.loop import Worker
from bot.worker.settings import WorkerSettings
from tests.support.fakes import Clock, NoCheckins
from tests.support.paths import ROOT

T0 = 1_800_000_000.0


def _phone() -> str:
    return f"+3364{uuid.uuid4().int % 10**7:07d}"


def _roster_text(tiers: List[List[Tuple[str, str]]], referents: str = "") -> str:
    """Tiers of members given as (phone, telegram), YAML-quoted as written."""
    text = "tiers:\n"
    for index, members in enumerate(tiers):
        text += f"  - name: t{index}\n    members:\n"
        for number, (phone, telegram) in enumerate(members):
            text += f"      - {{name: M{index}{number}, phone: {phone}, telegram: {telegram}}}\n"
    return text + "ladder:\n  critical: [0, 5, 10]\n  high: [0, 15, 30]\n" + referents


@pytest.fixture
def roster_file(tmp_path, monkeypatch):
    """Write the roster the worker reads (a new mtime each time)."""
    path = tmp_path / "roster.yml"
    monkeypatch.setenv("ROSTER_FILE", str(path))
    roster_mod.roster.cache_clear()
    writes = [0]

    def write(text: str) -> Path:
        path.write_text(text, encoding="utf-8")
        writes[0] += 1
        stat = os.stat(path)  # two writes within the clock's resolution still differ
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + writes[0] * 10**9))
        return path

    yield write
    roster_mod.roster.cache_clear()


@pytest.mark.parametrize("phone, telegram, shown", [
    ("'06 OO 00 01 01'", "''", "06 OO 00 01 01"),    # letter O for zero: paged nobody
    ("'06 00 00 01 0'", "''", "06 00 00 01 0"),      # a digit short: +33060000010
    ("'+33 1 23'", "''", "+33 1 23"),
    ("0600000101", "''", "100663361"),               # unquoted: YAML reads an octal int
    ("''", "'12345O'", "12345O"),                    # Telegram id with a letter O
    ("''", "'-100 123'", "-100 123"),
    ("''", "''", "M00"),                             # nobody to page
])
def test_a_roster_with_any_invalid_contact_is_refused(roster_file, phone, telegram, shown):
    good = (f"'{_phone()}'", "''")
    roster_file(_roster_text([[good, (phone, telegram)] if shown != "M00" else
                              [(phone, telegram)], [good]]))
    with pytest.raises(roster_mod.RosterError) as refused:
        roster_mod.roster()
    assert shown in str(refused.value)


def test_a_referent_with_an_invalid_number_is_refused_one_without_any_goes_to_tier_1(
        roster_file):
    tiers = [[(f"'{_phone()}'", "''")]]
    roster_file(_roster_text(tiers, "referents:\n  CCAS: {phone: '06 12 34'}\n"))
    with pytest.raises(roster_mod.RosterError) as refused:
        roster_mod.roster()
    assert "06 12 34" in str(refused.value) and "CCAS" in str(refused.value)
    roster_file(_roster_text(tiers, "referents:\n  CCAS: {phone: '', telegram: ''}\n"))
    assert roster_mod.roster()["referents"]["ccas"] == {"name": "CCAS", "phone": "", "telegram": ""}


def test_valid_numbers_and_telegram_ids_are_kept_in_e164(roster_file):
    roster_file(_roster_text([[("'06 12 34 56 78'", "123456789")],
                              [("''", "'-1001234567890'")]]))
    data = roster_mod.roster()
    assert data["tiers"][0]["members"][0] == {"name": "M00", "phone": "+33612345678",
                                              "telegram": "123456789"}
    assert data["tiers"][1]["members"][0]["telegram"] == "-1001234567890"


def test_the_shipped_roster_is_valid(monkeypatch):
    monkeypatch.delenv("ROSTER_FILE", raising=False)
    roster_mod.roster.cache_clear()
    try:
        assert roster_mod.roster()["tiers"][0]["members"][0]["phone"] == "+33600000101"
    finally:
        roster_mod.roster.cache_clear()


def test_a_bad_edit_keeps_the_last_good_roster_and_logs_an_error(roster_file, caplog):
    good_phone = _phone()
    roster_file(_roster_text([[(f"'{good_phone}'", "''")]]))
    assert roster_mod.roster()["tiers"][0]["members"][0]["phone"] == good_phone
    path = roster_file(_roster_text([[("'06 OO 00 01 01'", "''")]]))
    with caplog.at_level(logging.ERROR, logger="bot.safety.roster"):
        assert roster_mod.roster()["tiers"][0]["members"][0]["phone"] == good_phone
        assert roster_mod.roster()["tiers"][0]["members"][0]["phone"] == good_phone
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1  # once per bad version of the file, not at every alert
    assert str(path) in errors[0].getMessage() and "06 OO 00 01 01" in errors[0].getMessage()
    fixed = _phone()
    roster_file(_roster_text([[(f"'{fixed}'", "''")]]))
    assert roster_mod.roster()["tiers"][0]["members"][0]["phone"] == fixed


def test_the_worker_refuses_to_start_on_an_invalid_roster(tmp_path):
    path = tmp_path / "roster.yml"
    path.write_text(_roster_text([[("'06 OO 00 01 01'", "''")]]), encoding="utf-8")
    started = subprocess.run(
        [sys.executable, "-m", "bot", "worker"], cwd=ROOT, capture_output=True, text=True,
        env=dict(os.environ, ROSTER_FILE=str(path)), timeout=120)
    assert started.returncode != 0
    assert str(path) in started.stderr and "06 OO 00 01 01" in started.stderr
    assert "Planificateur lancé" not in started.stdout


class Provider:
    """The alert providers: every send recorded; some recipients refused."""

    def __init__(self) -> None:
        self.sent: List[Tuple[str, str]] = []
        self.refused: set = set()

    def output(self, channel: str) -> "Provider":
        return self

    async def send_text_message(self, recipient: str, text: str) -> None:
        if recipient in self.refused:
            raise RuntimeError(f"provider refused {recipient}")
        self.sent.append((recipient, text))

    def to(self, phone: str) -> List[str]:
        return [text for recipient, text in self.sent if recipient == f"sms:{phone}"]


@pytest.fixture
async def paging(redis_client, roster_file, monkeypatch):
    monkeypatch.setenv("CONSOLE_URL", "https://lien.example.org")
    prefix = f"{uuid.uuid4().hex[:8]}o"
    provider = Provider()
    clock = Clock(T0)
    worker = Worker(redis_client, prefix, NoCheckins(), WorkerSettings(lease_seconds=30),
                    now=clock, alert_delivery=provider)
    yield redis_client, prefix, provider, clock, worker
    async for key in redis_client.scan_iter(match=f"{prefix}:*", count=1000):
        await redis_client.delete(key)


async def _critical(redis, prefix, name: str) -> str:
    person = f"sms:+3361{uuid.uuid4().int % 10**7:07d}"
    await redis.hset(f"{prefix}:person:{person}", mapping={"first_name": name})
    await record_escalation(redis, Escalation(sender_id=person, category="suicide",
                                              level="critical", channel="sms",
                                              text="jveux en finir", created_ts=T0), prefix)
    return person


async def test_a_page_that_reaches_nobody_is_an_error_and_the_next_tier_is_paged_at_once(
        paging, roster_file, caplog):
    redis, prefix, provider, clock, worker = paging
    first, second = _phone(), _phone()
    roster_file(_roster_text([[(f"'{first}'", "''")], [(f"'{second}'", "''")]]))
    provider.refused.add(f"sms:{first}")
    await _critical(redis, prefix, "Odette")
    with caplog.at_level(logging.WARNING, logger="bot.safety.alerts"):
        await worker.work_cases()
        await worker.work_cases()  # same instant: no ladder delay for the next tier
    nobody = [r for r in caplog.records if r.levelno == logging.ERROR
              and "reached nobody" in r.getMessage()]
    assert len(nobody) == 1 and "tier 0" in nobody[0].getMessage()
    assert provider.to(first) == []
    (page,) = provider.to(second)
    assert "Odette" in page
    assert any("tier 1: 1 of 1 reached" in r.getMessage() for r in caplog.records)
    assert not any("alerted tier 0" in r.getMessage() for r in caplog.records)
    # Tier 1 (refused) is tried again once its lease passes; tier 2 gets no double.
    provider.refused.clear()
    clock.ts += 31
    await worker.work_cases()
    assert len(provider.to(first)) == 1 and len(provider.to(second)) == 1


async def test_each_page_logs_how_many_it_reached_and_a_partial_page_keeps_the_ladder(
        paging, roster_file, caplog):
    redis, prefix, provider, clock, worker = paging
    first, other, second = _phone(), _phone(), _phone()
    roster_file(_roster_text([[(f"'{first}'", "''"), (f"'{other}'", "''")],
                              [(f"'{second}'", "''")]]))
    provider.refused.add(f"sms:{other}")
    await _critical(redis, prefix, "Marcel")
    with caplog.at_level(logging.WARNING, logger="bot.safety.alerts"):
        await worker.work_cases()
        await worker.work_cases()
    assert len(provider.to(first)) == 1 and provider.to(other) == []
    assert provider.to(second) == []  # somebody was reached: the ladder's delay holds
    assert any("tier 0: 1 of 2 reached" in r.getMessage() for r in caplog.records)
    assert not any(r.levelno == logging.ERROR and "reached nobody" in r.getMessage()
                   for r in caplog.records)
    provider.refused.clear()
    clock.ts = T0 + 31  # the refused recipient is tried again once the lease passes
    await worker.work_cases()
    assert len(provider.to(other)) == 1 and len(provider.to(first)) == 1
    assert provider.to(second) == []
    clock.ts = T0 + 5 * 60 + 1  # the ladder's delay for tier 2
    await worker.work_cases()
    await worker.work_cases()
    assert len(provider.to(second)) == 1
    assert len(provider.to(first)) == 1 and len(provider.to(other)) == 1
