"""What a person's message tells the check-ins: they answered, and how they are.

Called by the tracker store for every message a person writes (in the Rasa
process, so it works on every channel and even when the action server is down):

- a first message from an unknown address enrols them as ``pending`` (nothing is
  scheduled before a clear yes);
- any answer clears the missed check-ins and an open ``no_news`` case, ends the
  ladder after a silence (``bot/checkins/ladder.py``) and is the last sign of life;
- the intent gives the day's mood (``good``, ``bad`` or ``need``), kept per local
  day in ``{p}:mood:{id}`` (the worst of the day wins), so the social worker sees
  a trend.
"""

from __future__ import annotations

from typing import Any, Optional

from bot.people.registry import DEFAULT_TZ, Keys, enrol_self, local_date
from bot.checkins import ladder
from bot.checkins.missed import clear_no_news
from bot.core.keys import LadderKeys

MOOD_OF_INTENT = {
    "mood_good": "good", "thank": "good", "share_day": "good",
    "mood_bad": "bad", "feel_lonely": "bad", "feel_anxious": "bad", "feel_sad": "bad",
    "sleep_trouble": "bad", "feel_bored": "bad", "health_minor": "bad",
    "risk_suicide": "bad", "risk_violence": "bad", "risk_child": "bad",
    "risk_medical": "bad",
    "need_food": "need", "need_medication": "need", "need_money": "need",
    "need_scam": "need", "request_human": "need",
}
SEVERITY = {"good": 0, "need": 1, "bad": 2}
# Senders that are not people (tests of the REST channel still count).
NOT_PEOPLE = ("staff:",)


def mood_of(intent: Optional[str]) -> Optional[str]:
    """The mood an intent shows, if any."""
    return MOOD_OF_INTENT.get(intent or "")


async def note_answer(redis: Any, prefix: str, person_id: str, intent: Optional[str],
                      ts: float) -> None:
    """Record that the person wrote (see the module docstring)."""
    if person_id.startswith(NOT_PEOPLE) or (intent or "").startswith("EXTERNAL_"):
        return
    keys = Keys(prefix)
    await enrol_self(redis, prefix, person_id, ts)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zscore(keys.awaiting, person_id)
        pipe.hmget(keys.person(person_id), "missed", "no_news_id", "timezone")
        pipe.hget(LadderKeys(prefix).episode(person_id), "status")
        # The last sign of life (the console shows it; the weekly word uses it).
        pipe.hset(keys.person(person_id), "last_sign_ts", f"{ts:.3f}")
        awaiting, (missed, no_news_id, tz_raw), ladder_status, _ = await pipe.execute()
    if awaiting is not None or (missed and missed not in (b"0", "0")) or no_news_id:
        await clear_no_news(redis, prefix, person_id, ts)
    if ladder_status in (b"open", b"escalated", "open", "escalated"):
        # The ladder after a silence ends; everyone who was asked is thanked.
        await ladder.person_answered(redis, prefix, person_id, ts)
    mood = mood_of(intent)
    if mood is None:
        return
    tz_name = tz_raw.decode() if isinstance(tz_raw, bytes) else (tz_raw or DEFAULT_TZ)
    day = local_date(ts, tz_name).isoformat()
    mood_key = keys.mood(person_id)
    current = await redis.hget(mood_key, day)
    current = current.decode() if isinstance(current, bytes) else current
    if current is None or SEVERITY[mood] > SEVERITY.get(current, -1):
        await redis.hset(mood_key, day, mood)
        await redis.hset(keys.person(person_id), "mood_days", "1")

