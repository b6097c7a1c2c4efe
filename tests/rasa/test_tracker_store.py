"""SessionRedisTrackerStore against the real Redis."""

from __future__ import annotations

import json
import uuid

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa.tracker_store import SessionRedisTrackerStore
from tests.support.settings import TEST_REDIS_URL


@pytest.fixture
def store(domain, prefix):
    """A store on the test Redis, under the test prefix."""
    return SessionRedisTrackerStore(domain=domain, url=TEST_REDIS_URL, key_prefix=prefix)


def _user(text, intent="greet", ts=None, **parse):
    parse_data = {"text": text, "intent": {"name": intent, "confidence": 0.9}}
    parse_data.update(parse)
    return UserUttered(
        text, parse_data["intent"], parse_data=parse_data, timestamp=ts,
        input_channel="rest", message_id=uuid.uuid4().hex,
    )


def _session(t0, n_exchanges=1):
    events = [
        ActionExecuted("action_session_start", timestamp=t0),
        SessionStarted(timestamp=t0 + 0.001),
        ActionExecuted("action_listen", timestamp=t0 + 0.002),
    ]
    for i in range(n_exchanges):
        events += [
            _user(f"bonjour {i}", ts=t0 + 1 + i),
            ActionExecuted("utter_greet", timestamp=t0 + 1.1 + i),
            BotUttered("Bonjour !", timestamp=t0 + 1.2 + i),
            ActionExecuted("action_listen", timestamp=t0 + 1.3 + i),
        ]
    return events


async def _converse(store, sender, sessions, t0=1_700_000_000.0):
    """Save a conversation the way Rasa does: load, append, save, per session."""
    for s in range(sessions):
        tracker = await store.retrieve(sender) if s else store.init_tracker(sender)
        for event in _session(t0 + s * 86400):
            tracker.update(event)
        await store.save(tracker)
    return await store.retrieve(sender)


async def test_new_conversation_round_trip(store):
    sender = f"t:{uuid.uuid4().hex}"
    assert await store.retrieve(sender) is None
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(_user("salut"))
    await store.save(tracker)
    loaded = await store.retrieve(sender)
    assert [e.as_dict()["event"] for e in loaded.events] == ["action", "user"]
    assert loaded.latest_message.text == "salut"
    assert await store.exists(sender)
    assert sender in await store.keys()


async def test_only_the_current_session_is_loaded(store):
    sender = f"t:{uuid.uuid4().hex}"
    current = await _converse(store, sender, sessions=5)
    session_starts = [e for e in current.events if isinstance(e, SessionStarted)]
    assert len(session_starts) == 1
    assert current.events[0] == session_starts[0]
    full = await store.retrieve_full_tracker(sender)
    assert len([e for e in full.events if isinstance(e, SessionStarted)]) == 5
    texts = [e.text for e in full.events if isinstance(e, UserUttered)]
    assert texts == ["bonjour 0"] * 5


async def test_saving_appends_without_rewriting(store, sync_redis, prefix):
    sender = f"t:{uuid.uuid4().hex}"
    tracker = await _converse(store, sender, sessions=3)
    cur_key = f"{prefix}:trk:{sender}:cur"
    before = sync_redis.lrange(cur_key, 0, -1)
    tracker.update(_user("encore moi", ts=1_800_000_000.0))
    await store.save(tracker)
    after = sync_redis.lrange(cur_key, 0, -1)
    assert after[: len(before)] == before
    assert json.loads(after[-1])["text"] == "encore moi"
    # Saving the same tracker again writes nothing more.
    await store.save(tracker)
    assert sync_redis.llen(cur_key) == len(after)


async def test_saving_a_full_tracker_appends_to_the_current_session(store):
    sender = f"t:{uuid.uuid4().hex}"
    await _converse(store, sender, sessions=3)
    full = await store.retrieve_full_tracker(sender)
    full.update(SlotSet("register", "tu", timestamp=1_800_000_000.0))
    await store.save(full)
    current = await store.retrieve(sender)
    assert current.get_slot("register") == "tu"
    refreshed_full = await store.retrieve_full_tracker(sender)
    assert len(refreshed_full.events) == len(full.events)


async def test_replaced_history_is_rewritten(store, domain):
    sender = f"t:{uuid.uuid4().hex}"
    await _converse(store, sender, sessions=2)
    replacement = DialogueStateTracker.from_events(
        sender, _session(1_900_000_000.0), domain.slots
    )
    await store.save(replacement)
    full = await store.retrieve_full_tracker(sender)
    assert [e.as_dict() for e in full.events] == [
        e.as_dict() for e in replacement.events
    ]


async def test_erase_and_purge(store, sync_redis, prefix):
    sender = f"t:{uuid.uuid4().hex}"
    t0 = 1_700_000_000.0
    await _converse(store, sender, sessions=4, t0=t0)
    removed = await store.purge_archive_before(sender, t0 + 2 * 86400)
    assert removed > 0
    full = await store.retrieve_full_tracker(sender)
    assert min(e.timestamp for e in full.events) >= t0 + 2 * 86400
    assert (await store.retrieve(sender)) is not None
    await store.erase(sender)
    assert await store.retrieve(sender) is None
    assert sender not in await store.keys()
    assert not list(sync_redis.scan_iter(match=f"{prefix}:trk:{sender}:*"))


async def test_a_risk_message_saved_is_escalated_once(store, sync_redis, prefix):
    sender = f"t:{uuid.uuid4().hex}"
    tracker = await store.get_or_create_tracker(sender)
    risky = _user(
        "jveux en finir", intent="risk_suicide",
        entities=[{"entity": "risk_level", "value": "critical", "source": "lexicon",
                   "pattern": "suicide_en_finir"}],
    )
    tracker.update(risky)
    await store.save(tracker)
    await store.save(tracker)
    ids = sync_redis.zrange(f"{prefix}:person:{sender}:escalations", 0, -1)
    assert len(ids) == 1
    record = sync_redis.hgetall(f"{prefix}:escalation:{ids[0]}")
    assert record["category"] == "suicide"
    assert record["level"] == "critical"
    assert record["recorded_by"] == "tracker_store"
    assert record["text"] == "jveux en finir"
    assert record["message_id"] == risky.message_id
