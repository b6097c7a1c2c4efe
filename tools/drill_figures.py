"""The silence drill's figures: from the episodes and the messages the doubles
kept, the delays to the first contact and to a human, the all-clears, the
silent people nobody was asked about, and every message sent twice.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from bot.checkins import ladder
from bot.people import circle
from bot.people.registry import at_local
from bot.safety.escalation import EscalationKeys

TZ = "Europe/Paris"
DAY = datetime(2027, 3, 2).date()  # a Tuesday, far from the changes of hour
GOAL_MINUTES = 120.0


@dataclass
class Contact:
    """A contact of the drill: who they are and what they will answer."""

    number: str
    answer: str  # "OK", "AIDE" or "" (nothing)
    delay_min: float
    person: int


@dataclass
class Someone:
    """A person of the drill."""

    index: int
    number: str
    level: str
    hhmm: str
    silent: bool
    answer_min: float
    contacts: List[Contact] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The conversation id (``sms:+33…``)."""
        return f"sms:{self.number}"


def p95(values: List[float]) -> float:
    """Nearest-rank 95th percentile (nan when there is nothing)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def is_reask(text: str) -> bool:
    """The ladder's re-ask (bot/resources/ladder_fr.yml)."""
    return "un petit signe pour nous dire que tout va bien" in text


def is_ask(text: str) -> bool:
    """The ladder's question to a contact."""
    return "Nous n'avons pas de nouvelles de" in text


def line(figures: Dict[str, Any]) -> str:
    """The drill's one line."""
    done, asked = figures["all_clear"]
    return (f"silence drill: people={figures['people']} silent={figures['silent']} "
            f"first_contact_p95_min={figures['first_contact_p95_min']:.1f} "
            f"human_alerted_p95_min={figures['human_alerted_p95_min']:.1f} "
            f"all_clear={done}/{asked} missed={figures['missed']} "
            f"duplicates={figures['duplicates']}")


def met(figures: Dict[str, Any]) -> bool:
    """The issue's figures for renforcée."""
    done, asked = figures["all_clear"]
    alerted = figures["human_alerted_p95_min"]
    return (figures["missed"] == 0 and figures["duplicates"] == 0 and done == asked
            and (alerted <= GOAL_MINUTES or math.isnan(alerted)))


class DrillFigures:
    """What a finished drill measured (mixed into ``tools.drill.Drill``)."""

    def silent_strong(self) -> List[Someone]:
        """The silent people on the renforcée level."""
        return [s for s in self.people if s.silent and s.level == "renforcee"]

    async def paged_at(self, episode: Dict[str, str]) -> Optional[float]:
        """When the on-call tier's first page about this episode's case arrived."""
        escalation = episode.get("escalation_id", "")
        if not escalation:
            return None
        case_id = await self.redis.hget(EscalationKeys(self.prefix).record(escalation),
                                        "case_id")
        if not case_id:
            return None
        link = f"/cases/{case_id.decode()}"
        times = [self.simulated(float(m["ts"])) for m in self.messages
                 if str(m.get("text", "")).endswith(link)]
        return min(times) if times else None

    async def figures(self) -> Dict[str, Any]:
        """The line's figures and the details behind them."""
        first_contact: List[float] = []
        alerted: List[float] = []
        missed: List[str] = []
        late_reask: List[float] = []
        late_circle: List[float] = []
        all_clear_asked = 0
        all_clear_ok = 0
        statuses: Dict[str, int] = {}
        level = ladder.ladder()["renforcee"]
        ok_people = {r["person"] for r in self.replies if r["word"] == "OK"}
        for someone in self.silent_strong():
            episode = await ladder.episode_of(self.redis, self.prefix, someone.id)
            statuses[episode.get("status") or "none"] = \
                statuses.get(episode.get("status") or "none", 0) + 1
            if not episode:
                missed.append(f"{someone.id}: no episode (check-in "
                              f"{'seen' if someone.index in self.seen_checkin else 'not sent'})")
                continue
            checkin = float(episode["checkin_ts"])
            asked = float(episode["first_asked_ts"]) if episode.get("first_asked_ts") else None
            escalated = float(episode["escalated_ts"]) if episode.get("escalated_ts") else None
            paged = await self.paged_at(episode)
            if episode.get("reask_ts"):
                late_reask.append(float(episode["reask_ts"]) - checkin
                                  - (level.reask_after or 0) * 60)
                if asked is not None:
                    late_circle.append(asked - float(episode["reask_ts"])
                                       - (level.circle_after or 0) * 60)
            first = asked if asked is not None else escalated
            human = min([t for t in (asked, paged) if t is not None], default=None)
            if first is not None:
                first_contact.append((first - checkin) / 60)
            if human is None:
                missed.append(f"{someone.id}: nobody asked, nobody paged "
                              f"(status {episode.get('status')}, step {episode.get('step')})")
                continue
            alerted.append((human - checkin) / 60)
            if someone.index in ok_people:
                all_clear_asked += 1
                if episode.get("status") == "confirmed" and \
                        await self.reached_everyone(someone, episode):
                    all_clear_ok += 1
        duplicates, kinds, twice = self.duplicates()
        return {
            "people": len(self.people), "silent": sum(s.silent for s in self.people),
            "silent_renforcee": len(self.silent_strong()),
            "first_contact_p95_min": p95(first_contact),
            "human_alerted_p95_min": p95(alerted),
            "human_alerted_max_min": max(alerted, default=float("nan")),
            "all_clear": [all_clear_ok, all_clear_asked], "missed": len(missed),
            "missed_who": missed, "duplicates": duplicates, "duplicated": twice,
            "messages": kinds,
            "episodes": statuses,
            "reask_late_max_s": max(late_reask, default=0.0),
            "circle_late_max_s": max(late_circle, default=0.0),
            "answers_late_p95_s": p95(self.lateness["answer"]),
            "contact_answers_late_p95_s": p95(self.lateness["contact"]),
            "contact_answers": {w or "none": sum(r["word"] == w for r in self.replies)
                                for w in ("OK", "AIDE")},
            "checkins_seen": len(self.seen_checkin),
            "checkin_late_max_s": max((sent - at_local(DAY, self.people[i].hhmm, TZ)
                                       for i, sent in self.seen_checkin.items()), default=0.0),
            "asks_too_soon": self.asks_too_soon(level.contact_wait),
            "killed": self.killed,
        }

    def asks_too_soon(self, contact_wait: float) -> int:
        """Contacts of one person asked less than ``contact_wait`` minutes apart (a
        step carried out twice at once would do that).
        """
        asks: Dict[int, List[float]] = {}
        for message in self.messages:
            who = self.by_number.get(str(message.get("to", "")))
            if who and who[0] == "contact" and is_ask(str(message.get("text", ""))):
                asks.setdefault(who[1].person, []).append(self.simulated(float(message["ts"])))
        return sum(1 for times in asks.values() for a, b in zip(sorted(times), sorted(times)[1:])
                   if b - a < contact_wait * 60 - 30)

    async def reached_everyone(self, someone: Someone, episode: Dict[str, str]) -> bool:
        """Everyone asked heard the all-clear: the reply, or the message after."""
        asked = set(json.loads(episode.get("asked") or "[]"))
        checker = episode.get("closed_by", "")
        closed = float(episode.get("closed_ts") or 0)
        for contact in await circle.contacts(self.redis, self.prefix, someone.id):
            if contact.id not in asked:
                continue
            number = contact.address.partition(":")[2]
            if contact.id == checker:
                if not any(r["contact"] == number and r["word"] == "OK" and
                           r["reply"].startswith("Merci") for r in self.replies):
                    return False
                continue
            if not any(m.get("to") == number and "tout va bien" in str(m.get("text"))
                       and self.simulated(float(m["ts"])) >= closed - 1
                       for m in self.messages):
                return False
        return True

    def duplicates(self) -> Tuple[int, Dict[str, int], List[str]]:
        """Messages sent twice, and how many of each kind went: to a person, a
        second check-in or re-ask (in any words); to anyone else, the same text again.
        """
        same: Dict[Tuple[str, str], int] = {}
        when: Dict[Tuple[str, str], List[str]] = {}
        kinds: Dict[str, int] = {}
        for message in self.messages:
            to, text = str(message.get("to", "")), str(message.get("text", ""))
            who = self.by_number.get(to)
            if who is None:
                kind = "page" if "/cases/" in text else "other"
            elif who[0] == "person":
                kind = "reask" if is_reask(text) else "checkin"
                text = kind  # one of each per person this morning
            else:
                kind = "ask" if is_ask(text) else "all_clear" if "tout va bien" in text \
                    else "contact_other"
            kinds[kind] = kinds.get(kind, 0) + 1
            same[(to, text)] = same.get((to, text), 0) + 1
            when.setdefault((to, text), []).append(
                f"{kind} {self.hhmm(self.simulated(float(message.get('ts') or 0)))}")
        twice = [f"{to}: {', '.join(when[(to, text)])}: {str(text)[:60]}"
                 for (to, text), n in same.items() if n > 1]
        return sum(n - 1 for n in same.values() if n > 1), kinds, twice
