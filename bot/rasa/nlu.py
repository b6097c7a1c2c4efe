"""Custom Rasa NLU components: risk detection and the person's register (tu/vous)."""

from __future__ import annotations

import difflib
import json
import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.training_data.message import Message

from bot.calls.when import read
from bot.core import clock
from bot.core.config import load_settings
from bot.core.french_time import (CALLING_A_SERVICE_RE, LEAVING_WORDS, explicit_cancel,
                                  names_own_call, normalise, only_a_moment, others_call)
from bot.safety.risk import DEFAULT_LEXICON, FRAGMENT, RiskLexicon, load_lexicon

from bot.core.text import normalise_text
from bot.rasa.risk_model import chunks, READING
from bot.core.language import detect_language, detect_register

logger = logging.getLogger(__name__)

RISK_PREFIX = "risk_"
# From this risk probability on, the sentence reader's category may overrule the
# lexicon's when DIET reads the same (RiskDetector._category).
READER_CATEGORY_AT = 0.5
# Intents whose actions end the conversation or the messages (the lexicon's
# ``leaving_ask`` band: a faint risk reading on one of them is asked about).
LEAVING_INTENTS = frozenset({"opt_out", "goodbye", "thank", "pause_checkins"})
# ... in a message of at least so many words: a word or two ("laisse" after a
# booking, "ciao") gives the sentence reader too little to go on (the lexicon
# still reads "adieu").
LEAVING_WORDS_AT = 4


class _UntrainedComponent(GraphComponent):
    """A component built from its config alone: nothing to train or persist."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        """Keep the config."""
        self.config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "_UntrainedComponent":
        """Create the component (it needs no training)."""
        return cls(config)


def _put_first(message: Message, intent: str, confidence: float) -> None:
    """Make ``intent`` the message's intent, first in its ranking."""
    ranking = [r for r in (message.get("intent_ranking") or []) if r.get("name") != intent]
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}] + ranking,
                add_to_output=True)


def _entity(name: str, value: str, text: str, extractor: str, **extra: Any) -> Dict:
    entity = {
        "entity": name,
        "value": value,
        "start": 0,
        "end": len(text),
        "confidence_entity": 1.0,
        "extractor": extractor,
    }
    entity.update(extra)
    return entity


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class RiskDetector(_UntrainedComponent, IntentClassifier):
    """Sets a ``risk_*`` intent (confidence 1.0) and a ``risk_level`` entity.

    Runs after the intent classifier (and after the FallbackClassifier, so that a
    risk message is never turned into a fallback). A lexicon match wins; failing
    that, a ``risk_*`` intent anywhere in the classifier's ranking at or above
    ``classifier_threshold`` counts too (when in doubt, escalate).
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The lexicon file; the classifier threshold comes from it."""
        return {"lexicon": str(DEFAULT_LEXICON)}

    def __init__(self, config: Dict[Text, Any]) -> None:
        """Load the lexicon once.

        The lexicon and its classifier threshold are read when the server
        starts, not frozen into the trained model: Rasa does not retrain for a
        component that learns nothing, so a model would keep stale settings.
        """
        self.config = config
        self.lexicon: RiskLexicon = load_lexicon(str(config.get("lexicon")))
        self.demote_to_intent_at = float(config.get("demote_to_intent_at", 0.3))
        override = config.get("classifier_threshold")
        self.threshold = (
            float(override) if override is not None else self.lexicon.classifier_threshold
        )

    def process(self, messages: List[Message]) -> List[Message]:
        """Mark every risk message."""
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        """Three bands: clear risk, uncertain (ask directly), or none.

        Clear: a lexicon entry of level critical or high, a ``risk_*`` intent
        of the classifier at or above the lexicon's threshold, or a sentence
        the sentence reader is sure of. Uncertain (level ``watch``): a watch
        entry of the lexicon, or a sentence the reader or the classifier finds
        worrying without being sure. Either way the message carries a
        ``risk_<category>`` intent: risk wins over every other intent.
        A message told at a distance (a film, the news, a long-past or
        resolved event, a joke) is left to the lexicon alone, which reads its
        other sentences.
        """
        text = message.get("text") or ""
        found = self.lexicon.match(text)
        reading = message.get(READING) or {}
        p = float(reading.get("p") or 0.0)
        diet = self._risk_from_classifier(message, 0.0)
        message.set("risk_debug", {
            "lexicon": found.level if found else "",
            "lexicon_category": found.category if found else "",
            "reader": round(p, 3), "reader_category": reading.get("category", ""),
            "classifier": round(diet[1], 3) if diet else 0.0,
            "classifier_intent": diet[0] if diet else "",
        }, add_to_output=True)
        q = diet[1] if diet else 0.0
        if found is not None and found.level != "watch":
            doubt = self.lexicon.lexicon_doubt
            if found.trusted or not (reading and p < doubt and q < doubt):
                self._mark(message, self._category(found.intent, reading, p, diet),
                           found.level, "lexicon", found.pattern_id)
                return
            # A risk word that neither reader finds worrying in context ("il y a
            # quinze ans j'ai fait un infarctus", "appelez le samu j'ai perdu au
            # tarot"): not paged as a clear risk; asked about only if a reader
            # leans towards risk (``_lexicon_asks``).
            if self._lexicon_asks(p, q):
                self._mark(message, self._category(found.intent, reading, p, diet),
                           "watch", "lexicon", found.pattern_id)
                return
            found = None
        if self.lexicon.at_distance(text) or self.lexicon.has_idiom(text):
            # Told at a distance, or a known idiom explains the risky word: the
            # whole-message classifier is not trusted (the lexicon read each
            # sentence). The sentence reader is, when the sentence it worries
            # about is not itself told at a distance ("J'ai vu un film hier.
            # Moi je ne veux plus me réveiller.").
            if found is not None and self._lexicon_asks(p, q):
                self._mark(message, found.intent, "watch", "lexicon", found.pattern_id)
            elif p >= self.lexicon.reading_ask and not self._worry_is_distant(text, reading):
                level = "high" if p >= self.lexicon.reading_clear else "watch"
                self._mark(message, f"risk_{reading['category']}", level, "reader", "", p)
            elif float((reading.get("near") or {}).get("p") or 0.0) >= self.lexicon.reading_ask:
                # The worry stands without the distant sentences and the idioms
                # ("…il a rangé les papiers de l'assurance décès… il a laissé
                # tomber la chasse": "laissé tomber" explains nothing): asked.
                near = reading["near"]
                self._mark(message, f"risk_{near['category']}", "watch", "reader", "",
                           float(near["p"]))
            elif min(p, q) >= self.lexicon.distance_override:
                # Both readers sure of a risk that a distant or idiomatic word
                # beside it would hide ("il frappe à la porte de la chambre en
                # hurlant", "après le journal de 20h"): asked about directly.
                both = self._combined(reading, p, diet)
                if both is not None:
                    self._mark(message, both[0], "watch", "combined", "", both[1])
            elif ((message.get("intent") or {}).get("name") or "").startswith(RISK_PREFIX):
                self._demote(message)
            return
        from_classifier = self._risk_from_classifier(message)
        if from_classifier is not None and (not reading or p >= self.lexicon.classifier_floor):
            # (DIET sure and the sentence reader at ease, below the floor: not
            # followed; with no reader at all, DIET is the safety net it was)
            # DIET sure, the sentence reader at ease: asked about, not paged.
            intent, confidence = from_classifier
            level = "high" if p >= self.lexicon.classifier_support else "watch"
            self._mark(message, intent, level, "classifier", "", confidence)
            return
        if p >= self.lexicon.reading_clear:
            self._mark(message, f"risk_{reading['category']}", "high", "reader", "", p)
            return
        if found is not None and self._lexicon_asks(p, q):
            self._mark(message, found.intent, "watch", "lexicon", found.pattern_id)
            return
        if p >= self.lexicon.reading_ask:
            self._mark(message, f"risk_{reading['category']}", "watch", "reader", "", p)
            return
        combined = self._combined(reading, p, diet)
        if combined is not None:
            self._mark(message, combined[0], "watch", "combined", "", combined[1])
            return
        worried = self._risk_from_classifier(message, self.lexicon.classifier_ask)
        if worried is not None:
            self._mark(message, worried[0], "watch", "classifier", "", worried[1])
            return
        if ((message.get("intent") or {}).get("name") or "") in LEAVING_INTENTS \
                and p >= self.lexicon.leaving_ask and len(text.split()) >= LEAVING_WORDS_AT:
            # "j'ai tout préparé. merci pour les messages du matin c'était gentil. vous
            # pouvez arrêter d'en envoyer": a farewell read as STOP. Acting on it
            # (unsubscribing, saying goodbye) is the one mistake that cannot be undone:
            # a faint risk reading is asked about directly first.
            self._mark(message, f"{RISK_PREFIX}{reading.get('category') or 'suicide'}",
                       "watch", "reader", "", p)
            return
        if ((message.get("intent") or {}).get("name") or "").startswith(RISK_PREFIX):
            self._demote(message)

    def _lexicon_asks(self, p: float, q: float) -> bool:
        """Whether a lexicon word alone, at the uncertain level, is asked about.

        Only when one of the two readers leans towards risk (``lexicon_watch_support``
        in the lexicon's bands): on the dev half (2026-12-04, 2,330 messages) the
        lexicon's uncertain readings that no reader shared were all harmless (39
        false alarms: "appelez le samu j'ai perdu au tarot", a film, a heart
        attack ten years ago) and none of the 1,241 risk messages needed them.
        """
        return max(p, q) >= self.lexicon.lexicon_watch_support

    @staticmethod
    def _category(lexicon_intent: str, reading: Dict[str, Any], p: float,
                  diet: Optional[Tuple[str, float]]) -> str:
        """The lexicon's category, unless both classifiers read another one.

        A lexicon entry matches words ("AVC", "frappe"); the sentence reader and
        DIET read the whole message. When the two agree on another category
        (the reader at least fairly sure of risk), theirs gives the right number:
        "je suis un fardeau depuis mon AVC, je la libérerais en partant" is
        3114, not the 15. Measured on the dev half (2026-12-04): where lexicon
        and reader disagreed and DIET sided with the reader, the reader was
        right 23 times out of 29.
        """
        other = f"{RISK_PREFIX}{reading.get('category') or ''}"
        if other != lexicon_intent and p >= READER_CATEGORY_AT and diet is not None \
                and diet[0] == other:
            return other
        return lexicon_intent

    def _combined(self, reading: Dict[str, Any], p: float,
                  diet: Optional[Tuple[str, float]]) -> Optional[Tuple[str, float]]:
        """Both readers fairly worried (their mean at ``combined_ask``): ask.

        Each alone is trusted only near certainty; two different readers (the
        sentence reader on n-grams and vectors, DIET on the whole message) that
        both lean towards risk are a reason to ask directly. The category is
        the more confident reader's.
        """
        q = diet[1] if diet else 0.0
        if (p + q) / 2 < self.lexicon.combined_ask:
            return None
        if diet is not None and q >= p:
            return diet[0], (p + q) / 2
        return f"{RISK_PREFIX}{reading.get('category') or ''}", (p + q) / 2

    def _worry_is_distant(self, text: str, reading: Dict[str, Any]) -> bool:
        """Whether the chunk the sentence reader worries about is told at a distance.

        Chunk 0 is the whole message: it holds the distant sentence, so it is.
        """
        index = int(reading.get("chunk") or 0)
        pieces = chunks(text)
        if index <= 0 or index >= len(pieces):
            return True
        piece = pieces[index]
        return self.lexicon.at_distance(piece) or self.lexicon.has_idiom(piece)

    def _demote(self, message: Message) -> None:
        """A weak risk guess with no lexicon match: not an escalation.

        The best other intent takes its place when the classifier is fairly sure
        of it; otherwise the empathetic fallback asks the person to say more.
        """
        others = [
            r
            for r in (message.get("intent_ranking") or [])
            if not (r.get("name") or "").startswith(RISK_PREFIX)
            and r.get("name") != "nlu_fallback"
        ]
        weak = (message.get("intent") or {}).get("confidence") or 0.0
        text = message.get("text") or ""
        reading = read(text, clock.now(), load_settings().timezone)
        folded = normalise(text)
        if not LEAVING_WORDS.search(folded):
            # "quand vous voulez, je ne bouge plus de chez moi" (after the offer of
            # a call): a weak risk guess whose runner-up is STOP, with no word
            # about the messages, does not unsubscribe anyone
            others = [r for r in others if r.get("name") not in ("opt_out", "pause_checkins")]
        wished = bool(_WISH_FOR_A_CALL.search(folded))
        if not (reading.cancel or reading.past) and reading.any_time and not reading.positive:
            # "quand vous voulez": a yes; "vous pouvez me faire appeler ? n'importe
            # quel jour, je suis toujours là": the call asked for, its moment left
            # to the team (a yes with nothing offered would be lost)
            best = {"name": "schedule_call" if reading.asked or wished else "affirm",
                    "confidence": 1.0}
        elif not (reading.cancel or reading.past) and (
                (reading.positive and reading.asked) or wished):
            # "pour l'appel lundi 7 à 10h45, à 10h j'ai l'infirmière pour la
            # piqûre": the call asked for, which the booking reader understood
            # (CallRequestReader left the message to this detector); "je voudrais
            # un petit coup de fil, je ne bouge plus guère depuis ma chute"
            best = {"name": "schedule_call", "confidence": 1.0}
        elif others and (others[0].get("confidence") or 0.0) >= self.demote_to_intent_at:
            best = {"name": others[0]["name"], "confidence": others[0]["confidence"]}
        else:
            best = {"name": "nlu_fallback", "confidence": weak}
        message.set("intent", best, add_to_output=True)
        logger.debug("weak risk guess demoted to %s", best["name"])

    def _risk_from_classifier(
        self, message: Message, threshold: Optional[float] = None
    ) -> Optional[Tuple[str, float]]:
        threshold = self.threshold if threshold is None else threshold
        candidates = [message.get("intent") or {}] + list(
            message.get("intent_ranking") or []
        )
        for candidate in candidates:
            name = candidate.get("name") or ""
            confidence = float(candidate.get("confidence") or 0.0)
            if name.startswith(RISK_PREFIX) and confidence >= threshold:
                return name, confidence
        return None

    def _mark(
        self,
        message: Message,
        intent: str,
        level: str,
        source: str,
        pattern: str,
        classifier_confidence: float = 1.0,
    ) -> None:
        if source != "lexicon" and self.lexicon.unfinished(message.get("text")):
            # A sentence cut before its end ("je crois que je vais", "Mon mari"):
            # a reader's risk reading is a guess about words not written yet. The
            # piece is watched (a human sees it, paged if nothing follows) and the
            # person invited to go on (RiskPolicy); the next message is read with it.
            level, source = "watch", FRAGMENT
        previous = message.get("intent") or {}
        _put_first(message, intent, 1.0)
        entities = [
            e for e in (message.get("entities") or []) if e.get("entity") != "risk_level"
        ]
        entities.append(
            _entity(
                "risk_level",
                level,
                message.get("text") or "",
                self.__class__.__name__,
                source=source,
                pattern=pattern,
                classifier_intent=previous.get("name"),
                classifier_confidence=round(classifier_confidence, 4),
            )
        )
        message.set("entities", entities, add_to_output=True)
        logger.info("risk detected: intent=%s level=%s source=%s", intent, level, source)




@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class RegisterDetector(_UntrainedComponent, EntityExtractorMixin):
    """Adds a ``register`` entity (``tu`` or ``vous``) when the person clearly uses one."""

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the register entity where the message tells it."""
        for message in messages:
            text = message.get("text") or ""
            register = detect_register(text)
            entities = list(message.get("entities") or [])
            if register:
                entities.append(
                    _entity("register", register, text, self.__class__.__name__)
                )
            language = detect_language(text)
            if language:
                entities.append(_entity("language", language, text,
                                        self.__class__.__name__))
            if register or language:
                message.set("entities", entities, add_to_output=True)
        return messages


# A call asked of us in so many words; calling the 15 or the 17 is not one.
_CALL_WORDS = re.compile(r"\b(?:r?appel\w*|telephon\w*|[sm]?app?el\w*|coup de fil|"
                         r"call me|phone me|ring me)\b")
# Something else called off ("le kiné a annulé sa séance", "mon rendez-vous est annulé").
_OTHERS_CALLED_OFF = re.compile(
    r"\b(?:il|elle|ils|elles|on|qui|kine|medecin|docteur|coiffeur|coiffeuse|infirmiere|dentiste|"
    r"club|cours|seance|rendez vous|rdv|visite|atelier|aide menagere) (?:a|ont|est|sont|m a|"
    r"nous a) (?:ete )?annul\w*")
# A call wished for in so many words, with or without a moment.
_WISH_FOR_A_CALL = re.compile(
    r"\b(?:je voudrais|j aimerais|je souhaite\w*|je veux bien|ca me ferait plaisir d avoir|"
    r"pourriez vous|pouvez vous|vous (?:pouvez|pourriez)|"
    r"est ce que (?:quelqu un|qqn|vous) (?:peut|pouvez|pourrait))\b"
    r"[^.?!]{0,25}\b(?:un (?:petit )?(?:coup de fil|appel|coup de telephone)\b(?! d[eu] )|"
    r"qu on m appelle|qu (?:un|une) (?:benevole|ecoutante?|personne) m appelle|m appeler\b|"
    r"me (?:telephoner|rappeler)\b|me faire (?:r?appeler|telephoner)\b|"
    r"parler a (?:un|une) (?:benevole|ecoutante?))")
# Words that only ever call a call off.
_CALL_OFF = re.compile(r"\b(?<!ai )(?<!a )(?<!ont )(?<!ete )(?<!est )(?<!avons )(?<!avez )"
                       r"annul\w*|\boubli\w* (?:l |cet |mon |notre |le )?(?:appel|rdv|"
                       r"rendez vous|coup de fil)\b|\b(?:pas|plus) (?:besoin|la peine) "
                       r"(?:d |de l |de cet |du |que vous m |qu on m |de m )?(?:appel|rappel)\w*|"
                       r"\bne (?:m |me )?(?:appel|rappel|telephon)\w* pas\b")
_YES_FIRST = re.compile(r"^(?:(?:ah|bon|alors|euh|ben) )?(?:oui|ouais|ok|okay|d accord|dac|"
                        r"volontiers|avec plaisir|yes|bien sur|tres bien|pourquoi pas|"
                        r"(?:quand|comme) (?:vous|tu) (?:voulez|veux)|n importe quand)\b")
# Intents a yes with a condition ("oui mais pas le matin") leaves as they are.
_YES_KEEPS = frozenset({"affirm", "deny", "schedule_call", "cancel_call", "opt_out",
                        "opt_in", "change_checkin_time", "pause_checkins", "request_human"})
# The FallbackClassifier's threshold (config.yml): a demoted intent below it is one.
FALLBACK_AT = 0.22
# Intents a message that is only a moment ("tomorrow pls") is taken from.
# (A bare "18h" read as a fallback stays one: out of the booking form it answers
# nothing the assistant asked.)
_MOMENT_ONLY_PROMOTES = frozenset({"request_human"})
# Intents a request for a call whose moment is left to the team is taken from.
_LEFT_TO_US_PROMOTES = frozenset({"affirm", "nlu_fallback", "share_day", "feel_lonely"})
# Intents a moment in the message never overrules.
_CALL_KEEPS = {"schedule_call", "cancel_call", "request_human", "opt_out", "opt_in",
               "affirm", "deny", "greet"}


# A telegram's STOP: words before the first STOP, and STOP used as a full stop.
_TELEGRAM_STOP = re.compile(r"^(?!stop\b)\S.*?\bstop\b")


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class CallRequestReader(_UntrainedComponent, IntentClassifier):
    """A request for a call at a moment is a ``schedule_call``, whatever else it says.

    The intent reader weighs a whole message; the booking's own reader
    (``bot.calls.when``) knows a moment asked for from a moment told. A message
    with a moment that asks for a call ("est-ce que quelqu'un peut m'appeler
    dans une heure ? je me sens seule", "le 8 à 9h30", "lundi en huit à 10h30,
    avant je suis chez ma fille") becomes ``schedule_call``; a ``schedule_call``
    whose moment belongs to something else ("le médecin m'a dit d'appeler le 15
    si je refais un malaise comme mardi à 14h") gives way to the next intent.
    Check-in times and pauses have their own words and stay theirs. Runs before
    the risk detector: risk still wins over both.
    """

    def process(self, messages: List[Message]) -> List[Message]:
        """Promote or demote ``schedule_call`` on every message."""
        settings = load_settings()
        for message in messages:
            text = message.get("text") or ""
            if not text.strip() or text.startswith("/"):
                continue
            intent = (message.get("intent") or {}).get("name") or ""
            confident = float((message.get("intent") or {}).get("confidence") or 0.0)
            folded = normalise(text)
            reading = read(text, clock.now(), settings.timezone)
            if intent == "opt_out" and reading.positive and not reading.cancel \
                    and not reading.past and _TELEGRAM_STOP.match(folded) \
                    and not LEAVING_WORDS.search(re.sub(r"\bstop\b", " ", folded)):
                # "MARDI 14H STOP MERCI STOP": a telegram's full stops around a
                # moment asked for (the SMS channel takes a bare STOP before this)
                _put_first(message, "schedule_call", 1.0)
                continue
            if intent == "opt_out" and not LEAVING_WORDS.search(folded) and (
                    reading.any_time or reading.delegated or reading.accept
                    or (reading.positive and reading.asked)):
                # "quand vous voulez, je ne bouge plus de chez moi" after the offer of
                # a call was read as STOP: a yes (or a moment asked) with no word
                # about the messages is not an opt-out
                _put_first(message, "affirm" if not (reading.positive and reading.asked)
                           else "schedule_call", 1.0)
                continue
            if not intent.startswith("risk_") and intent not in ("cancel_call", "opt_out") \
                    and (_CALL_OFF.search(folded) and not reading.asked or (
                        reading.cancel and names_own_call(folded))):
                # "ANNULEZ SVP", "oubliez l'appel", "ne m'appelez pas mardi": a call
                # called off, whatever else the message seemed to be.
                _put_first(message, "cancel_call", 1.0)
                continue
            # A weak risk guess of DIET is read like any other message: the risk
            # detector, after this, still decides on risk (and risk wins).
            # "slt c possible ke qqn mapel lundi a 18h": a greeting that asks for a
            # call in so many words is a request.
            if intent == "cancel_call" and reading.asked and reading.positive \
                    and not reading.cancel and not reading.past \
                    and not _CALL_OFF.search(_OTHERS_CALLED_OFF.sub(" ", folded)):
                # "le kiné a annulé sa séance de lundi à 14h, vous pouvez me faire
                # appeler lundi à cette heure-là": someone else's cancellation
                _put_first(message, "schedule_call", 1.0)
                continue
            if intent in _MOMENT_ONLY_PROMOTES and reading.positive and not reading.cancel \
                    and not reading.past and only_a_moment(text):
                # "tomorrow pls" in the booking form (read as a wish for a human):
                # a moment said alone is an answer about the call
                _put_first(message, "schedule_call", 1.0)
                continue
            call_words = bool(_CALL_WORDS.search(CALLING_A_SERVICE_RE.sub(" ", folded)))
            greeting_asks = intent == "greet" and call_words
            if (intent in _LEFT_TO_US_PROMOTES or (intent.startswith("risk_")
                                                   and confident < 0.5)) and call_words \
                    and (reading.delegated or reading.any_time) \
                    and not (reading.cancel or reading.decline or reading.past):
                # "mon mari aimerait bien qu'une dame l'appelle pour discuter...
                # n'importe quel jour, choisissez vous-mêmes": a call asked for, the
                # moment left to the team (read as a yes, with nothing offered)
                _put_first(message, "schedule_call", 1.0)
                continue
            if (intent.startswith("risk_") and confident >= 0.5) or (
                    intent in _CALL_KEEPS and intent != "schedule_call" and not greeting_asks):
                continue
            if _YES_FIRST.match(folded) and len(text) < 120 and not reading.cancel \
                    and intent not in _YES_KEEPS and (
                    reading.refused_hours or reading.refused_days or reading.refused_at
                    or reading.any_time) \
                    and not reading.asked:
                # "oui mais pas le matin, j'ai le kiné", "ok, quand vous voulez": a
                # yes with a condition on the moment is a yes (the booking form
                # reads the condition from this same message).
                _put_first(message, "affirm", 1.0)
                continue
            if intent == "schedule_call" and reading.past and not reading.asked \
                    and not reading.positive:
                # "elle a reçu un appel hier vers 16h, c'était un de vos bénévoles ?":
                # a call that was, not one asked for
                _demote_call(message)
                continue
            if intent == "nlu_fallback" and _WISH_FOR_A_CALL.search(folded) \
                    and not reading.cancel and not reading.past:
                # "Je voudrais un petit coup de fil, je ne bouge plus guère de chez
                # moi depuis ma chute": a call asked for, the moment to be agreed
                _put_first(message, "schedule_call", 1.0)
                continue
            told = intent == "schedule_call" and not reading.asked and others_call(folded)
            if (not reading.positive or reading.cancel or reading.past) and not told:
                continue
            words = call_words and not told
            if intent != "schedule_call" and reading.asked and (
                    words or (reading.day is not None
                              and (reading.hour is not None or reading.part is not None))
                    or (reading.any_time and reading.hour is not None)):
                _put_first(message, "schedule_call", 1.0)
            elif intent == "schedule_call" and not reading.asked and not words:
                _demote_call(message)
        return messages


def _demote_call(message: Message) -> None:
    """``schedule_call`` gives way to the next everyday intent (or the fallback).

    Not to ``cancel_call`` unless the message calls a call off: "j'appellerai
    la mairie lundi à 9h, merci" is no cancellation ("je ne vois pas d'appel
    prévu" would answer nothing that was said).
    """
    cancels = explicit_cancel(str(message.get("text") or ""))
    others = [r for r in (message.get("intent_ranking") or [])
              if r.get("name") not in ("schedule_call", "nlu_fallback")
              and (cancels or r.get("name") != "cancel_call")
              and not str(r.get("name") or "").startswith("risk_")]
    best = others[0] if others else {}
    confidence = float(best.get("confidence") or 0.0)
    _put_first(message, best["name"] if confidence >= FALLBACK_AT and best
               else "nlu_fallback", confidence)



_WORD = re.compile(r"[a-z]+")


def _words(text: str) -> List[str]:
    """The message's words, folded (lower case, no accents, no punctuation)."""
    return _WORD.findall(normalise_text(text or "").lower())


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class UnknownWordsGuard(GraphComponent, IntentClassifier):
    """A message made only of words never seen in training is not understood.

    The classifier's character n-grams make typos close to known words, but
    they also give keyboard mashes ("qsdfgh", "xkcd bloup") a confident intent,
    often ``affirm``: a "yes" nobody said, which could confirm a call. Placed
    before the FallbackClassifier, this sets the confidence to 0 when no word
    of the message is known or close to a known word (typos still pass), so
    the assistant asks the person to say it again. Digits (numbered choices)
    and messages without letters are left alone; risk is checked after the
    fallback, on the text itself.
    """

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, vocabulary: Optional[set] = None) -> None:
        """Keep where to persist the vocabulary."""
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary or set()
        self._by_letter: Dict[str, List[str]] = {}
        for word in self.vocabulary:
            self._by_letter.setdefault(word[0], []).append(word)

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """How close an unknown word must be to a known one to count (difflib ratio)."""
        return {"close_ratio": 0.75}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext
               ) -> "UnknownWordsGuard":
        """A guard with no vocabulary yet."""
        return cls(config, model_storage, resource)

    def train(self, training_data: Any) -> Resource:
        """Learn the words of the training examples."""
        words = set()
        for example in training_data.training_examples:
            words.update(_words(example.get("text") or ""))
        self.vocabulary = words
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "vocabulary.json").write_text(json.dumps(sorted(words)),
                                                       encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage,
             resource: Resource, execution_context: ExecutionContext,
             **kwargs: Any) -> "UnknownWordsGuard":
        """The guard with the vocabulary it learnt."""
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            words = []
        return cls(config, model_storage, resource, set(words))

    def known(self, word: str) -> bool:
        """A word seen in training, or close to one (a typo)."""
        if word in self.vocabulary:
            return True
        if len(word) < 4:
            return False
        # A typo keeps about its word's length: "bloup" is not "bou" (a short SMS
        # word learnt from the training sentences of 2026-12-04).
        candidates = [c for c in self._by_letter.get(word[0], [])
                      if len(c) >= 4 and abs(len(c) - len(word)) <= 2]
        return bool(difflib.get_close_matches(word, candidates, n=1,
                                              cutoff=self.config.get("close_ratio", 0.75)))

    def process(self, messages: List[Message]) -> List[Message]:
        """Zero the confidence of messages with no known word."""
        if not self.vocabulary:
            return messages
        for message in messages:
            text = message.get("text") or ""
            words = _words(text)
            if not words or any(c.isdigit() for c in text):
                continue
            if not any(self.known(word) for word in words):
                intent = dict(message.get("intent") or {})
                if intent:
                    intent["confidence"] = 0.0
                    message.set("intent", intent, add_to_output=True)
                    logger.debug("no known word: the classifier's guess is not trusted")
        return messages
