"""Redis tracker and lock stores that stay fast over months of conversation.

Rasa's ``RedisTrackerStore`` keeps one JSON value per conversation and reads and
rewrites it whole at every message, so a person with ten months of check-ins
waits seconds for each reply. This store keeps, per conversation:

``{prefix}:trk:{sender_id}:cur``
    A list of the current session's events (from its ``session_started`` on):
    all the dialogue needs, read at every message.
``{prefix}:trk:{sender_id}:arc``
    A list of the events of every past session, in order: archived, read only
    for the full history (``retrieve_full_tracker``), purgeable by date.
``{prefix}:trk:{sender_id}:meta``
    A hash: ``cur_first_ts`` and ``arc_first_ts`` (timestamps of the first event
    of each list, to tell which view of the history a saved tracker holds),
    ``last_ts``.
``{prefix}:trk:index``
    A sorted set of conversation ids scored by their last event, for ``keys()``
    without ``KEYS`` and for the retention purge.

Saving appends only the new events; a new session moves the current list to the
archive once. A risk message found among the new events is also recorded as an
escalation here, in the Rasa process, so that no dialogue state (a form, a
fallback, a paused conversation during a human takeover) and no failing action
server can lose it.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, Iterable, List, Optional, Text

import redis.asyncio as aioredis
from rasa.core.lock_store import RedisLockStore
from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.core.config import load_settings
from bot.checkins.answers import note_answer
from bot.safety.escalation import escalation_for_message, escalation_from_context, record_or_spool
from bot.people.registry import Keys
from bot.core.keys import TrackerKeys, lock_prefix

logger = logging.getLogger(__name__)

# Appends new events if the lists still have the lengths the caller read; when a
# session started, moves the current list to the archive first. Atomic.
_SAVE_SCRIPT = """
local cur, arc, meta, index = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local expected_cur, expected_arc = tonumber(ARGV[1]), tonumber(ARGV[2])
if redis.call('LLEN', cur) ~= expected_cur or redis.call('LLEN', arc) ~= expected_arc then
  return 0
end
local n_before, n_after = tonumber(ARGV[3]), tonumber(ARGV[4])
local sender, last_ts, new_cur_ts = ARGV[5], ARGV[6], ARGV[7]
local i = 8
for _ = 1, n_before do
  redis.call('RPUSH', cur, ARGV[i]); i = i + 1
end
if n_after > 0 then
  if redis.call('HEXISTS', meta, 'arc_first_ts') == 0 then
    local first = redis.call('HGET', meta, 'cur_first_ts')
    if first then redis.call('HSET', meta, 'arc_first_ts', first) end
  end
  while redis.call('LMOVE', cur, arc, 'LEFT', 'RIGHT') do end
  for _ = 1, n_after do
    redis.call('RPUSH', cur, ARGV[i]); i = i + 1
  end
  redis.call('HSET', meta, 'cur_first_ts', new_cur_ts)
elseif redis.call('HEXISTS', meta, 'cur_first_ts') == 0 then
  redis.call('HSET', meta, 'cur_first_ts', new_cur_ts)
end
redis.call('HSET', meta, 'last_ts', last_ts)
redis.call('ZADD', index, tonumber(last_ts), sender)
return 1
"""


def _ts(value: Any) -> str:
    return repr(float(value))


class SessionRedisTrackerStore(TrackerStore, SerializedTrackerAsText):
    """A tracker store on Redis that reads only the current session."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        url: Optional[Text] = None,
        key_prefix: Optional[Text] = None,
        event_broker: Optional[Any] = None,
        record_escalations: bool = True,
        **kwargs: Any,
    ) -> None:
        """Connect to Redis at ``url`` (or ``host``, or the ``REDIS_URL``)."""
        super().__init__(domain, event_broker, **kwargs)
        settings = load_settings()
        self.url = url or host or settings.redis_url or "redis://127.0.0.1:6379/0"
        self.prefix = key_prefix or settings.key_prefix
        self.record_escalations = record_escalations
        self.spool_path = settings.var_dir / "spool" / "escalations.jsonl"
        self.redis = aioredis.from_url(self.url)

    def _keys(self, sender_id: Text) -> List[str]:
        return [*TrackerKeys(self.prefix).parts(sender_id), self.index_key]

    @property
    def index_key(self) -> str:
        """The sorted set of every conversation id."""
        return TrackerKeys(self.prefix).index

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the tracker's new events (retrying if another writer raced)."""
        if self.event_broker:
            await self.stream_events(tracker)
        for _ in range(5):
            new_events = await self._try_save(tracker)
            if new_events is not None:
                await self._escalate_new_risks(tracker, new_events)
                await self._note_answers(tracker, new_events)
                return
        raise RuntimeError("tracker changed under us five times in a row")

    async def _try_save(self, tracker: DialogueStateTracker) -> Optional[List[Event]]:
        cur, arc, meta, index = self._keys(tracker.sender_id)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.llen(cur).llen(arc).hmget(meta, "cur_first_ts", "arc_first_ts")
            n_cur, n_arc, (cur_first, arc_first) = await pipe.execute()
        events = list(tracker.events)
        if not events:
            return []
        first_ts = _ts(events[0].timestamp)
        if n_cur == 0 and n_arc == 0:
            already = 0
        elif cur_first is not None and first_ts == cur_first.decode():
            already = n_cur
        elif arc_first is not None and first_ts == arc_first.decode():
            already = n_arc + n_cur
        else:
            await self._replace(tracker, events)
            return events
        new_events = events[already:]
        if not new_events:
            return []
        starts = [i for i, e in enumerate(new_events) if isinstance(e, SessionStarted)]
        split = starts[-1] if starts else len(new_events)
        before, after = new_events[:split], new_events[split:]
        new_cur_ts = _ts(after[0].timestamp if after else events[0].timestamp)
        if not starts and n_cur == 0:
            new_cur_ts = _ts(new_events[0].timestamp)
        payload = [json.dumps(e.as_dict()) for e in before + after]
        done = await self.redis.eval(
            _SAVE_SCRIPT,
            4,
            cur,
            arc,
            meta,
            index,
            n_cur,
            n_arc,
            len(before),
            len(after),
            tracker.sender_id,
            _ts(new_events[-1].timestamp),
            new_cur_ts,
            *payload,
        )
        return new_events if done else None

    async def _replace(self, tracker: DialogueStateTracker, events: List[Event]) -> None:
        """Rewrite a conversation whose history was replaced (tracker/events PUT)."""
        cur, arc, meta, index = self._keys(tracker.sender_id)
        starts = [i for i, e in enumerate(events) if isinstance(e, SessionStarted)]
        split = starts[-1] if starts else 0
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(cur, arc, meta)
            if events[:split]:
                pipe.rpush(arc, *[json.dumps(e.as_dict()) for e in events[:split]])
                pipe.hset(meta, "arc_first_ts", _ts(events[0].timestamp))
            pipe.rpush(cur, *[json.dumps(e.as_dict()) for e in events[split:]])
            pipe.hset(meta, "cur_first_ts", _ts(events[split].timestamp))
            pipe.hset(meta, "last_ts", _ts(events[-1].timestamp))
            pipe.zadd(index, {tracker.sender_id: float(events[-1].timestamp)})
            await pipe.execute()

    async def _escalate_new_risks(
        self, tracker: DialogueStateTracker, new_events: List[Event]
    ) -> None:
        if not self.record_escalations:
            return
        latest: Optional[UserUttered] = None
        for event in tracker.events:
            if isinstance(event, UserUttered):
                latest = event
        context = next((str(e.value) for e in new_events if isinstance(e, SlotSet)
                        and e.key == "risk_context" and e.value), None)
        if context and latest is not None:
            # A risk read from context by the RiskPolicy (see bot/rasa/policy.py): it
            # is the latest message's record (same idempotency key).
            from_context = escalation_from_context(
                tracker.sender_id, context, latest.parse_data, latest.input_channel,
                latest.message_id, recorded_by="tracker_store",
                created_ts=latest.timestamp)
            if from_context is not None:
                await record_or_spool(self.redis, from_context, self.prefix,
                                      self.spool_path)
        for event in new_events:
            if not isinstance(event, UserUttered):
                continue
            if context and event is latest:
                continue
            escalation = escalation_for_message(
                tracker.sender_id,
                event.parse_data,
                event.input_channel,
                event.message_id,
                recorded_by="tracker_store",
                created_ts=event.timestamp,
            )
            if escalation is not None:
                await record_or_spool(
                    self.redis, escalation, self.prefix, self.spool_path
                )

    async def _note_answers(
        self, tracker: DialogueStateTracker, new_events: List[Event]
    ) -> None:
        """Check-ins: an answer clears missed ones and gives the day's mood."""
        keys = Keys(self.prefix)
        try:
            for event in new_events:
                if isinstance(event, UserUttered):
                    await note_answer(self.redis, self.prefix, tracker.sender_id,
                                      (event.intent or {}).get("name"), event.timestamp)
                elif isinstance(event, BotUttered) and (event.metadata or {}).get(
                    "checkin_unrecorded"
                ):
                    await self.redis.delete(keys.unrecorded(tracker.sender_id))
        except Exception:  # noqa: BLE001 - the conversation is saved; log and go on
            logger.exception("check-in bookkeeping failed for a message")

    async def _add_unrecorded_checkin(
        self, sender_id: Text, events: Optional[List[Dict]]
    ) -> Optional[List[Dict]]:
        """A check-in the worker sent directly joins the conversation here."""
        raw = await self.redis.get(Keys(self.prefix).unrecorded(sender_id))
        if not raw:
            return events
        try:
            record = json.loads(raw)
            ts = float(record["ts"])
            intent = str(record["intent"])
            text = str(record["text"])
        except (ValueError, KeyError, TypeError):
            return events
        added: List[Event] = []
        if not events:
            events = []
            added += [ActionExecuted("action_session_start", timestamp=ts - 0.003),
                      SessionStarted(timestamp=ts - 0.002),
                      ActionExecuted("action_listen", timestamp=ts - 0.001)]
        elif float(events[-1].get("timestamp", 0)) > ts:
            ts = float(events[-1]["timestamp"]) + 0.001
        added += [
            UserUttered.create_external(intent, []),
            ActionExecuted("action_checkin"),
            BotUttered(text, metadata={"checkin_unrecorded": True}),
            ActionExecuted("action_listen"),
        ]
        for offset, event in enumerate(added[-4:]):
            event.timestamp = ts + offset * 0.001
        return events + [e.as_dict() for e in added]

    async def _load(self, sender_id: Text, full: bool) -> Optional[List[Dict]]:
        cur, arc, _, _ = self._keys(sender_id)
        if full:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.lrange(arc, 0, -1).lrange(cur, 0, -1)
                archived, current = await pipe.execute()
            raw = archived + current
        else:
            raw = await self.redis.lrange(cur, 0, -1)
        if not raw:
            return None
        return [json.loads(item) for item in raw]

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """Read the current session only."""
        events = await self._add_unrecorded_checkin(
            sender_id, await self._load(sender_id, full=False)
        )
        if not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def retrieve_full_tracker(
        self, conversation_id: Text
    ) -> Optional[DialogueStateTracker]:
        """Read every session, archived ones included."""
        events = await self._load(conversation_id, full=True)
        if events is None:
            return None
        return DialogueStateTracker.from_dict(
            conversation_id, events, self.domain.slots
        )

    async def exists(self, conversation_id: Text) -> bool:
        """Tell whether a conversation has any event stored."""
        cur, arc, _, _ = self._keys(conversation_id)
        return bool(await self.redis.exists(cur, arc))

    async def keys(self) -> Iterable[Text]:
        """Every conversation id, oldest activity first."""
        return [k.decode() for k in await self.redis.zrange(self.index_key, 0, -1)]

    async def erase(self, sender_id: Text) -> None:
        """Delete a conversation's whole history (GDPR erasure)."""
        cur, arc, meta, index = self._keys(sender_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(cur, arc, meta).zrem(index, sender_id)
            await pipe.execute()

    async def purge_archive_before(self, sender_id: Text, before_ts: float) -> int:
        """Drop archived events older than ``before_ts``; return how many."""
        _, arc, meta, _ = self._keys(sender_id)
        archived = await self.redis.lrange(arc, 0, -1)
        keep_from = len(archived)
        for position, item in enumerate(archived):
            if json.loads(item).get("timestamp", 0) >= before_ts:
                keep_from = position
                break
        if keep_from == 0:
            return 0
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.ltrim(arc, keep_from, -1)
            if keep_from < len(archived):
                first = json.loads(archived[keep_from])["timestamp"]
                pipe.hset(meta, "arc_first_ts", _ts(first))
            else:
                pipe.hdel(meta, "arc_first_ts")
            await pipe.execute()
        return keep_from

    async def last_activity(self, sender_id: Text) -> Optional[float]:
        """When the conversation last had an event."""
        score = await self.redis.zscore(self.index_key, sender_id)
        return None if score is None else float(score)


class RedisUrlLockStore(RedisLockStore):
    """Rasa's Redis lock store, configured by URL (so unix sockets work too)."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None) -> None:
        """Connect to the lock store's ``url`` (or ``REDIS_URL``)."""
        import redis as syncredis

        settings = load_settings()
        config = endpoint_config.kwargs if endpoint_config else {}
        url = (endpoint_config.url if endpoint_config else None) or settings.redis_url
        self.red = syncredis.StrictRedis.from_url(
            url or "redis://127.0.0.1:6379/0", socket_timeout=10
        )
        self.key_prefix = lock_prefix(config.get('key_prefix') or settings.key_prefix)
        super(RedisLockStore, self).__init__()

    def _set_key_prefix(self, key_prefix: Optional[Text]) -> None:
        self.key_prefix = lock_prefix(key_prefix)

