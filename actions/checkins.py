"""Presence messages on the assistant's side: the message itself, consent at the
first contact, changing times, pauses, and the offer of a next call at goodbye.

Consent at the first contact: a greeting from someone who has not agreed gets
the welcome and its question (``action_greet``); any other first message gets
its answer first, then the question, once (``action_ask_consent``, run by the
rules while the session start's ``consent_pending`` slot is set). Never while a
risk is being handled: the risk reply comes first, and someone with an open
case is not asked for paperwork. A first yes records the consent and offers a
first call (``utter_offer_first_call``).
"""

from __future__ import annotations

import re
from datetime import datetime

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.calls import CHECKIN_WORDS, previous_moment
from actions.common import SETTINGS, get_redis, person_key
from bot.calls.when import read
from bot.core import clock
from bot.core.records import Person
from bot.checkins.prefs import describe_times, pause_until, resume_ts, time_change
from bot.checkins.wording import wording
from bot.people.registry import enrol_self, get_person, save_schedule, set_status, zone

CONSENT_SLOT = "consent_pending"
# Set when a person said no to the consent question: not asked again.
DECLINED = "consent_declined_ts"
OFFER_FIRST_CALL = "utter_offer_first_call"
FALLBACK_RESPONSE = {
    "EXTERNAL_checkin_morning": "utter_checkin_morning",
    "EXTERNAL_checkin_evening": "utter_checkin_evening",
}


def _entity(tracker: Tracker, name: str) -> str:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return ""


def first_consent_events(was: Person) -> List[Dict[Text, Any]]:
    """After a yes: offer a first call if this yes is the person's first consent."""
    if was.get("status", "pending") == "pending" and not was.get("consent_at"):
        return [SlotSet(CONSENT_SLOT, None), FollowupAction(OFFER_FIRST_CALL)]
    return [SlotSet(CONSENT_SLOT, None)]


def _welcomed(tracker: Tracker) -> bool:
    """Whether this session already carried the consent question."""
    return any(e.get("event") == "bot"
               and (e.get("metadata") or {}).get("utter_action")
               in ("utter_welcome", "utter_consent_ask")
               for e in tracker.events)


async def _in_difficulty(redis: Any, tracker: Tracker) -> bool:
    """A risk in this conversation or an open case: no paperwork now."""
    if tracker.get_slot("risk_context"):
        return True
    intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
    if intent.startswith("risk_"):
        return True
    return bool(await redis.exists(f"{person_key(tracker.sender_id)}:case"))


class ActionCheckin(Action):
    """Say the presence message the worker composed (or a domain variant)."""

    def name(self) -> Text:
        """Action name."""
        return "action_checkin"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Utter the text given with the external intent."""
        text = _entity(tracker, "checkin_text")[:600]
        intent = (tracker.latest_message.get("intent") or {}).get("name", "")
        if text:
            dispatcher.utter_message(text=text)
        else:
            dispatcher.utter_message(response=FALLBACK_RESPONSE.get(
                intent, "utter_checkin_morning"))
        return []


class ActionGreet(Action):
    """A greeting; from someone who has not agreed yet, the consent question."""

    def name(self) -> Text:
        """Action name."""
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Welcome (and ask consent) or greet back."""
        redis = get_redis()
        await enrol_self(redis, SETTINGS.key_prefix, tracker.sender_id, clock.now())
        person = await get_person(redis, SETTINGS.key_prefix, tracker.sender_id)
        if person.get("status") == "pending" and not person.get(DECLINED):
            await redis.hset(person_key(tracker.sender_id), "consent_asked_ts",
                             f"{clock.now():.0f}")
            dispatcher.utter_message(response="utter_welcome")
        else:
            dispatcher.utter_message(response="utter_greet")
        return [SlotSet(CONSENT_SLOT, None)] if tracker.get_slot(CONSENT_SLOT) else []


class ActionAskConsent(Action):
    """After the answer to a newcomer's first message: the consent question, once."""

    def name(self) -> Text:
        """Action name."""
        return "action_ask_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Ask if the person has neither agreed nor been asked, and is not in difficulty."""
        if not tracker.get_slot(CONSENT_SLOT):
            return []
        redis = get_redis()
        await enrol_self(redis, SETTINGS.key_prefix, tracker.sender_id, clock.now())
        person = await get_person(redis, SETTINGS.key_prefix, tracker.sender_id)
        if (person.get("status") != "pending" or person.get("consent_asked_ts")
                or person.get(DECLINED)):
            return [SlotSet(CONSENT_SLOT, None)]
        if _welcomed(tracker):
            # /start (or the worker) already said the welcome and its question.
            await redis.hsetnx(person_key(tracker.sender_id), "consent_asked_ts",
                               f"{clock.now():.0f}")
            return [SlotSet(CONSENT_SLOT, None)]
        if await _in_difficulty(redis, tracker):
            return []  # still pending: asked after a later answer
        # Marked before it is said: a retried action never asks twice.
        if not await redis.hsetnx(person_key(tracker.sender_id), "consent_asked_ts",
                                  f"{clock.now():.0f}"):
            return [SlotSet(CONSENT_SLOT, None)]
        dispatcher.utter_message(response="utter_consent_ask")
        return [SlotSet(CONSENT_SLOT, None)]


class ActionConsentAnswer(Action):
    """"Oui" / "non" right after the consent question (a clear yes only)."""

    def name(self) -> Text:
        """Action name."""
        return "action_consent_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Record the consent, or take the no kindly."""
        redis = get_redis()
        person = await get_person(redis, SETTINGS.key_prefix, tracker.sender_id)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        asked = person.get("status") == "pending" and person.get("consent_asked_ts")
        if not asked:
            dispatcher.utter_message(response="utter_affirm_generic" if intent == "affirm"
                                     else "utter_deny_generic")
            return []
        if intent == "affirm":
            channel = tracker.get_latest_input_channel() or ""
            await set_status(redis, SETTINGS.key_prefix, tracker.sender_id, "active",
                             clock.now(), how=f"oui par message ({channel})")
            dispatcher.utter_message(response="utter_opt_in")
            return first_consent_events(person)
        # A later "oui" is not a consent; a no is not asked again (START still works).
        await redis.hdel(person_key(tracker.sender_id), "consent_asked_ts")
        await redis.hset(person_key(tracker.sender_id), DECLINED, f"{clock.now():.0f}")
        dispatcher.utter_message(response="utter_consent_declined")
        return []


class ActionGoodbye(Action):
    """Goodbye; if no call is booked ahead, first offer to book the next one."""

    def name(self) -> Text:
        """Action name."""
        return "action_goodbye"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Offer the next call once per conversation, else say goodbye."""
        person = await get_person(get_redis(), SETTINGS.key_prefix, tracker.sender_id)
        booked = float(person.get("next_call_ts") or 0) > clock.now()
        offered = any(e.get("event") == "bot"
                      and (e.get("metadata") or {}).get("utter_action")
                      == "utter_goodbye_offer_call"
                      for e in tracker.events[-30:])
        if booked or offered or person.get("status") in ("", "pending", "opted_out"):
            dispatcher.utter_message(response="utter_goodbye")
        else:
            dispatcher.utter_message(response="utter_goodbye_offer_call")
        return []


# A call with a person named in words (narrower than bot.calls.when's reading of a
# booking, which also takes "vers 15h" or "je suis libre").
_CALL_WORD = re.compile(r"\b(appel\w*|rappel\w*|t[ée]l[ée]phon\w*|coup de fil)\b",
                        re.IGNORECASE)


class ActionChangeCheckinTime(Action):
    """"Plutôt vers 8h le matin", "pas le soir"."""

    def name(self) -> Text:
        """Action name."""
        return "action_change_checkin_time"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Store the new times and reschedule (a call asked for books a call instead)."""
        text = tracker.latest_message.get("text") or ""
        checkin_words = any(w in text.lower() for w in CHECKIN_WORDS)
        day = read(text, clock.now(), SETTINGS.timezone).day
        today = datetime.fromtimestamp(clock.now(), zone(SETTINGS.timezone)).date()
        if not checkin_words and (_CALL_WORD.search(text) or (day is not None
                                                               and day != today)
                                  or previous_moment(tracker, clock.now(),
                                                     SETTINGS.timezone) is not None):
            # "non jveux qu on m appelle ce soir": a call with a person, not the
            # evening message moved; "lundi mais pas le matin": the messages come
            # every day, a day named is the call's; "Mardi, si vous le voulez bien" /
            # "Vers onze heures et demie": the hour of the day said just before.
            return [FollowupAction("call_form")]
        changes, status = time_change(text)
        if status == "quiet":
            dispatcher.utter_message(response="utter_times_quiet")
            return []
        if status != "ok":
            dispatcher.utter_message(response="utter_times_unclear")
            return []
        redis = get_redis()
        await enrol_self(redis, SETTINGS.key_prefix, tracker.sender_id, clock.now())
        await redis.hset(person_key(tracker.sender_id), mapping=changes)
        await save_schedule(redis, SETTINGS.key_prefix, tracker.sender_id, clock.now())
        person = await get_person(redis, SETTINGS.key_prefix, tracker.sender_id)
        dispatcher.utter_message(
            response="utter_times_changed",
            checkin_times=describe_times(person.get("morning", ""),
                                         person.get("evening", ""), wording()["times"]),
        )
        return []


class ActionPauseCheckins(Action):
    """"Je pars chez ma fille une semaine": no messages until they are back."""

    def name(self) -> Text:
        """Action name."""
        return "action_pause_checkins"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        """Pause until the day said (a week by default)."""
        text = tracker.latest_message.get("text") or ""
        reading = read(text, clock.now(), SETTINGS.timezone)
        if reading.positive and reading.asked and not reading.checkin_said:
            # "dans 3 jours ça m'arrange mieux, d'ici là je suis chez ma sœur": no
            # word of a pause or an absence (bot.core.french_time), a moment
            # wished: the call's, not the messages'.
            return [FollowupAction("call_form")]
        redis = get_redis()
        person = await get_person(redis, SETTINGS.key_prefix, tracker.sender_id)
        tz_name = person.get("timezone") or "Europe/Paris"
        day = pause_until(tracker.latest_message.get("text") or "", clock.now(), tz_name)
        if person.get("status") in ("active", "paused"):
            await set_status(redis, SETTINGS.key_prefix, tracker.sender_id, "paused",
                             clock.now(), paused_until=resume_ts(day, tz_name))
        months = wording()["months"]
        dispatcher.utter_message(response="utter_paused",
                                 pause_until=f"{day.day} {months[day.month - 1]}")
        return []
