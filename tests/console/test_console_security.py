"""The listener console's security review: each finding, as the behaviour it now has.

Same in-process console on the real Redis as tests/console/test_console.py (its fixtures
are reused); nothing here depends on how long anything takes.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
from typing import Any, List

import pytest
from argon2 import PasswordHasher
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from bot.safety import cases
from bot.console import store as store_mod
from bot.console.app import make_app
from bot.console.store import MAX_FAILURES, ConsoleStore
from tests.console.test_console import (PASSWORD, add_person, client_for, open_case,  # noqa: F401
                                       world)
from tests.support.paths import ROOT
from tests.support.settings import TEST_REDIS_URL


class SpyHasher(PasswordHasher):
    """argon2 as the console uses it, counting checks and noting where they run."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.checked = 0
        self.active = 0
        self.peak = 0
        self.threads: List[int] = []

    def verify(self, hash: Any, password: Any) -> bool:  # noqa: A002 - argon2's name
        with self.lock:
            self.checked += 1
            self.active += 1
            self.peak = max(self.peak, self.active)
            self.threads.append(threading.get_ident())
        try:
            return super().verify(hash, password)
        finally:
            with self.lock:
                self.active -= 1


@pytest.fixture
def spy(monkeypatch) -> SpyHasher:
    hasher = SpyHasher()
    monkeypatch.setattr(store_mod, "_hasher", hasher)
    return hasher


# -- 5. log-in: atomic lock-out, hashing off the event loop, no account oracle ----------
async def test_forty_wrong_passwords_at_once_are_not_forty_checks(world, spy,  # noqa: F811
                                                                  monkeypatch):
    store: ConsoleStore = world["store"]
    monkeypatch.setattr(store_mod, "MAX_WAITING", 100)  # all wait their turn (see below)
    attempts = [store.authenticate("ana", f"wrong password {n}") for n in range(40)]
    results = await asyncio.gather(*attempts, store.authenticate("ana", PASSWORD))
    assert results == [None] * 41  # the right password, sent in the burst, stays out
    assert spy.checked == MAX_FAILURES  # the count is taken before each check
    assert await store.authenticate("ana", PASSWORD) is None  # locked
    assert spy.checked == MAX_FAILURES


async def test_passwords_are_checked_in_a_bounded_pool_not_on_the_event_loop(  # noqa: F811
        world, spy):
    store: ConsoleStore = world["store"]
    loop_thread = threading.get_ident()
    logins = ["ana", "sam", "ada", "leo"] * 2
    results = await asyncio.gather(*[store.authenticate(login, PASSWORD) for login in logins])
    assert [u.login for u in results] == logins
    assert spy.threads and loop_thread not in spy.threads
    # The bound is the point: never more hashes at once than the pool's workers.
    # The lower bound only says the spy saw the checks (a fast machine may run
    # them one at a time, so "exactly HASH_WORKERS" would be a flaky claim).
    assert 1 <= spy.peak <= store_mod.HASH_WORKERS


async def test_log_ins_waiting_for_the_pool_are_bounded_and_a_lock_is_audited_once(
        world, spy, monkeypatch):  # noqa: F811
    store: ConsoleStore = world["store"]
    monkeypatch.setattr(store_mod, "MAX_WAITING", 3)
    results = await asyncio.gather(
        *[store.authenticate(f"flood{n}", "wrong password") for n in range(10)],
        return_exceptions=True)
    busy = [r for r in results if isinstance(r, store_mod.LoginBusy)]
    assert len(busy) == 7 and results[:3] == [None] * 3
    flooded = [k async for k in world["redis"].scan_iter(
        match=f"{world['prefix']}:console:failures:flood*")]
    assert len(flooded) == 3  # a refused attempt leaves nothing behind
    # Over HTTP: busy is a 503 in French; a locked login is audited once, not per try.
    client = await client_for(world)
    token = re.search(r'name="csrf" value="([^"]+)"',
                      await (await client.get("/login")).text()).group(1)
    for _ in range(MAX_FAILURES + 10):
        reply = await client.post("/login", data={"csrf": token, "login": "leo",
                                                  "password": "wrong password!"})
        assert reply.status == 401
    admin = await client_for(world, "ada")
    failed = [e for e in await _audit(admin) if e["action"] in ("login_failed", "login_locked")
              and e["target"] == "leo"]
    assert [e["action"] for e in failed].count("login_failed") == MAX_FAILURES
    assert [e["action"] for e in failed].count("login_locked") == 1
    monkeypatch.setattr(store_mod, "MAX_WAITING", 0)
    reply = await client.post("/login", data={"csrf": token, "login": "sam",
                                              "password": PASSWORD})
    assert reply.status == 503 and "indisponible" in await reply.text()
    await client.close()
    await admin.close()


async def test_an_unknown_login_costs_one_check_like_a_real_one(world, spy):  # noqa: F811
    store: ConsoleStore = world["store"]
    assert await store.authenticate("nobody-here", "some password 1") is None
    assert spy.checked == 1
    assert await store.authenticate("ana", "some password 1") is None
    assert spy.checked == 2


# -- 6. closing a case: its holder (or an admin, audited); an urgent one is taken first --
async def _audit(admin: Any) -> List[dict]:
    """The audit log, as an admin reads it (a TestClient's close stops the server:
    each test closes its clients at its end only)."""
    return (await (await admin.get("/api/audit")).json())["entries"]


async def test_only_the_holder_or_an_admin_closes_a_claimed_case(world):  # noqa: F811
    person = await add_person(world, "+33611120001", "Irène")
    case_id = await open_case(world, person, level="high")
    ana, leo = await client_for(world, "ana"), await client_for(world, "leo")
    assert (await ana.post(f"/api/cases/{case_id}/claim",
                           headers={"X-CSRF-Token": ana.csrf})).status == 200
    reply = await leo.post(f"/api/cases/{case_id}/resolve", json={"outcome": "listened"},
                           headers={"X-CSRF-Token": leo.csrf})
    body = await reply.json()
    assert reply.status == 403 and not body["ok"]
    assert "ana" in body["message"] and "clore" in body["message"]
    page = await leo.post(f"/cases/{case_id}/resolve", data={
        "csrf": leo.csrf, "outcome": "listened", "orientation": "none"})
    assert page.status == 200 and "peut le clore" in await page.text()
    case = await cases.get_case(world["redis"], world["prefix"], case_id)
    assert (case["status"], case["claimed_by"]) == ("claimed", "ana")
    assert (person, ["EXTERNAL_human_done"]) not in world["takeover"].events
    # The case page offers Léo no "close" button.
    assert 'id="resolve"' not in await (await leo.get(f"/cases/{case_id}")).text()
    assert 'id="resolve"' in await (await ana.get(f"/cases/{case_id}")).text()
    # An admin may, and the audit log says whose case it was.
    admin = await client_for(world, "ada")
    reply = await admin.post(f"/api/cases/{case_id}/resolve", json={"outcome": "listened"},
                             headers={"X-CSRF-Token": admin.csrf})
    assert reply.status == 200
    assert (await cases.get_case(world["redis"], world["prefix"], case_id))["status"] == \
        "resolved"
    entries = [e for e in await _audit(admin) if e["target"] == case_id]
    assert ("leo", "resolve_refused") in [(e["login"], e["action"]) for e in entries]
    (override,) = [e for e in entries if e["action"] == "resolve_override"]
    assert override["login"] == "ada" and "ana" in override["detail"]
    for client in (ana, leo, admin):
        await client.close()


async def test_an_unclaimed_urgent_case_must_be_taken_before_it_is_closed(world):  # noqa: F811
    person = await add_person(world, "+33611120002", "Paulette")
    critical = await open_case(world, person, level="critical")
    watcher = await add_person(world, "+33611120003", "Gaston")
    watch = await open_case(world, watcher, level="watch", category="no_news")
    clients = [await client_for(world, login) for login in ("ana", "ada")]
    for login, client in zip(("ana", "ada"), clients):
        reply = await client.post(f"/api/cases/{critical}/resolve",
                                  json={"outcome": "nothing_needed"},
                                  headers={"X-CSRF-Token": client.csrf})
        body = await reply.json()
        assert reply.status == 409 and "prenez-le" in body["message"], login
        assert 'id="resolve"' not in await (await client.get(f"/cases/{critical}")).text()
    case = await cases.get_case(world["redis"], world["prefix"], critical)
    assert case["status"] == "pending"
    open_ids = [c["id"] for c in await cases.queue(world["redis"], world["prefix"])]
    assert critical in open_ids  # still in the queue: the alert ladder goes on
    # A watch case (no alert ladder) can be closed from the queue.
    ana = clients[0]
    reply = await ana.post(f"/api/cases/{watch}/resolve", json={"outcome": "nothing_needed"},
                           headers={"X-CSRF-Token": ana.csrf})
    assert reply.status == 200
    # Once taken, the urgent case closes.
    assert (await ana.post(f"/api/cases/{critical}/claim",
                           headers={"X-CSRF-Token": ana.csrf})).status == 200
    reply = await ana.post(f"/api/cases/{critical}/resolve", json={"outcome": "listened"},
                           headers={"X-CSRF-Token": ana.csrf})
    assert reply.status == 200
    for client in clients:
        await client.close()


# -- 7. a password reset or a disabled account ends every session ----------------------
def users_command(world: Any, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """``python -m bot users ...`` on the test's key prefix."""
    env = dict(os.environ, LIEN_KEY_PREFIX=world["prefix"], REDIS_URL=TEST_REDIS_URL)
    return subprocess.run([sys.executable, "-m", "bot", "users", *args], input=stdin,
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def _session_keys(world: Any) -> str:
    return f"{world['prefix']}:console:session:*"


async def test_a_password_reset_ends_every_session_of_the_account(world):  # noqa: F811
    first, second = await client_for(world, "ana"), await client_for(world, "ana")
    other = await client_for(world, "leo")
    for client in (first, second, other):
        assert (await client.get("/api/queue")).status == 200
    done = await asyncio.to_thread(users_command, world, "add", "ana", "--role", "listener",
                                   "--reset", "--password-stdin",
                                   stdin="a brand new password\n")
    assert done.returncode == 0, done.stderr
    for client in (first, second):
        reply = await client.get("/api/queue")
        assert reply.status == 401 and (await reply.json())["error"] == "anonymous"
    assert (await other.get("/api/queue")).status == 200  # only that account's sessions
    logins = {(await world["redis"].hget(key, "login")).decode()
              async for key in world["redis"].scan_iter(match=_session_keys(world))}
    assert logins == {"leo"}  # ended on the server, not only refused
    again = await client_for(world, "ana", password="a brand new password")
    assert (await again.get("/api/queue")).status == 200
    for client in (first, second, other, again):
        await client.close()


async def test_users_disable_ends_the_sessions_and_refuses_the_log_in(world):  # noqa: F811
    ana = await client_for(world, "ana")
    assert (await ana.get("/api/queue")).status == 200
    done = await asyncio.to_thread(users_command, world, "disable", "ana")
    assert done.returncode == 0, done.stderr
    assert "désactivé" in done.stdout
    assert (await ana.get("/api/queue")).status == 401
    assert await world["store"].authenticate("ana", PASSWORD) is None
    anonymous = await client_for(world)
    page = await anonymous.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
    reply = await anonymous.post("/login", data={"csrf": token, "login": "ana",
                                                 "password": PASSWORD},
                                 allow_redirects=False)
    assert reply.status == 401
    listed = await asyncio.to_thread(users_command, world, "list")
    (line,) = [row for row in listed.stdout.splitlines() if row.startswith("ana")]
    assert "désactivé" in line
    # Colleagues no longer see the account (no case is handed to it).
    assert "ana" not in [u.login for u in await world["store"].users()]
    unknown = await asyncio.to_thread(users_command, world, "disable", "nobody")
    assert unknown.returncode == 2 and "inconnu" in unknown.stderr
    # A reset opens the account again, with its new password.
    done = await asyncio.to_thread(users_command, world, "add", "ana", "--role", "listener",
                                   "--reset", "--password-stdin",
                                   stdin="another new password\n")
    assert done.returncode == 0, done.stderr
    assert await world["store"].authenticate("ana", "another new password") is not None
    for client in (ana, anonymous):
        await client.close()


# -- 9. no server-side state before a successful log-in --------------------------------
async def _keys(world: Any) -> set:
    return {key async for key in world["redis"].scan_iter(match=f"{world['prefix']}:*")}


async def test_anonymous_visits_to_the_log_in_page_write_nothing_in_redis(world):  # noqa: F811
    await world["store"].ref("sms:+33600000000")  # the installation's secret exists
    before = await _keys(world)
    visitors = [await client_for(world) for _ in range(5)]
    for visitor in visitors:
        for path in ("/login", "/login?next=/queue", "/queue", "/"):
            assert (await visitor.get(path)).status == 200
    assert await _keys(world) == before
    # The form still carries a token that only this browser can send back.
    first, second = visitors[0], visitors[1]
    token = re.search(r'name="csrf" value="([^"]+)"',
                      await (await first.get("/login")).text()).group(1)
    other = re.search(r'name="csrf" value="([^"]+)"',
                      await (await second.get("/login")).text()).group(1)
    assert token != other
    for sent in ("", "forged", other):
        reply = await first.post("/login", data={"csrf": sent, "login": "ana",
                                                 "password": PASSWORD}, allow_redirects=False)
        assert reply.status == 403, sent
        assert "Formulaire expiré" in await reply.text()
    first.session.cookie_jar.clear()  # the token without its cookie
    reply = await first.post("/login", data={"csrf": token, "login": "ana",
                                             "password": PASSWORD}, allow_redirects=False)
    assert reply.status == 403
    assert await _keys(world) == before
    # With its own cookie, the log-in works and only then is a session written.
    reply = await second.post("/login", data={"csrf": other, "login": "ana",
                                              "password": PASSWORD}, allow_redirects=False)
    assert reply.status == 302
    sessions = [k for k in await _keys(world) - before if b":console:session:" in k]
    assert len(sessions) == 1
    for visitor in visitors:
        await visitor.close()


# -- 11. after log-in, only a path of this site -----------------------------------------
ELSEWHERE = ["/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "//evil.example",
             "///evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
             "https://evil.example", "http:/evil.example", "/%2F/evil.example",
             "/%2f%2fevil.example", "/%5C/evil.example", "%2F%2Fevil.example",
             " //evil.example", "/%252F/evil.example", "javascript:alert(1)"]
HERE = ["/cases/0000000000000-abcdef12", "/queue?ok=claimed", "/people/0123456789abcdef0123"]


async def test_after_log_in_only_a_path_of_this_site(world):  # noqa: F811
    client = await client_for(world)
    for wanted in ELSEWHERE + HERE:
        page = await client.get(URL("/login?next=" + wanted.replace("\t", "%09")
                                    .replace("\n", "%0A").replace(" ", "%20"), encoded=True))
        shown = re.search(r'name="next" value="([^"]*)"', await page.text()).group(1)
        token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
        reply = await client.post("/login", data={"csrf": token, "login": "ana",
                                                  "password": PASSWORD, "next": wanted},
                                  allow_redirects=False)
        assert reply.status == 302, wanted
        expected = wanted if wanted in HERE else "/queue"
        assert reply.headers["Location"] == expected, wanted
        assert shown == expected, wanted  # the form carries the same verdict
        client.session.cookie_jar.clear()
    await client.close()


# -- 12. odd input gets 400, never a 5xx -------------------------------------------------
async def test_out_of_range_numbers_and_dates_get_400_not_503(world):  # noqa: F811
    person = await add_person(world, "+33611120004", "Lucien")
    case_id = await open_case(world, person, level="watch", category="no_news")
    admin = await client_for(world, "ada")
    huge = "99999999999999999999999"
    for path in (f"/api/people?cursor={huge}", f"/people?cursor={huge}",
                 "/api/people?cursor=abc", "/api/plan?date=9999-12-31", "/plan?date=9999-12-31",
                 "/api/plan?date=0001-01-01", f"/api/audit?before={huge}-0",
                 f"/audit?before={huge}-0", f"/api/audit?before=1-{huge}",
                 f"/api/cases/{case_id}/messages?after={huge}-0"):
        reply = await admin.get(path)
        assert reply.status == 400, path
        if path.startswith("/api/"):
            assert (await reply.json())["error"] == "bad_request", path
        else:
            assert "invalide" in await reply.text(), path
    for when in ("9999-12-31", "0001-01-01"):
        reply = await admin.post(f"/api/cases/{case_id}/call",
                                 json={"date": when, "time": "23:59"},
                                 headers={"X-CSRF-Token": admin.csrf})
        assert reply.status == 400, when
    # Ordinary values, and the edges, still work.
    edge = f"{2 ** 64 - 1}-{2 ** 64 - 1}"
    for path in ("/api/people?cursor=0", "/api/plan?date=2030-01-01",
                 "/api/audit?before=1-0", "/api/audit?before=0-0", "/api/audit?before=00-0",
                 f"/api/audit?before={edge}",
                 f"/api/cases/{case_id}/messages?after=1-0",
                 f"/api/cases/{case_id}/messages?after=0-0",
                 f"/api/cases/{case_id}/messages?after=000-00",
                 f"/api/cases/{case_id}/messages?after={edge}"):
        assert (await admin.get(path)).status == 200, path
    await admin.close()


# -- 14. behind TLS, browsers are told to stay on HTTPS -----------------------------------
async def test_hsts_is_sent_when_the_cookie_is_secure_and_only_then(world):  # noqa: F811
    plain = await client_for(world)
    for path in ("/health", "/login"):
        assert "Strict-Transport-Security" not in (await plain.get(path)).headers
    app = make_app(world["redis"], world["prefix"], world["takeover"], secure_cookie=True)
    secure = TestClient(TestServer(app))
    await secure.start_server()
    for path in ("/health", "/login", "/queue", "/api/queue", "/static/console.css"):
        reply = await secure.get(path, allow_redirects=False)
        hsts = reply.headers.get("Strict-Transport-Security", "")
        assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= \
            180 * 86400, path
    login = await secure.get("/login")
    assert "secure" in login.headers["Set-Cookie"].lower()
    await secure.close()
    await plain.close()
