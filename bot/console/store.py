"""The console's own data in Redis: staff accounts, sessions, the audit log.

``{p}:console:user:{login}``
    A hash: ``name``, ``role`` (``listener``, ``social_worker``, ``admin``),
    ``password`` (an argon2id hash, never the password), ``created_ts``,
    ``epoch`` (raised by a password reset or a disable: older sessions are
    void) and ``disabled`` ("1": no log-in, no session).
``{p}:console:users``
    The set of logins.
``{p}:console:session:{token}``
    A hash: ``login``, ``csrf``, ``epoch`` (the account's at log-in),
    ``created_ts``; expires after ``CONSOLE_SESSION_HOURS`` of inactivity. Made
    at log-in only (a new token each time).
``{p}:console:sessions:{login}``
    The set of an account's session tokens (a reset or a disable ends them all).
``{p}:console:failures:{login}``
    Log-in attempts since the last success (counted before the password is
    checked, so that a burst of attempts cannot outrun it); more than five
    lock the login for 15 minutes after the last attempt.
``{p}:audit``
    A stream: who (login, role), did what (action), to what (a case id or a
    person's reference), when. Never a message's text or a full phone number.
``{p}:console:ref:{ref}``
    A person's opaque reference (URLs and the audit log never carry numbers).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.core.keys import ConsoleKeys
from bot.people import refs

ROLES = ("listener", "social_worker", "admin")
RANK = {role: index for index, role in enumerate(ROLES)}
LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 10
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
AUDIT_MAXLEN = 200_000
# argon2 takes a fraction of a second and much memory: at most this many at once,
# in threads (the event loop keeps serving /health and the queue meanwhile).
HASH_WORKERS = 2
# Log-ins in progress at once (checked or waiting for the pool); beyond, the
# attempt is refused at once (LoginBusy: 503), before it is counted or kept.
MAX_WAITING = 32

_hasher = PasswordHasher()  # argon2id with the library's current defaults
_dummy_hash: Optional[str] = None  # checked for unknown logins (same cost, same time)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else ("" if value is None else str(value))


def _hash(raw: Dict[Any, Any]) -> Dict[str, str]:
    return {_s(k): _s(v) for k, v in raw.items()}


@dataclass(frozen=True)
class User:
    """A member of staff, as the console knows them."""

    login: str
    name: str
    role: str
    disabled: bool = False

    def can(self, role: str) -> bool:
        """Whether this user has at least ``role``."""
        return RANK.get(self.role, -1) >= RANK[role]

    @property
    def first_name(self) -> str:
        """What the person is told ("Ana, de l'équipe Lien…")."""
        return (self.name or self.login).split(" ")[0]


class LoginBusy(RuntimeError):
    """Too many log-ins at once: try again in a moment."""


class UserError(ValueError):
    """A user could not be created: the message says why (operator wording key)."""


def _user(login: str, data: Dict[str, str], include_disabled: bool = False
          ) -> Optional[User]:
    """An account from its hash (None when there is none, or it is disabled)."""
    disabled = data.get("disabled") == "1"
    if not data.get("role") or (disabled and not include_disabled):
        return None
    return User(login, data.get("name", login), data["role"], disabled)


def _check(stored: str, password: str) -> bool:
    """argon2's verdict (run in a thread)."""
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


class ConsoleStore:
    """Users, sessions, references and the audit log, on one Redis client."""

    def __init__(self, redis: Any, prefix: str, session_hours: float = 12) -> None:
        self.redis = redis
        self.prefix = prefix
        self.session_seconds = int(session_hours * 3600)
        self._hash_slots: Optional[asyncio.Semaphore] = None
        self._logins = 0  # in progress in this process

    async def _in_pool(self, work: Any, *args: Any) -> Any:
        """Run argon2 in a thread, at most HASH_WORKERS at once."""
        if self._hash_slots is None:
            self._hash_slots = asyncio.Semaphore(HASH_WORKERS)
        async with self._hash_slots:
            return await asyncio.get_running_loop().run_in_executor(None, work, *args)

    # -- keys ----------------------------------------------------------------------
    def _user(self, login: str) -> str:
        return ConsoleKeys(self.prefix).user(login)

    def _session(self, token: str) -> str:
        return ConsoleKeys(self.prefix).session(token)

    @property
    def audit_key(self) -> str:
        """The audit stream."""
        return ConsoleKeys(self.prefix).audit

    # -- users ---------------------------------------------------------------------
    async def add_user(self, login: str, name: str, role: str, password: str,
                       replace: bool = False) -> User:
        """Create (or, with ``replace``, reset) an account."""
        login = login.strip().lower()
        if not LOGIN_RE.match(login):
            raise UserError("users.bad_login")
        if role not in ROLES:
            raise UserError("users.bad_role")
        if len(password) < MIN_PASSWORD:
            raise UserError("users.short_password")
        if not replace and await self.redis.exists(self._user(login)):
            raise UserError("users.exists")
        password_hash = await self._in_pool(_hasher.hash, password)
        await self.redis.hset(self._user(login), mapping={
            "name": name.strip()[:80] or login, "role": role,
            "password": password_hash, "created_ts": f"{time.time():.0f}"})
        await self.redis.sadd(ConsoleKeys(self.prefix).users, login)
        if replace:  # a reset: the account opens again, every older session ends
            await self.redis.hdel(self._user(login), "disabled")
            await self.end_sessions(login)
        return User(login, name.strip()[:80] or login, role)

    async def disable_user(self, login: str) -> bool:
        """Close an account: no more log-in, and every session ends (False: unknown)."""
        login = login.strip().lower()
        if not await self.redis.hexists(self._user(login), "role"):
            return False
        await self.redis.hset(self._user(login), "disabled", "1")
        await self.end_sessions(login)
        return True

    async def user(self, login: str, include_disabled: bool = False) -> Optional[User]:
        """The account, or None (also when disabled, unless ``include_disabled``)."""
        return _user(login, _hash(await self.redis.hgetall(self._user(login))),
                     include_disabled)

    async def users(self, include_disabled: bool = False) -> List[User]:
        """Every account, by login (the open ones, unless ``include_disabled``)."""
        logins = sorted(_s(x) for x in await self.redis.smembers(ConsoleKeys(self.prefix).users))
        found = [await self.user(x, include_disabled) for x in logins]
        return [u for u in found if u]

    async def authenticate(self, login: str, password: str) -> Optional[User]:
        """The user if the password is right and the login not locked."""
        return (await self.attempt(login, password))[0]

    async def attempt(self, login: str, password: str) -> Tuple[Optional[User], int]:
        """A log-in attempt: the user (or None) and the login's attempts so far.

        The attempt is counted first (INCR, atomic): of any burst, only the
        first MAX_FAILURES are checked. An unknown login is checked against a
        dummy hash, so that the answer takes as long as for a real account.
        More than MAX_WAITING attempts at once: LoginBusy, nothing counted.
        """
        if self._logins >= MAX_WAITING:
            raise LoginBusy()
        self._logins += 1
        try:
            return await self._attempt(login, password)
        finally:
            self._logins -= 1

    async def _attempt(self, login: str, password: str) -> Tuple[Optional[User], int]:
        login = (login or "").strip().lower()[:40]
        failures_key = ConsoleKeys(self.prefix).failures(login)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(failures_key)
            pipe.expire(failures_key, LOCK_SECONDS)
            attempts, _ = await pipe.execute()
        attempts = int(attempts)
        if attempts > MAX_FAILURES:
            return None, attempts
        data = _hash(await self.redis.hgetall(self._user(login)))
        stored = data.get("password", "")
        ok = await self._in_pool(_check, stored or await self.dummy_hash(), password or "")
        if not (ok and stored) or data.get("disabled") == "1":
            return None, attempts
        await self.redis.delete(failures_key)
        if _hasher.check_needs_rehash(stored):
            await self.redis.hset(self._user(login), "password",
                                  await self._in_pool(_hasher.hash, password))
        return await self.user(login), attempts

    async def dummy_hash(self) -> str:
        """The hash unknown logins are checked against (made once per process)."""
        global _dummy_hash
        if _dummy_hash is None:
            _dummy_hash = await self._in_pool(_hasher.hash, secrets.token_urlsafe(16))
        return _dummy_hash

    # -- sessions ------------------------------------------------------------------
    def _sessions(self, login: str) -> str:
        return ConsoleKeys(self.prefix).sessions(login)

    async def new_session(self, login: str) -> Dict[str, str]:
        """A fresh session of a signed-in user, with its CSRF token (made at log-in
        only: nothing is kept for anonymous visitors).
        """
        if not login:
            raise ValueError("a session belongs to a signed-in user")
        token = secrets.token_urlsafe(32)
        epoch = _s(await self.redis.hget(self._user(login), "epoch")) or "0"
        session = {"token": token, "login": login, "csrf": secrets.token_urlsafe(32),
                   "epoch": epoch, "created_ts": f"{time.time():.0f}"}
        key = self._session(token)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={k: v for k, v in session.items() if k != "token"})
            pipe.expire(key, self.session_seconds)
            pipe.sadd(self._sessions(login), token)
            pipe.expire(self._sessions(login), self.session_seconds)
            await pipe.execute()
        return session

    async def session(self, token: str) -> Optional[Dict[str, str]]:
        """The session of a cookie (and its idle timer restarted), or None."""
        if not token or len(token) > 100:
            return None
        key = self._session(token)
        data = _hash(await self.redis.hgetall(key))
        if not data.get("login"):
            return None  # none (or an anonymous one an older version made: it expires)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.expire(key, self.session_seconds)
            pipe.expire(self._sessions(data["login"]), self.session_seconds)
            await pipe.execute()
        return dict(data, token=token)

    async def session_user(self, session: Optional[Dict[str, str]]) -> Optional[User]:
        """The session's user, unless the account was disabled or its password reset
        since the log-in (the session is then ended).
        """
        if not session or not session.get("login"):
            return None
        login = session["login"]
        data = _hash(await self.redis.hgetall(self._user(login)))
        user = _user(login, data)
        if user is None or session.get("epoch", "0") != (data.get("epoch") or "0"):
            await self.end_session(session["token"], login)
            return None
        return user

    async def end_session(self, token: str, login: str = "") -> None:
        """Log out."""
        await self.redis.delete(self._session(token))
        if login:
            await self.redis.srem(self._sessions(login), token)

    async def end_sessions(self, login: str) -> int:
        """End every session of an account (a reset, a disable); how many there were."""
        await self.redis.hincrby(self._user(login), "epoch", 1)
        tokens = [_s(t) for t in await self.redis.smembers(self._sessions(login))]
        if tokens:
            await self.redis.delete(*[self._session(t) for t in tokens])
        await self.redis.delete(self._sessions(login))
        return len(tokens)

    # -- references ----------------------------------------------------------------
    async def _secret(self) -> bytes:
        """The installation's secret, read once (bot.people.refs)."""
        if getattr(self, "_key", None) is None:
            self._key = await refs.installation_secret(self.redis, self.prefix)
        return self._key

    async def secret(self, purpose: bytes) -> bytes:
        """A key for one purpose (e.g. the log-in form), derived from the installation's."""
        return hmac.new(await self._secret(), b"lien-console:" + purpose,
                        hashlib.sha256).digest()

    async def ref(self, person_id: str) -> str:
        """A person's opaque, stable reference (a keyed hash: no number can be guessed)."""
        return refs.reference(await self._secret(), person_id)

    async def remember(self, person_id: str) -> str:
        """The reference, recorded so that it can be turned back into the id."""
        return (await self.remember_all([person_id]))[0]

    async def remember_all(self, person_ids: List[str]) -> List[str]:
        """References of many people, recorded in one round trip."""
        return await refs.remember_all(self.redis, self.prefix, await self._secret(),
                                       person_ids)

    async def person_of(self, ref: str) -> str:
        """The person id of a reference ('' when unknown)."""
        return await refs.person_of(self.redis, self.prefix, ref)

    # -- audit ---------------------------------------------------------------------
    async def audit(self, user: Optional[User], action: str, target: str = "",
                    detail: str = "") -> None:
        """Record who did what to what (no message text, no phone number)."""
        await self.redis.xadd(self.audit_key, {
            "ts": f"{time.time():.3f}", "login": user.login if user else "",
            "role": user.role if user else "", "action": action,
            "target": target[:80], "detail": detail[:200]},
            maxlen=AUDIT_MAXLEN, approximate=True)

    async def audit_log(self, limit: int = 200, before: str = "+") -> List[Dict[str, str]]:
        """The newest entries first."""
        entries = await self.redis.xrevrange(self.audit_key, max=before, count=limit)
        return [dict(_hash(fields), id=_s(entry_id)) for entry_id, fields in entries]
