"""The words of a presence message: personal, varied, never the same within a week.

``compose`` picks the wording; ``compose_remembered`` is what the worker should
call: it reads and writes, per person, which wordings were sent in the last
7 days (``{p}:checkin:said:{person_id}``, a hash ``<kind>:<slot>:<register>:<i>``
→ the local day it was sent, 8-day TTL, erased with the person by
``bot.people.privacy``) and may replace the usual question with one about someone the
person named ("Comment va Pompon ?", ``bot.companion.memory``, at most once a day).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, Dict, List, Literal, Optional, Tuple, overload


from bot.companion import memory
from bot.core.config import PROJECT_ROOT
from bot.core.keys import said_key
from bot.core.ports import RedisClient
from bot.core.records import Person
from bot.core.wording import load

PATH = PROJECT_ROOT / "bot" / "resources" / "checkins_fr.yml"
# A wording sent on day D comes back on D + 7 at the earliest.
NO_REPEAT_DAYS = 7
SAID_TTL = (NO_REPEAT_DAYS + 1) * 24 * 3600
# After a difficult day the callback comes first, not a name.
NO_FOLLOW_UP_MOODS = ("bad", "need")


def wording() -> Dict[str, Any]:
    """The check-in wording file."""
    return load(PATH.name)


def name_part(first_name: str) -> str:
    """", Marie" or nothing."""
    first_name = (first_name or "").strip()
    return f" {first_name}" if first_name else ""


@overload
def _pick(rng: random.Random, count: int, field: str, day: date,
          said: Dict[str, str], never: Optional[int] = None,
          optional: Literal[False] = False) -> int: ...


@overload
def _pick(rng: random.Random, count: int, field: str, day: date,
          said: Dict[str, str], never: Optional[int] = None, *,
          optional: Literal[True]) -> Optional[int]: ...


def _pick(rng: random.Random, count: int, field: str, day: date,
          said: Dict[str, str], never: Optional[int] = None,
          optional: bool = False) -> Optional[int]:
    """An index not sent in the last week; else the least recently sent (or None).

    Sent today does not count: a retried check-in says the same thing.
    """
    window_start = (day - timedelta(days=NO_REPEAT_DAYS - 1)).isoformat()
    today = day.isoformat()
    last_sent: Dict[int, str] = {}
    for index in range(count):
        sent_on = said.get(f"{field}:{index}", "")
        if window_start <= sent_on < today:
            last_sent[index] = sent_on
    allowed = [i for i in range(count) if i != never] or list(range(count))
    fresh = [i for i in allowed if i not in last_sent]
    if fresh:
        return rng.choice(fresh)
    if optional:
        return None
    oldest = min(last_sent[i] for i in allowed)
    return rng.choice([i for i in allowed if last_sent[i] == oldest])


def compose(
    slot: str,
    person: Person,
    day: date,
    yesterday_mood: Optional[str],
    last_variant: Optional[int],
    seed: str = "",
    said: Optional[Dict[str, str]] = None,
    follow: Optional[memory.FollowUp] = None,
    used: Optional[List[str]] = None,
) -> Tuple[str, int]:
    """The message for one person, slot and day, and the variant chosen.

    The variant is never ``last_variant`` (yesterday's) nor one of ``said``
    (field → day, see ``said_key``) sent in the last 7 days; it is chosen
    deterministically from ``seed`` so a retried send says the same. With
    ``follow`` (a name or topic from ``bot.companion.memory``), the question asks about
    it instead. The fields of the wordings used are appended to ``used``.
    """
    words = wording()
    said = said or {}
    used = used if used is not None else []
    register = "tu" if person.get("register") == "tu" else "vous"
    variants = words[slot][register]
    rng = random.Random(f"{seed}|{slot}|{day.isoformat()}")
    field = f"v:{slot}:{register}"
    index = _pick(rng, len(variants), field, day, said, never=last_variant)
    used.append(f"{field}:{index}")
    fill = dict(name=name_part(person.get("first_name", "")),
                weekday=words["weekdays"][day.weekday()])
    text = variants[index].format(**fill)
    if follow is not None and yesterday_mood not in NO_FOLLOW_UP_MOODS:
        kind = "follow_ups" if follow.name else "follow_up_topics"
        templates = words[kind][slot][register]
        choice = _pick(rng, len(templates), f"f:{slot}:{register}", day, said)
        used.append(f"f:{slot}:{register}:{choice}")
        return templates[choice].format(who=follow.name, about=follow.about(register),
                                        **fill), index
    if yesterday_mood in words["callbacks"]:
        callbacks = words["callbacks"][yesterday_mood][register]
        field = f"c:{yesterday_mood}:{register}"
        spare = _pick(rng, len(callbacks), field, day, said, optional=True)
        if spare is not None:
            used.append(f"{field}:{spare}")
            callback = callbacks[spare]
            greeting, sep, question = text.partition("! ")
            if not sep:
                greeting, sep, question = text.partition(". ")
            if sep:
                text = f"{greeting}{sep}{callback} {question}"
            else:
                text = f"{callback} {text}"
    return text, index


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else ("" if value is None else str(value))


async def compose_remembered(
    redis: RedisClient,
    prefix: str,
    person_id: str,
    person: Person,
    slot: str,
    day: date,
    yesterday_mood: Optional[str],
    last_variant: Optional[int],
    now_ts: float,
) -> Tuple[str, int]:
    """``compose`` with the person's week of wordings and memory, both kept in Redis."""
    key = said_key(prefix, person_id)
    said = {_s(k): _s(v) for k, v in (await redis.hgetall(key)).items()}
    asker = f"checkin:{slot}:{day.isoformat()}"
    follow = None
    if yesterday_mood not in NO_FOLLOW_UP_MOODS:
        follow = await memory.follow_up(redis, prefix, person_id, now_ts, asker=asker)
    used: List[str] = []
    text, index = compose(slot, person, day, yesterday_mood, last_variant,
                          seed=person_id, said=said, follow=follow, used=used)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, mapping={field: day.isoformat() for field in used})
        pipe.expire(key, SAID_TTL)
        await pipe.execute()
    if follow is not None:
        await memory.mark_asked(redis, prefix, person_id, follow, now_ts, asker=asker)
    return text, index
