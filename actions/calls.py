"""The next human call: a form that reads whole French messages, then booking.

Every message the person sends while the form is open is read here, whatever
intent the NLU gave it (``extract_call_time``): a moment ("samedi 9h", "plutôt
11h" which keeps the day on the table), a yes to the moment proposed, a no, a
refused hour ("pas à 10h, je bosse"), or calling it off ("annule", "laissez
tomber", "au revoir", "non merci"), which leaves the form and cancels the call
booked, if any. Only risk, STOP and a request for a human leave it to the rules
(the form rejects). What was settled so far (day, hour, the bot's proposal,
refused hours) is kept as JSON in the ``call_proposal`` slot
(:class:`bot.calls.when.Context`); when the form opens, the call already booked is the
context ("non, plutôt 9h30" after a booking keeps its day).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SETTINGS, get_redis, person_key
from bot.core import clock
from bot.calls.booking import book_call, cancel_call
from bot.calls.cancel_reader import calls_off, talks_of_a_call
from bot.people.registry import DEFAULT_QUIET, zone
from bot.calls.when import CALL_OFFERS, Context, decide, read, refusals
from bot.core.french_time import (OPT_OUT_WORDS, WEEK_AHEAD_RE, Proposal, explicit_cancel,
                                  moves_the_call,
                                  names_own_call, normalise, spoken)
from bot.core.config import load_settings
from bot.core.records import Call

FORM = "call_form"
# No call in the quiet hours, the same ones as the check-ins' (bot/worker/loop.py).
QUIET_HOURS = load_settings().quiet_hours or DEFAULT_QUIET
RESET = [SlotSet("call_time", None), SlotSet("call_at", None),
         SlotSet("call_proposal", None), SlotSet("call_issue", None)]
# The form lets these go to the rules and policies (it rejects the message).
LEAVE_FORM_INTENTS = {"opt_out", "request_human", "risk_suicide", "risk_violence",
                      "risk_child", "risk_medical"}
# "pour l'instant c'est bon, je garde samedi", "pour jeudi c'est entendu, je serai
# bien là": the call is kept, whatever was asked about cancelling.
KEEP_WORDS = re.compile(
    r"\b(?:je garde|on garde|je maintiens|on maintient|je serai (?:bien )?la|c est entendu|"
    r"je ne change rien|on ne change rien|rien ne change)\b")
# Button payloads typed or mapped by a channel.
PAYLOAD_WORDS = {"/affirm": "oui", "/deny": "non merci", "/schedule_call": "",
                 "/cancel_call": "annule"}
# A feeling said in the middle of the form is answered first (its own response),
# and the form waits without asking again: one question at a time.
TOPIC_INTENTS = ("feel_lonely", "feel_sad", "feel_anxious", "sleep_trouble", "feel_bored",
                 "health_minor", "mood_bad", "share_day")
# Two "non" in a row, or two messages without a moment: leave the form kindly.
MAX_DECLINES = 2
MAX_UNKNOWNS = 2
# Thanks or a goodbye with no moment in the form: the person closes it.
CLOSING_INTENTS = ("thank", "goodbye")
HUMAN_OFFERS = ("utter_offer_human",)
# What the usual rules answer, when an answer to an offer or to a booking is
# about something else.
USUAL_ACTION = {"affirm": "utter_affirm_generic", "deny": "utter_deny_generic",
                "nlu_fallback": "action_fallback", "schedule_call": FORM,
                "change_checkin_time": "action_change_checkin_time",
                "cancel_call": "action_cancel_call", "thank": "utter_thank",
                "mood_good": "utter_mood_good", "opt_in": "action_opt_in",
                "goodbye": "action_goodbye", "opt_out": "action_opt_out",
                "share_day": "utter_share_day", "pause_checkins": "action_pause_checkins",
                "out_of_scope": "utter_out_of_scope"}
# After a booking, these intents may still carry a cancellation in so many words
# ("laisse tombé" read as share_day, "je dois annuler le rendez-vous du 9, je pars
# chez mon fils" read as pause_checkins): only explicit words cancel then.
AMEND_EXPLICIT_ONLY = ("share_day", "pause_checkins", "out_of_scope", "goodbye", "thank",
                       "feel_sad", "feel_lonely", "feel_anxious", "mood_bad", "mood_good",
                       "health_minor")
# A call called off stays the context of a new request ("même heure") this long.
CANCELLED_CONTEXT_SECONDS = 2 * 3600
# A message this short with an hour in it is about the call's hour.
SHORT_MOVE = 60
# Words that make a time about the check-in messages, not a call.
CHECKIN_WORDS = ("message", "sms", "texto", "bonjour du matin", "bonsoir", "coucou",
                 "check", "petit mot", "mot du", "notification")


async def person_timezone(sender_id: str) -> str:
    """The person's timezone (Paris when the registry has none)."""
    raw = await get_redis().hget(person_key(sender_id), "timezone")
    return raw.decode() if raw else "Europe/Paris"



def _spoken_iso(iso: str, tz_name: str, full: bool = False) -> str:
    moment = datetime.fromisoformat(iso).astimezone(zone(tz_name))
    return spoken(moment, clock.now(), full=full)


def _text(tracker: Tracker) -> str:
    text = str(tracker.latest_message.get("text") or "")
    if text.startswith("/"):
        return PAYLOAD_WORDS.get(text.split("{")[0].strip(), "")
    return text


def _intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


async def _booked_context(sender_id: str, tz_name: str) -> Context:
    """The call already booked, as the context of a change ("plutôt 9h30")."""
    raw, cancelled, when = await get_redis().hmget(
        person_key(sender_id), "next_call_ts", "cancelled_call_ts", "cancelled_on_ts")
    if not raw or float(raw) <= clock.now():
        # "annulez... enfin non, mettez-le jeudi à la même heure": the call just
        # called off is the context of a new request made soon after.
        raw = cancelled
        if not raw or not when or float(raw) <= clock.now() \
                or clock.now() - float(when) > CANCELLED_CONTEXT_SECONDS:
            return Context()
    moment = datetime.fromtimestamp(float(raw), zone(tz_name))
    return Context(day=moment.date(), hour=moment.time().replace(tzinfo=None), hour_said=True)


async def _another_day_named(reading: Proposal, sender_id: str, tz_name: str) -> bool:
    """Whether the days the message refuses are all other than the booked call's
    ("je ne pourrai pas samedi", "n'appelez pas samedi" with Monday booked): the
    call is not the one talked about, and stays.
    """
    if not reading.refused_days:
        return False
    person = await get_redis().hgetall(person_key(sender_id))
    ahead = next_call_booked(person, clock.now())
    if ahead is None:
        return False  # no call ahead (one just called off is not kept)
    booked = datetime.fromtimestamp(ahead, zone(tz_name)).date()
    return all(d.weekday() != booked.weekday() for d in reading.refused_days)


def _said_next_week(tracker: Tracker, messages: int = 6) -> bool:
    """Whether the person named next week in the last few messages ("jeudi
    prochain à 11h"): a weekday said alone after it is in that week.
    """
    texts = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user"]
    return any(WEEK_AHEAD_RE.search(normalise(t)) for t in texts[-messages:])


def _moved(reading: Proposal, text: str) -> bool:
    """A cancel that puts the call at another hour in so many words ("cancel
    Friday, can we do Sunday 4 pm instead?"): the call moves.
    """
    return reading.positive and reading.hour is not None and (
        moves_the_call(text) or _replaced(reading))


def _replaced(reading: Proposal) -> bool:
    """A moment called off and another asked in its place ("bon laisse tomber ce
    soir, je suis trop KO, demain 20h"): what is asked is not what is refused.
    """
    return reading.asked and reading.hour is not None \
        and bool(reading.refused_days or reading.refused_hours) \
        and reading.day not in reading.refused_days \
        and reading.hour not in reading.refused_hours


def _moment_asked(reading: Proposal) -> bool:
    """A moment the person wants the call at: asked, or an hour, or a day not told
    as taken ("je ne vais pas pouvoir, on m'emmène demain matin" is not one).
    """
    return reading.positive and (reading.asked or reading.hour is not None
                                 or not reading.unavailable)


def _only_the_call(tracker: Tracker, reading: Proposal) -> bool:
    """"laissez tomber" read as STOP: the call is called off, not every message.

    STOP, the keyword or a button, and any word about the messages themselves
    stay an opt-out (the person's right).
    """
    raw = str(tracker.latest_message.get("text") or "")
    return reading.cancel and not raw.startswith("/") and not OPT_OUT_WORDS.search(
        normalise(raw))


def _form_is_open(tracker: Tracker) -> bool:
    return (tracker.active_loop or {}).get("name") == FORM


def _last_offer(tracker: Tracker) -> Optional[str]:
    """The response the bot's last message came from, before the latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return None
            seen_user = True
        elif kind == "bot" and seen_user:
            return (event.get("metadata") or {}).get("utter_action") or ""
    return None


def _opened_by(tracker: Tracker) -> bool:
    """Whether the form opened on the latest message ("appelez-moi à 9h svp" read as
    a request for a human, a request for a call after a risk answer): that message
    is read for its moment, whatever its intent.
    """
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return False
        if kind == "active_loop" and event.get("name") == FORM:
            return True
    return False


def previous_moment(tracker: Tracker, now: float, tz_name: str) -> Optional[Proposal]:
    """The day wished in the person's message just before this one, if nothing was
    booked, cancelled or asked about since (a request cut over two messages).

    A cancellation that found no call to call off hides nothing ("j'ai un rdv kiné
    lundi à 14h" read as a cancel, then "appelez-moi le même jour à 17h": Monday).
    """
    users = 0
    no_call = False  # the bot answered the message before that no call was booked
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "bot" and users == 1 and (event.get("metadata") or {}).get(
                "utter_action") == "utter_no_call":
            no_call = True
        elif kind == "action" and users == 1 and no_call \
                and event.get("name") == "action_cancel_call":
            continue
        if kind == "user":
            users += 1
            if users == 2:
                text = str(event.get("text") or "")
                if text.startswith("/"):
                    return None
                reading = read(text, now, tz_name)
                if reading.day is None and reading.talked_day is not None:
                    # "je suis chez le médecin à 14h demain" / "16h30 ça ira"
                    reading = replace(reading, day=reading.talked_day)
                if reading.day is None or reading.past or reading.cancel:
                    return None
                return reading
        elif kind == "action" and users == 1 and event.get("name") in (
                "action_book_call", "action_cancel_call", "action_amend_call", FORM):
            return None
        elif kind == "session_started":
            return None
    return None


class ValidateCallForm(FormValidationAction):
    """Reads each message of the form as a whole: a moment, a yes, a no, a cancel."""

    def name(self) -> Text:
        """Action name."""
        return "validate_call_form"

    async def extract_call_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> Dict[Text, Any]:
        """Read the latest message (also the one that opened the form)."""
        opening = not _form_is_open(tracker)
        intent = _intent(tracker)
        tz_name = await person_timezone(tracker.sender_id)
        now = clock.now()
        text = _text(tracker)
        reading = read(text, now, tz_name)
        if not opening and not _opened_by(tracker) and (
                intent in LEAVE_FORM_INTENTS or intent.startswith("risk_")):
            if not (intent == "opt_out" and _only_the_call(tracker, reading)):
                return {}
        context = Context.from_slot(tracker.get_slot("call_proposal"))
        if opening:
            # A new form keeps only the moments refused just before it opened (the
            # call just called off: ActionCancelCall).
            context = Context(refused=context.refused)
        if context.day is None and context.proposal is None:
            # Nothing settled in this form yet (it opens, or it was reopened to
            # change a booked call): the booked call is the context, so that
            # "plutôt 15h" keeps its day.
            booked = await _booked_context(tracker.sender_id, tz_name)
            context.day, context.hour = booked.day, booked.hour
            context.hour_said = booked.hour_said
            context.week_ahead = booked.day is not None and _said_next_week(tracker)
        if context.day is None and context.proposal is None and not context.refused \
                and reading.day is None and reading.relative is None:
            # "je suis chez le médecin à 14h demain, après ça va" / "16h30 ça ira":
            # the day (and the hours refused) said the message before is the call's.
            earlier = previous_moment(tracker, now, tz_name)
            if earlier is not None:
                context.day = earlier.day
                context.refused = list(dict.fromkeys(context.refused + refusals(earlier)))
        if not opening and not reading.positive and (reading.accept or intent == "affirm") \
                and context.day is None and context.proposal is None \
                and not context.refused and not context.unknowns:
            # "oui" to the offer of a call opened the form: the question comes
            # now, it is not a moment the form failed to understand.
            opening = True
        if not opening and intent == "affirm" and not (
                reading.positive or reading.cancel or reading.decline
                or reading.refused_hours or reading.refused_days or reading.refused_at):
            reading = Proposal(accept=True)  # a yes the words alone did not show
        found, context = decide(reading, context, now, tz_name, QUIET_HOURS)
        slots = self._slots(found, context, text, opening)
        if found.status == "unknown" and not opening and intent in CLOSING_INTENTS:
            # "merci de votre compréhension, bonne journée" to "quand est-ce que ce
            # serait plus pratique ?": the person closes, no moment; the form is
            # left kindly (a call already booked stays), not asked again
            slots.update({"call_time": text[:200] or "-", "call_at": None,
                          "call_issue": "closed"})
        topic = f"utter_{intent}"
        if found.status == "unknown" and not opening and intent in TOPIC_INTENTS \
                and topic in (domain.get("responses") or {}):
            dispatcher.utter_message(response=topic)
            if slots.get("call_issue") == "unknown":
                slots["call_issue"] = "topic"
        return slots

    @staticmethod
    def _slots(found: Any, context: Context, text: str, opening: bool) -> Dict[Text, Any]:
        words = text[:200] or "-"
        if found.status == "ok" and found.at is not None:
            return {"call_time": words, "call_at": found.at.isoformat(),
                    "call_proposal": context.to_json(), "call_issue": None}
        if found.status == "cancel" or (found.status == "declined" and not opening and (
                context.declines >= MAX_DECLINES
                or (context.day is None and context.proposal is None
                    and not context.refused))):
            return {"call_time": words, "call_at": None,
                    "call_proposal": context.to_json(), "call_issue": "cancel"}
        if found.status == "unknown":
            if opening:
                context.unknowns = 0  # "oui", a button: the question comes now
                return {"call_time": None, "call_proposal": context.to_json(),
                        "call_issue": None}
            if context.unknowns >= MAX_UNKNOWNS:
                return {"call_time": words, "call_at": None,
                        "call_proposal": context.to_json(), "call_issue": "gave_up"}
        return {"call_time": None, "call_at": None, "call_proposal": context.to_json(),
                "call_issue": found.status}

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """All four slots at once (rasa-sdk's own run would keep only ``call_time``).

        No event at all makes Rasa's form reject the message (risk, STOP, a human).
        """
        found = await self.extract_call_time(dispatcher, tracker, domain)
        return [SlotSet(name, value) for name, value in found.items()]


class ActionAskCallTime(Action):
    """Asks for the moment: a proposal, a kind refusal, or the open question."""

    def name(self) -> Text:
        """Action name."""
        return "action_ask_call_time"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Pick the question from what the last answer lacked."""
        issue = tracker.get_slot("call_issue")
        context = Context.from_slot(tracker.get_slot("call_proposal"))
        proposal = context.proposal
        if issue in ("vague", "past", "night") and proposal:
            text = _spoken_iso(proposal.isoformat(), await person_timezone(tracker.sender_id),
                               full=True)
            response = {"vague": "utter_call_propose", "past": "utter_call_past",
                        "night": "utter_call_night"}[issue]
            dispatcher.utter_message(response=response, call_proposal_text=text)
        elif issue == "declined":
            dispatcher.utter_message(response="utter_call_other_moment")
        elif issue == "unknown":
            dispatcher.utter_message(response="utter_call_unknown")
        elif issue == "topic":
            pass  # the feeling was answered; its question is the one on the table
        else:
            dispatcher.utter_message(response="utter_ask_call_time")
        return []


class ActionBookCall(Action):
    """The form's end: book the call and confirm it, or call it off."""

    def name(self) -> Text:
        """Action name."""
        return "action_book_call"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Write the booking and the reminders, then confirm (weekday, date, hour, who)."""
        issue = tracker.get_slot("call_issue")
        at_iso = tracker.get_slot("call_at")
        if issue == "closed":
            dispatcher.utter_message(response="utter_call_later_thanks")
            return RESET
        if issue == "gave_up" or (not at_iso and issue != "cancel"):
            # Two messages without a moment: no trap; a call already booked stays.
            dispatcher.utter_message(response="utter_call_later")
            return RESET
        if issue == "cancel":
            await _call_off(dispatcher, tracker)
            return RESET
        tz_name = await person_timezone(tracker.sender_id)
        at = datetime.fromisoformat(at_iso)
        booking = await book_call(
            get_redis(), SETTINGS.key_prefix, tracker.sender_id, at.timestamp(),
            tracker.get_slot("call_time") or "", clock.now(),
            reminder_minutes=load_settings().call_reminder_minutes,
        )
        when = _spoken_iso(at_iso, tz_name, full=True)
        if booking.volunteer_name:
            dispatcher.utter_message(response="utter_call_booked", call_when=when,
                                     volunteer=booking.volunteer_name)
        else:
            dispatcher.utter_message(response="utter_call_booked_team", call_when=when)
        return RESET


async def _call_off(dispatcher: CollectingDispatcher,
                    tracker: Tracker) -> Optional[Call]:
    """Cancel the booked call, if any, and say so; else say no call is planned."""
    call = await cancel_call(get_redis(), SETTINGS.key_prefix, tracker.sender_id,
                             clock.now())
    if call is not None:
        tz_name = await person_timezone(tracker.sender_id)
        at = datetime.fromtimestamp(float(call["at_ts"]), zone(tz_name))
        dispatcher.utter_message(response="utter_call_cancelled",
                                 call_when=spoken(at, clock.now()))
    else:
        dispatcher.utter_message(response="utter_call_not_now")
    return call


class ActionCancelCall(Action):
    """"Annulez", "je ne pourrai pas jeudi", "finalement jeudi plutôt"."""

    def name(self) -> Text:
        """Action name."""
        return "action_cancel_call"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """A new moment moves the call; else cancel, and ask for another unless called off."""
        tz_name = await person_timezone(tracker.sender_id)
        text = _text(tracker)
        reading = read(text, clock.now(), tz_name)
        if _moved(reading, text) or _moment_asked(reading) \
                and not (explicit_cancel(text) and (
                    not reading.asked or names_own_call(normalise(text)))):
            # "finalement jeudi plutôt" and "cancel Friday, can we do Sunday 4 pm
            # instead?" move the call; "je préfère annuler, ma sœur m'a appelée
            # ce matin" tells a moment and cancels.
            return RESET + [FollowupAction(FORM)]
        if KEEP_WORDS.search(normalise(text)) and not reading.cancel \
                and not explicit_cancel(text):
            # "si j'ai un empêchement, comment on fait pour annuler ? ... je garde
            # samedi": a question about cancelling, the call kept, the question answered
            dispatcher.utter_message(response="utter_call_kept_how_to_cancel")
            return []
        if not reading.asked and await _another_day_named(reading, tracker.sender_id, tz_name):
            # "ne m'appelez pas samedi" with the call on Monday: Monday's call stays
            dispatcher.utter_message(response="utter_call_kept")
            return RESET
        call = await cancel_call(get_redis(), SETTINGS.key_prefix, tracker.sender_id,
                                 clock.now())
        if call is None:
            dispatcher.utter_message(response="utter_no_call")
            return RESET
        at = datetime.fromtimestamp(float(call["at_ts"]), zone(tz_name))
        dispatcher.utter_message(response="utter_call_cancelled",
                                 call_when=spoken(at, clock.now()))
        if reading.cancel:
            return RESET
        # Another moment is asked for; the one just called off is not it ("pardon,
        # mardi je commence un travail" with mardi 10h booked: not booked again).
        off = Context(refused=["!" + at.strftime("%Y-%m-%d %H:%M")])
        return RESET + [SlotSet("call_proposal", off.to_json()), FollowupAction(FORM)]


class ActionAnswerCallOffer(Action):
    """A typed yes or no to an offer (the next call, a human), on any channel.

    Also the first message of a conversation the NLU did not understand: if it
    asks for a call at a moment ("dem1 vers 16h"), the form opens and reads it.
    """

    def name(self) -> Text:
        """Action name."""
        return "action_answer_call_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Yes opens the form (or accepts the human); no is respected."""
        offer = _last_offer(tracker) or ""
        intent = _intent(tracker)
        reading = read(_text(tracker), clock.now(), await person_timezone(tracker.sender_id))
        yes = not reading.cancel and (intent in ("affirm", "schedule_call") or reading.accept
                                      or reading.positive or reading.delegated)
        no = intent == "deny" or reading.decline or (reading.cancel and intent != "goodbye")
        if offer in CALL_OFFERS and (yes or no):
            if yes:
                return [*RESET, FollowupAction(FORM)]
            dispatcher.utter_message(response="utter_call_not_now")
            return []
        if offer in HUMAN_OFFERS and (yes or no):
            if yes:
                return [FollowupAction("action_answer_human_offer")]
            dispatcher.utter_message(response="utter_deny_generic")
            return []
        if offer not in CALL_OFFERS + HUMAN_OFFERS and reading.positive and reading.asked:
            return [*RESET, FollowupAction(FORM)]  # a request for a call the NLU missed
        return [FollowupAction(USUAL_ACTION.get(intent, "action_fallback"))]


class ActionAmendCall(Action):
    """Right after a booking: "non, plutôt 9h30", "finalement mardi, à la même heure"."""

    def name(self) -> Text:
        """Action name."""
        return "action_amend_call"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """A new moment moves the call, a cancel cancels; else the usual answer."""
        text = _text(tracker)
        intent = _intent(tracker)
        folded = text.lower()
        if intent == "change_checkin_time" and any(w in folded for w in CHECKIN_WORDS):
            return [FollowupAction("action_change_checkin_time")]
        tz_name = await person_timezone(tracker.sender_id)
        reading = read(text, clock.now(), tz_name)
        if intent in AMEND_EXPLICIT_ONLY:
            if explicit_cancel(text) and not _moved(reading, text):
                await _call_off(dispatcher, tracker)
                return RESET
            if reading.positive and not reading.past and (
                    reading.asked or (reading.hour is not None and len(text) <= SHORT_MOVE)):
                # "bon, s'il faut choisir 14h": a short message that is little but
                # an hour moves the call, whatever else the intent reader saw in it
                return [*RESET, FollowupAction(FORM)]
            if await _learnt_call_off(text, reading, tracker.sender_id, tz_name):
                # "ce n'est plus d'actualité, merci de le retirer": no cancel word,
                # read as thanks; the learnt reader knows the turn
                await _call_off(dispatcher, tracker)
                return RESET
            if intent == "thank":
                dispatcher.utter_message(response="utter_call_kept")
                return []
            usual = USUAL_ACTION.get(intent) or (
                f"utter_{intent}" if f"utter_{intent}" in (domain.get("responses") or {})
                else "action_fallback")
            return [FollowupAction(usual)]
        if intent == "opt_out":
            if _only_the_call(tracker, reading):
                await _call_off(dispatcher, tracker)
                return RESET
            return [FollowupAction("action_opt_out")]  # STOP is always honoured
        if explicit_cancel(text) and not _moved(reading, text) and (not reading.asked or (
                reading.day is not None and reading.day in reading.refused_days) or (
                reading.day is None and reading.hour is None
                and not moves_the_call(text))):
            # "je préfère annuler, ma sœur m'a téléphoné ce matin": the moment is
            # told, not asked for; the call is called off ("l'appel de samedi c'est
            # plus la peine, vous pouvez l'enlever": the day named is the one off;
            # "non, oubliez, je vais profiter de ma matinée libre": a part of the
            # day told, no day nor hour asked).
            await _call_off(dispatcher, tracker)
            return RESET
        if _moment_asked(reading):
            # ("je ne vais pas pouvoir, on m'emmène en convalescence demain matin":
            # a day told as taken, no hour, nothing asked: the call is called off)
            return [*RESET, FollowupAction(FORM)]
        if reading.cancel:
            await _call_off(dispatcher, tracker)
            return RESET
        if reading.refused_hours and not reading.positive:
            # "Not 8:30, I take my kids to school then" after 9:30 was booked: an
            # hour refused that is not the call's keeps the call
            booked = await _booked_context(tracker.sender_id, tz_name)
            if booked.hour is not None and booked.hour not in reading.refused_hours:
                dispatcher.utter_message(response="utter_call_kept")
                return []
        if reading.unavailable and (KEEP_WORDS.search(normalise(text)) or await
                                    _another_day_named(reading, tracker.sender_id, tz_name)):
            # "je garde samedi"; "je ne pourrai pas samedi" with the call on Monday
            dispatcher.utter_message(response="utter_call_kept")
            return []
        if reading.unavailable and intent.startswith("risk_"):
            # after a risk answer ("elle est hospitalisée, elle ne pourra pas prendre
            # l'appel de jeudi"): called off, no question about another moment now
            await _call_off(dispatcher, tracker)
            return RESET
        if reading.unavailable:
            # "je ne pourrai pas finalement": cancelled, and another moment asked
            return [FollowupAction("action_cancel_call")]
        if await _learnt_call_off(text, reading, tracker.sender_id, tz_name):
            # "on arrête là pour l'appel, merci": no word the rules know
            await _call_off(dispatcher, tracker)
            return RESET
        if reading.accept or intent in ("affirm", "thank", "mood_good"):
            dispatcher.utter_message(response="utter_call_kept")
            return []
        if reading.decline:
            return [*RESET, FollowupAction(FORM)]  # a bare "non": asked, the call stays
        return [FollowupAction(USUAL_ACTION.get(intent, "action_fallback"))]


async def _learnt_call_off(text: str, reading: Proposal, sender_id: str, tz_name: str) -> bool:
    """A cancellation only the learnt reader reads: no moment wished, no word
    that keeps the call, and about the call: the booked call's weekday if a day
    is named, else a call word ("on a supprimé la ligne de bus 12" is not; nor
    "merci, au revoir", which ends many a cancellation the reader learnt from).
    """
    if KEEP_WORDS.search(normalise(text)) or not calls_off(text):
        return False
    # a day said alone ("je me retire pour lundi") names the call, it asks for nothing
    bare_day = reading.day if reading.hour is None and reading.part is None \
        and reading.relative is None and reading.hour_shift is None else None
    if reading.positive and bare_day is None:
        return False
    named = [*reading.refused_days, *([reading.talked_day] if reading.talked_day else []),
             *([bare_day] if bare_day else [])]
    if not named:
        return talks_of_a_call(text)
    booked = await _booked_context(sender_id, tz_name)
    return booked.day is not None and any(d.weekday() == booked.day.weekday() for d in named)


def next_call_booked(person: Dict[bytes, bytes], now: float) -> Optional[float]:
    """The time of the person's next booked call, if any is ahead."""
    raw = person.get(b"next_call_ts")
    if raw and float(raw) > now:
        return float(raw)
    return None
