"""Redis helpers every feature shares: decoding, leased queues, send-once, a pacer.

- ``s`` decodes what redis-py returns (bytes or None) to ``str``.
- ``LeasedQueue`` is the claim/complete pair of Lua scripts behind check-ins and
  alerts: a due sorted set, a leased sorted set, and two hashes (planned time,
  owner). A worker that dies leaves its lease to expire and the next claim puts
  the item back.
- ``send_once`` is the ``sending:`` then ``sent:`` idempotency key of a message.
- ``Pacer`` shares a provider's rate among all workers.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Tuple

from bot.core.ports import RedisClient

CLAIM_SCRIPT = """
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[3])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)
for _, m in ipairs(expired) do
  local due = redis.call('HGET', KEYS[3], m) or ARGV[1]
  redis.call('ZREM', KEYS[2], m)
  redis.call('HDEL', KEYS[3], m)
  redis.call('HDEL', KEYS[4], m)
  redis.call('ZADD', KEYS[1], 'NX', due, m)
end
local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit)
local out = {}
for i = 1, #items, 2 do
  local m = items[i]
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZADD', KEYS[2], ARGV[2], m)
  redis.call('HSET', KEYS[3], m, items[i + 1])
  redis.call('HSET', KEYS[4], m, ARGV[4])
  out[#out + 1] = m
  out[#out + 1] = items[i + 1]
end
return out
"""

COMPLETE_SCRIPT = """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if ARGV[3] ~= '' then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return 1
"""


def s(value: Any) -> str:
    """A Redis reply as text ('' for None)."""
    return value.decode() if isinstance(value, bytes) else ("" if value is None else str(value))


def glob_escape(text: str) -> str:
    """``text`` inside a SCAN pattern (``+`` and digits are safe; globs escaped)."""
    for char in "\\*?[]":
        text = text.replace(char, f"\\{char}")
    return text


def hash_of(raw: Dict[Any, Any]) -> Dict[str, str]:
    """A Redis hash as text."""
    return {s(k): s(v) for k, v in raw.items()}


async def pop_due(redis: RedisClient, key: str, now: float, count: int) -> AsyncIterator[str]:
    """The members of the sorted set ``key`` due by ``now`` (at most ``count``), each
    removed before it is yielded: when several workers look, each member goes to
    exactly one of them (no lease: what is taken is handled or re-added).
    """
    for raw in await redis.zrangebyscore(key, "-inf", now, start=0, num=count):
        member = s(raw)
        if await redis.zrem(key, member):
            yield member


class LeasedQueue:
    """Due items claimed with a lease, completed (and rescheduled) by their owner."""

    def __init__(self, redis: RedisClient, due: str, leased: str, lease_due: str,
                 lease_owner: str) -> None:
        self.redis = redis
        self.due, self.leased, self.lease_due, self.lease_owner = \
            due, leased, lease_due, lease_owner
        self._claim = redis.register_script(CLAIM_SCRIPT)
        self._complete = redis.register_script(COMPLETE_SCRIPT)

    async def claim(self, now: float, until: float, count: int,
                    owner: str) -> List[Tuple[str, float]]:
        """Lease up to ``count`` items due by ``now`` until ``until``."""
        flat = await self._claim(keys=[self.due, self.leased, self.lease_due,
                                       self.lease_owner],
                                 args=[now, until, count, owner])
        return [(s(flat[i]), float(flat[i + 1])) for i in range(0, len(flat), 2)]

    async def complete(self, member: str, owner: str, next_ts: Optional[float],
                       client: Any = None) -> bool:
        """Release a lease ``owner`` holds; put the item back at ``next_ts`` if any."""
        done = await self._complete(
            keys=[self.due, self.leased, self.lease_owner, self.lease_due],
            args=[member, owner, "" if next_ts is None else repr(next_ts)],
            **({"client": client} if client is not None else {}),
        )
        return bool(done)


ALREADY_SENT = None


# A "sending" mark older than this (real seconds) is a sender that died: taken over.
SENDING_STALE_SECONDS = 60.0


async def send_once(redis: RedisClient, key: str, send: Callable[[], Awaitable[Any]],
                    now: float, ttl: int) -> Any:
    """Send once under ``key``: ``sending:<ts>:<real ts>`` while it goes (taken with
    SET NX, so two workers whose leases overlapped never both send), ``sent:<ts>``
    after. Returns ``ALREADY_SENT`` (None) when it went already or is going now,
    else what ``send`` returned. A falsy result (nobody to send to) frees the key;
    an exception frees it too (nothing went: a retry sends). A mark left by a
    sender that died is taken over after ``SENDING_STALE_SECONDS``: a safety
    message may then go twice (the provider took it just before the death), never
    zero times. Check-ins use their own variant (``bot/checkins/send.py``): they
    also ask Rasa whether a dead worker's message arrived.
    """
    mark = f"sending:{now:.3f}:{time.time():.3f}"
    if not await redis.set(key, mark, nx=True, ex=ttl):
        previous = s(await redis.get(key))
        if previous.startswith("sent"):
            return ALREADY_SENT
        parts = previous.split(":")
        started = float(parts[2]) if len(parts) > 2 else 0.0
        if previous and time.time() - started < SENDING_STALE_SECONDS:
            return ALREADY_SENT  # another worker is sending it now
        await redis.set(key, mark, ex=ttl)
    try:
        result = await send()
    except BaseException:
        await redis.delete(key)
        raise
    if result:
        await redis.set(key, f"sent:{now:.3f}", ex=ttl)
    else:
        await redis.delete(key)
    return result


_PACE = """
local now = tonumber(ARGV[1])
local step = tonumber(ARGV[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nxt)
redis.call('SET', KEYS[1], tostring(slot + step), 'PX', 60000)
return tostring(slot - now)
"""


class Pacer:
    """At most ``rate`` hand-offs a second for ALL workers together (0: no limit).

    The next free slot lives in Redis (one Lua script hands slots out in order),
    so two workers on two machines share the provider's rate instead of each
    sending at it.
    """

    def __init__(self, rate: float, redis: Optional[RedisClient] = None, key: str = "") -> None:
        self.rate = rate
        self.redis = redis
        self.key = key
        self._script = redis.register_script(_PACE) if redis is not None else None
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Wait for the next slot."""
        if self.rate <= 0:
            return
        loop = asyncio.get_running_loop()
        if self._script is not None:
            delay = float(await self._script(keys=[self.key],
                                             args=[repr(time.time()), repr(1.0 / self.rate)]))
        else:
            async with self._lock:
                now = loop.time()
                slot = max(now, self._next)
                self._next = slot + 1.0 / self.rate
                delay = slot - now
        if delay > 0:
            await asyncio.sleep(delay)
