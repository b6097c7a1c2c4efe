"""The listener console's security review: each finding, as the behaviour it now has.

Same in-process console on the real Redis as tests/test_console.py (its fixtures
are reused); nothing here depends on how long anything takes.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, List

import pytest
from argon2 import PasswordHasher

from bot.console import store as store_mod
from bot.console.store import MAX_FAILURES, ConsoleStore
from tests.test_console import PASSWORD, world  # noqa: F401 - the shared fixture


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
async def test_forty_wrong_passwords_at_once_are_not_forty_checks(world, spy):  # noqa: F811
    store: ConsoleStore = world["store"]
    attempts = [store.authenticate("ana", f"wrong password {n}") for n in range(40)]
    results = await asyncio.gather(*attempts, store.authenticate("ana", PASSWORD))
    assert results == [None] * 41  # the right password, sent in the burst, stays out
    assert spy.checked == MAX_FAILURES  # the count is taken before each check
    assert await store.authenticate("ana", PASSWORD) is None  # locked
    assert spy.checked == MAX_FAILURES


async def test_passwords_are_checked_in_a_bounded_pool_not_on_the_event_loop(world, spy):  # noqa: F811
    store: ConsoleStore = world["store"]
    loop_thread = threading.get_ident()
    logins = ["ana", "sam", "ada", "leo"] * 2
    results = await asyncio.gather(*[store.authenticate(login, PASSWORD) for login in logins])
    assert [u.login for u in results] == logins
    assert spy.threads and loop_thread not in spy.threads
    assert 1 <= spy.peak <= store_mod.HASH_WORKERS


async def test_an_unknown_login_costs_one_check_like_a_real_one(world, spy):  # noqa: F811
    store: ConsoleStore = world["store"]
    assert await store.authenticate("nobody-here", "some password 1") is None
    assert spy.checked == 1
    assert await store.authenticate("ana", "some password 1") is None
    assert spy.checked == 2
