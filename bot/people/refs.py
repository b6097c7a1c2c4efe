"""Opaque references: what the console shows instead of a phone number.

A reference is a keyed hash of the person id (the key is the installation's
secret, made once and kept in Redis), so no number can be guessed from it; a
reference the console has shown is recorded so that it can be turned back into
the id, and it is erased with the person.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import List

from bot.core.keys import Keys
from bot.core.ports import RedisClient
from bot.core.redisx import s

_REF_RE = re.compile(r"[0-9a-f]{20}")


async def installation_secret(redis: RedisClient, prefix: str) -> bytes:
    """The installation's secret, made on first use."""
    key = Keys(prefix).installation_secret
    await redis.set(key, secrets.token_hex(32), nx=True)
    return s(await redis.get(key)).encode()


def reference(secret: bytes, person_id: str) -> str:
    """A person's opaque, stable reference under ``secret``."""
    return hmac.new(secret, person_id.encode(), hashlib.sha256).hexdigest()[:20]


async def remember_all(redis: RedisClient, prefix: str, secret: bytes,
                       person_ids: List[str]) -> List[str]:
    """References of many people, recorded in one round trip."""
    refs = [reference(secret, person_id) for person_id in person_ids]
    if refs:
        keys = Keys(prefix)
        await redis.mset({keys.console_ref(ref): person_id
                          for ref, person_id in zip(refs, person_ids)})
    return refs


async def person_of(redis: RedisClient, prefix: str, ref: str) -> str:
    """The person id of a reference ('' when unknown or malformed)."""
    if not _REF_RE.fullmatch(ref or ""):
        return ""
    return s(await redis.get(Keys(prefix).console_ref(ref)))
