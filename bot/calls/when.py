"""Booking a call from French dates and times (read by ``bot/core/french_time.py``).

:func:`read` reads a message in the person's timezone (a :class:`Proposal`).
:func:`decide` merges it with what was said before (a :class:`Context`: "plutôt
9h30" keeps the proposed day) into a :class:`CallTime`: ``ok`` (a precise moment),
``vague`` (a concrete slot is proposed), ``past``, ``night`` (in the quiet hours: a
daytime slot the same day is proposed), ``declined``, ``cancel`` or ``unknown``.
:func:`understand` is the one-message shortcut.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time as dtime, timedelta, tzinfo
from typing import List, Optional, Tuple

from bot.core.french_time import CallTime, Proposal, read_at
from bot.people.registry import DEFAULT_QUIET, in_quiet_hours, quiet_window, zone

# The bot's responses that offer the next call: a message after one of them may
# answer it (actions.calls, bot.rasa.booking_policy).
CALL_OFFERS = ("utter_goodbye_offer_call", "utter_human_done", "utter_offer_first_call")
DEFAULT_PROPOSAL = dtime(10, 0)
EVENING_PROPOSAL = dtime(18, 0)
MAX_DAYS_AHEAD = 90


@dataclass
class Context:
    """What the conversation had settled before this message (kept in a slot)."""

    day: Optional[date] = None
    hour: Optional[dtime] = None
    proposal: Optional[datetime] = None
    refused: List[str] = field(default_factory=list)
    declines: int = 0
    unknowns: int = 0
    hour_said: bool = False  # the hour is the person's (said, or of the booked call)
    # the day was said as next week's ("jeudi prochain"): "le vendredi" after it
    # is that week's Friday
    week_ahead: bool = False

    def to_json(self) -> str:
        """For the ``call_proposal`` slot."""
        data = asdict(self)
        data["day"] = self.day.isoformat() if self.day else None
        data["hour"] = self.hour.strftime("%H:%M") if self.hour else None
        data["proposal"] = self.proposal.isoformat() if self.proposal else None
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_slot(cls, value: object) -> "Context":
        """From the slot: this JSON, an ISO moment (older trackers), or nothing."""
        if not value:
            return cls()
        text = str(value)
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                return cls()
            return cls(day=moment.date(), hour=moment.time().replace(tzinfo=None),
                       proposal=moment)
        try:
            return cls(
                day=date.fromisoformat(data["day"]) if data.get("day") else None,
                hour=dtime.fromisoformat(data["hour"]) if data.get("hour") else None,
                proposal=datetime.fromisoformat(data["proposal"])
                if data.get("proposal") else None,
                refused=[str(r) for r in data.get("refused") or []][:20],
                declines=int(data.get("declines") or 0),
                unknowns=int(data.get("unknowns") or 0),
                hour_said=bool(data.get("hour_said")),
                week_ahead=bool(data.get("week_ahead")),
            )
        except (TypeError, ValueError):
            return cls()


def read(text: str, now_ts: float, tz_name: str) -> Proposal:
    """Read a whole message about the moment of a call, in the person's timezone."""
    return read_at(text, datetime.fromtimestamp(now_ts, zone(tz_name)))


def refusals(reading: Proposal) -> List[str]:
    """A message's refusals as the context keeps them (see ``_free``).

    An hour refused ("10:00"); a moment taken on one day ("!2026-11-26 10:00"),
    whose hour is not proposed on another day either ("~10:00": it may still be
    asked for, "samedi 10h pareil").
    """
    return [h.strftime("%H:%M") for h in reading.refused_hours] \
        + ["!" + at for at in reading.refused_at] \
        + ["~" + at[-5:] for at in reading.refused_at]


def decide(reading: Proposal, context: Context, now_ts: float, tz_name: str,
           quiet: str = DEFAULT_QUIET) -> Tuple[CallTime, Context]:
    """The moment to book (or to propose) from this message and what came before."""
    tz = zone(tz_name)
    now = datetime.fromtimestamp(now_ts, tz)
    refused = list(dict.fromkeys(context.refused + refusals(reading)))
    new = Context(day=context.day, hour=context.hour, proposal=context.proposal,
                  refused=refused, declines=context.declines, unknowns=context.unknowns,
                  hour_said=context.hour_said,
                  week_ahead=context.week_ahead or reading.week_ahead)
    settled = context.proposal.date() if context.proposal is not None else context.day
    if reading.bare_weekday and reading.day is not None and settled is not None \
            and settled > now.date() and settled.weekday() == reading.day.weekday() \
            and settled not in reading.refused_days:
        # "le lendemain de Noël à 15h" / "oui, le samedi", "le même mercredi": the
        # Saturday talked about, not the next one
        reading = replace(reading, day=settled)
    if reading.bare_weekday and reading.day is not None and not reading.week_ahead \
            and context.week_ahead and settled is not None:
        # "jeudi prochain à 11h" / "le vendredi plutôt": Friday of that week
        monday = settled - timedelta(days=settled.weekday())
        same_week = monday + timedelta(days=reading.day.weekday())
        if same_week > now.date():
            reading = replace(reading, day=same_week)
    if reading.positive and not reading.asked and reading.hour is None \
            and reading.relative is None and context.day is not None \
            and context.day in reading.refused_days and reading.day == now.date():
        # "je n'ai le cœur à rien aujourd'hui. Je préfère qu'on ne m'appelle pas
        # lundi" (Monday talked about): today is how the person is, not a day asked
        # for; what is said is the refusal of the call's day
        reading = replace(reading, day=None, part=None)
    if reading.cancel and reading.hour is None and context.day is not None \
            and context.day in reading.refused_days and not reading.asked:
        # "finalement ni jeudi ni vendredi, tant pis pour cette fois": the call's day
        # refused with the call given up, whatever other day is named beside it
        return CallTime("cancel"), new
    if reading.positive and reading.cancel and reading.decline and context.day is not None \
            and reading.day in (None, context.day) and context.hour is not None \
            and reading.hour in (None, context.hour) and reading.relative is None:
        # "samedi 11h" then "non, samedi 11h c'est bête, on a le marché. Laissez
        # tomber l'appel": the moment talked about, said again to take it back
        return CallTime("cancel"), new
    if reading.positive and reading.cancel and reading.decline and not reading.asked:
        # "no thank you. tomorrow 10h I see the social worker": a refusal, and a
        # moment that is someone else's
        return CallTime("declined"), new
    if reading.positive and reading.cancel and context.day is not None \
            and (not reading.asked or reading.day == context.day) \
            and reading.day in (None, context.day) and reading.hour is None:
        # "plus la peine pour ce soir, ma fille m'a téléphoné", "ce ne sera pas
        # nécessaire finalement, pour demain": the call talked about is called off
        return CallTime("cancel"), new
    if not reading.positive and reading.back_at is not None and not reading.decline \
            and not reading.cancel and context.day is not None and context.day > now.date() \
            and not context.hour_said:
        # "le jour du marché, quand je rentre" / "le mercredi 9" / "je rentre vers 11h":
        # the day talked about, at the hour the person is back
        found = _check(datetime.combine(context.day, reading.back_at, tz), now, quiet,
                       [r for r in refused if r != reading.back_at.strftime("%H:%M")])
        if found.status == "ok":
            new.unknowns = 0
            return _settle(found, new, said=True)
    if not reading.positive:
        if reading.cancel:
            return CallTime("cancel"), new
        refusing = reading.decline or reading.refused_hours or reading.refused_days \
            or reading.refused_at
        if reading.accept and context.proposal is not None and \
                context.proposal > now - timedelta(minutes=5) and \
                _free(context.proposal, refused) and (not refusing or (
                    reading.any_time and not reading.decline and not reading.refused_days)):
            # "n'importe quand sauf entre midi et deux" after 10h proposed: the
            # proposal is outside the hours refused, it suits
            return CallTime("ok", at=context.proposal), new
        if refusing and not (reading.any_time and not reading.decline):
            # ("libre tout le temps sauf mardi": free, but for what is refused)
            new.declines += 1
            new.proposal = None
            if context.day is not None and context.day in reading.refused_days:
                new.day, new.hour = None, None  # "pas jeudi": the next answer starts afresh
            if context.proposal is not None and not reading.refused_hours \
                    and not reading.refused_at:
                # Not proposed again; the hour itself may still be asked for.
                new.refused.append(context.proposal.strftime("%Y-%m-%d %H:%M"))
            if reading.talked_day is not None and reading.talked_day not in reading.refused_days:
                # "je suis chez le médecin à 14h demain": an hour that comes next is
                # for that day
                new.day = reading.talked_day
            return CallTime("declined"), new
        if reading.past:
            proposal = _next_daytime(now, tz, quiet, refused)
            new.proposal = proposal
            return CallTime("past", proposal=proposal), new
        if reading.any_time or reading.delegated:
            # "quand vous voulez": a concrete slot is proposed, to be confirmed;
            # "choisissez vous-même, ça m'est égal": it is booked; on the day
            # already told ("jeudi prochain" / "choisissez"), if there is one.
            proposal = _next_daytime(now, tz, quiet, refused)
            weekdays = {d.weekday() for d in reading.refused_days}
            for _ in range(7):
                if proposal.weekday() not in weekdays:
                    break
                # "libre tout le temps sauf mardi et jeudi": not on those weekdays
                proposal = _shift(datetime.combine(proposal.date() + timedelta(days=1),
                                                   DEFAULT_PROPOSAL, tz), refused, quiet)
            if context.day is not None and context.day > now.date():
                proposal = _propose(context.day, context.hour or DEFAULT_PROPOSAL, now, tz,
                                    quiet, refused).proposal or proposal
            new.proposal = proposal
            # "quand vous voulez, je ne bouge pas de chez moi" is left to the team as
            # much as "choisissez": booked, and the confirmation names the moment (a
            # question more was a call never booked for whoever did not answer it)
            return CallTime("ok", at=proposal), new
        new.unknowns += 1
        return CallTime("unknown"), new
    new.unknowns = 0
    if reading.relative is not None:
        moment = reading.relative.replace(second=0, microsecond=0)
        return _settle(_check(moment, now, quiet, refused), new)
    day = reading.day
    if day is None and (reading.same_day or reading.hour is not None or
                        reading.part is not None or reading.same_hour
                        or reading.hour_shift is not None):
        day = context.day
        next_monday = now.date() + timedelta(days=7 - now.weekday())
        if day is not None and reading.that_one_next_week and day < next_monday:
            # "jeudi ?" then "celui de la semaine prochaine, 10h30": that weekday next week
            day = next_monday + timedelta(days=day.weekday())
    hour = reading.hour
    if hour is None and reading.same_hour:
        hour = context.hour
    if reading.same_hour and reading.others_hour and context.hour is not None:
        # "mardi à 8h" then "mardi il a le neurologue à 8h30. Mercredi même heure":
        # the hour asked before, not the appointment's
        hour = context.hour
    if reading.hour_shift is not None and context.hour is not None and (
            hour is None or hour == context.hour
            or hour.strftime("%H:%M") in refused):
        # "une heure plus tard": the hour talked about, moved (an hour said beside
        # it is the one moved from: "à 18h c'est mes gouttes, une demi-heure plus tôt")
        day = day if day is not None else context.day
        moved = datetime.combine(day or now.date(), context.hour) \
            + timedelta(minutes=reading.hour_shift)
        day, hour = moved.date(), moved.time()
    if day is not None and day < now.date():
        proposal = _next_daytime(now, tz, quiet, refused)
        new.proposal = proposal
        return CallTime("past", proposal=proposal), new
    if day is not None and (day - now.date()).days > MAX_DAYS_AHEAD:
        new.unknowns += 1
        return CallTime("unknown"), new
    new.day = day if day is not None else new.day
    if hour is None and reading.day is not None and reading.part is None and \
            context.hour is not None and context.hour_said \
            and "~" + context.hour.strftime("%H:%M") not in refused:
        # "à 17h" then "vendredi": the person's hour on the day now given.
        found = _check(datetime.combine(reading.day, context.hour, tz), now, quiet, refused)
        if found.status == "ok":
            return _settle(found, new, said=True)
    if hour is None:
        at = reading.part or (context.hour if reading.day is not None and context.hour
                              else None) or DEFAULT_PROPOSAL
        found = _propose(day or now.date(), at, now, tz, quiet, refused)
        if reading.any_time and found.proposal is not None:
            found = CallTime("ok", at=found.proposal)  # "demain, quand vous voulez"
        return _settle(found, new)
    if day is None:
        candidate = datetime.combine(now.date(), hour, tz)
        if candidate <= now:
            candidate = datetime.combine(now.date() + timedelta(days=1), hour, tz)
    else:
        candidate = datetime.combine(day, hour, tz)
    # ("3h" is read as 15h and booked: nobody asks for a call at 3 in the night,
    # and the confirmation names 15h; it was asked first until 2026-12-05, and
    # new writers' "demain à 3 heures" went unbooked)
    found = _check(candidate, now, quiet, refused)
    return _settle(found, new, said=found.status in ("ok", "vague"))


def _settle(found: CallTime, new: Context, said: bool = False) -> Tuple[CallTime, Context]:
    moment = found.at or found.proposal
    if moment is not None:
        new.day = moment.date()
        if found.at is not None or found.status == "vague":
            new.hour = moment.time().replace(tzinfo=None)
            new.hour_said = said
    new.proposal = found.proposal
    return found, new


def booking_request(text: str, now_ts: float, tz_name: str) -> bool:
    """Whether a message, whatever the NLU made of it, asks for a call at a moment.

    "dem1 vers 16h", "on s'appelle samedi ?", "mercredi pro ver 4h de laprem": a moment
    with a call word, or nothing but a moment. Not a past moment, not a check-in
    time or a pause ("le message du matin à 9h"), not a farewell ("à demain").
    """
    reading = read(text, now_ts, tz_name)
    return reading.positive and reading.asked and not reading.cancel


def understand(text: str, now_ts: float, tz_name: str,
               quiet: str = DEFAULT_QUIET) -> CallTime:
    """Read a call time in the person's timezone (one message, no context)."""
    found, _ = decide(read(text, now_ts, tz_name), Context(), now_ts, tz_name, quiet)
    if found.status in ("cancel", "declined"):
        return CallTime("unknown")
    return found


def _free(moment: datetime, refused: List[str]) -> bool:
    """Whether a moment is free to propose.

    Not a refused hour ("10:00"), a declined proposal ("2026-11-26 10:00"), a
    moment taken ("!2026-11-26 10:00") nor an hour taken on another day ("~10:00").
    """
    hour, at = moment.strftime("%H:%M"), moment.strftime("%Y-%m-%d %H:%M")
    return not {hour, "~" + hour, at, "!" + at} & set(refused)


def _next_daytime(now: datetime, tz: Optional[tzinfo], quiet: str,
                  refused: Optional[List[str]] = None) -> datetime:
    """The next reasonable slot: today later on, or tomorrow at 10:00."""
    candidate = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    if not in_quiet_hours(candidate.time(), quiet) and candidate.hour < 19 and \
            _free(candidate, refused or []):
        return candidate
    return _shift(datetime.combine(now.date() + timedelta(days=1), DEFAULT_PROPOSAL, tz),
                  refused or [], quiet)


def _shift(candidate: datetime, refused: List[str], quiet: str) -> datetime:
    """The same moment, or the next free daytime hour that day (never a refused one)."""
    for step in range(0, 10):
        moment = candidate + timedelta(hours=step)
        if moment.date() != candidate.date():
            break
        if _free(moment, refused) and not in_quiet_hours(moment.time(), quiet):
            return moment
    return candidate


def _propose(day: date, at: dtime, now: datetime, tz: Optional[tzinfo], quiet: str,
             refused: Optional[List[str]] = None) -> CallTime:
    candidate = datetime.combine(day, at, tz)
    if candidate <= now + timedelta(minutes=30):
        if day == now.date():
            candidate = _next_daytime(now, tz, quiet, refused)
        else:
            candidate = datetime.combine(day + timedelta(days=1), at, tz)
    return CallTime("vague", proposal=_shift(candidate, refused or [], quiet))


def _check(moment: datetime, now: datetime, quiet: str,
           refused: Optional[List[str]] = None) -> CallTime:
    refused = refused or []
    if moment < now - timedelta(minutes=1):
        return CallTime("past", proposal=_next_daytime(now, moment.tzinfo, quiet, refused))
    # "entre 8h et 21h": a call asked for at the very hour the quiet starts (21h)
    # is still in the day's hours; the assistant never proposes it itself.
    if in_quiet_hours(moment.time(), quiet) \
            and moment.time().replace(second=0, microsecond=0) != quiet_window(quiet)[0]:
        return CallTime("night", proposal=_daytime_alternative(moment, now, quiet, refused))
    if moment.strftime("%H:%M") in refused or "!" + moment.strftime("%Y-%m-%d %H:%M") \
            in refused:
        # asked for after refusing it: ask again
        return CallTime("vague", proposal=_shift(moment + timedelta(hours=1), refused, quiet))
    return CallTime("ok", at=moment)


def _daytime_alternative(moment: datetime, now: datetime, quiet: str,
                         refused: List[str]) -> datetime:
    """A night hour's alternative: the same day's evening, or that morning's 10h."""
    quiet_start, _ = quiet_window(quiet)
    tz = moment.tzinfo
    if moment.hour >= 12:
        evening = datetime.combine(moment.date(), min(EVENING_PROPOSAL, dtime(
            max(quiet_start.hour - 1, 9), 0)), tz)
        if evening > now + timedelta(minutes=30):
            return _shift(evening, refused, quiet)
        return _shift(datetime.combine(moment.date() + timedelta(days=1), DEFAULT_PROPOSAL,
                                       tz), refused, quiet)
    morning = datetime.combine(moment.date(), DEFAULT_PROPOSAL, tz)
    if morning <= now + timedelta(minutes=30):
        morning = datetime.combine(now.date() + timedelta(days=1), DEFAULT_PROPOSAL, tz)
    return _shift(morning, refused, quiet)


__all__ = ["Context", "booking_request", "decide", "read", "refusals", "understand"]
