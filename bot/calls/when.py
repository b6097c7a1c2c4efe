"""French dates and times as people write them, for booking a call.

:func:`read` turns a whole message into a :class:`Proposal`: the day, the hour
or the part of the day the person wants, the hours and days they refuse ("pas
à 10h, je bosse"), and whether they accept the moment on the table ("ok",
"l'heure que vous voulez"), decline it ("non") or call the whole thing off
("annule", "laissez tomber", "non merci"). :func:`decide` merges it with what
was said before (a :class:`Context`: "plutôt 9h30" keeps the proposed day) into
a :class:`CallTime`: ``ok`` (a precise moment), ``vague`` (a concrete slot is
proposed), ``past``, ``night`` (in the quiet hours: a daytime slot the same day
is proposed), ``declined``, ``cancel`` or ``unknown``.

Messages are read clause by clause: "le kiné vient le 9, appelez-moi le 11 à
16h" is the 11th; "j'ai fait le 18 lundi, rappelez-moi mercredi à 16h" is
Wednesday (emergency and help-line numbers are never dates nor hours). SMS spelling is
read too ("dem1", "mercredi pro ver 4h de laprem", "sam"). Times are read in the
person's timezone. :func:`understand` is the one-message shortcut.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time as dtime, timedelta
from typing import List, Optional, Tuple

import dateparser

from bot.people.registry import DEFAULT_QUIET, in_quiet_hours, quiet_window, zone

PARTS_OF_DAY = (
    (r"fin de matinee", dtime(11, 0)),
    (r"debut d ?apres[ -]?midi|debut d ?aprem", dtime(14, 0)),
    (r"fin d ?apres[ -]?midi|fin d ?aprem", dtime(17, 0)),
    (r"apres[ -]?midi|aprem|aprm|apm", dtime(14, 30)),
    (r"matinee|matin|mat1", dtime(10, 0)),
    (r"midi", dtime(12, 0)),
    (r"soiree|soir|swar", dtime(18, 0)),
)
DEFAULT_PROPOSAL = dtime(10, 0)
# A refused part of the day ("pas le matin") refuses these hours.
PART_HOURS = {
    dtime(10, 0): tuple(dtime(h, m) for h in range(8, 12) for m in (0, 30)),
    dtime(11, 0): tuple(dtime(h, m) for h in range(10, 12) for m in (0, 30)),
    dtime(14, 30): tuple(dtime(h, m) for h in range(13, 18) for m in (0, 30)),
    dtime(14, 0): tuple(dtime(h, m) for h in range(13, 16) for m in (0, 30)),
    dtime(17, 0): tuple(dtime(h, m) for h in range(16, 19) for m in (0, 30)),
    dtime(18, 0): tuple(dtime(h, m) for h in range(18, 21) for m in (0, 30)),
}
EVENING_PROPOSAL = dtime(18, 0)
MAX_DAYS_AHEAD = 90
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
          "septembre", "octobre", "novembre", "decembre")
FILLERS = r"\b(vers|environ|aux alentours de|autour de|plutot|disons|si possible|svp|" \
          r"stp|s il vous plait|ca m irait|ca me va|ca irait|je prefere|je prefererais|" \
          r"je serai la|je suis dispo|dispo|disponible|pour|possible|plus tard|" \
          r"ok|oui|bien|merci|le mieux|c est|c|est|ce serait|serait|a|au|le|la|les|l|de|du|" \
          r"d|un|une|en|on|peut|pourrait|faire|appeler|appel|m|me|moi|par|exemple|" \
          r"non|nan|alors|bon|ben|bah|sinon|finalement|en fait|si|vous|tu|pourriez|" \
          r"pouvez|peux|s appeler|se parler|parler|appelez|rappelez|sappel|sapel|" \
          r"ca|va|marche|convient|et|ou|y)\b"

# SMS spelling and abbreviations, rewritten before reading (on folded text).
SMS_WORDS = (
    (r"\b(?:dem1|dm1|2m1|demin|dmain)\b", "demain"),
    (r"\bapre ?demain\b", "apres demain"),
    (r"\bl ?aprem\b|\blaprem\b|\blapres ?midi\b", "l apres midi"),
    (r"\b(?:ajd|auj|ojd|ojourdhui|aujourdhui|aujourd hui)\b", "aujourd hui"),
    (r"\bver\b", "vers"),
    (r"\b(?:pro|proch)\b", "prochain"),
    (r"\bsam\b", "samedi"), (r"\bdim\b", "dimanche"), (r"\bven(?:d|dr)?\b", "vendredi"),
    (r"\blun\b", "lundi"), (r"\bmer(?:c|cr)?\b", "mercredi"), (r"\bjeu\b", "jeudi"),
    (r"\bmar\b", "mardi"), (r"\bswar\b", "soir"), (r"\bmat1\b", "matin"),
    (r"\bmidi et demi(?:e)?\b", "12h30"), (r"\bmidi et quart\b", "12h15"),
    (r"\bpa\b", "pas"), (r"\bjpeu[xt]?\b|\bjpe\b", "je peux"), (r"\bc pas\b", "c est pas"),
    (r"\bjpourrai\b", "je pourrai"), (r"\btt a l heure\b", "tout a l heure"),
    # "entre 14 et 16h", "de 14 à 16h": the start of the window
    (r"\b(?:entre|de) (\d{1,2})(?: ?h ?(\d{2})?)? (?:et|a) \d{1,2} ?h(?:\d{2})?\b",
     lambda m: f"{m.group(1)}h{m.group(2) or ''}"),
)
HOUR_WORDS = {"une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
              "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
              "quatorze": 14, "quinze": 15, "seize": 16, "dix sept": 17, "dix huit": 18,
              "dix neuf": 19, "vingt": 20}
# Emergency and help-line numbers (15 SAMU, 17 police, 18 pompiers, 112, 114 SMS,
# 115 Samu social, 119 enfance, 3114 suicide, 3919 violences, 3977 maltraitance):
# never a date, never an hour.
SERVICE_NUMBERS = r"(?:15|17|18|112|114|115|119|3114|3919|3977|116 ?117|116 ?006)"
_SERVICE_RE = re.compile(
    r"(?:(?<!\bm )(?<!\bme )(?<!\bnous )(?<!\bvous )(?<!\bt )(?<!\bte )"
    r"\b(?:appele|appelle|appeler|appel|fait|faire|fais|faites|compose|composer|composez|"
    r"tape|taper|contacte|contacter|joint|joindre|prevenu|prevenir|numero|num)"
    r"(?: (?:le|au|l))?|\bau|\bsamu|\bpompiers|\bpolice|\bgendarmes?)"
    r" " + SERVICE_NUMBERS + r"\b(?!\s*(?:h\b|h\d|heures?|:|er\b|/|" + "|".join(MONTHS) + r"))"
)
_BIG_SERVICE_RE = re.compile(r"\b(?:112|114|115|119|3114|3919|3977|116 ?117|116 ?006)\b")
_CLAUSE_SPLIT = re.compile(
    r"[,.;!?\n]+|\b(?=(?:mais|sinon|par contre|plutot|ou alors|ou bien|je prefere|"
    r"je prefererais|de preference)\b)")
_PAST_RE = re.compile(
    r"\b(hier|avant hier|cette nuit|la nuit derniere|l autre jour|la semaine derniere|"
    r"tout a l heure j ai|depuis)\b|"
    r"\bj ai (?:deja |bien )?(?:appele|fait|compose|eu|pris|vu|tape)\b")
_NEGATION_RE = re.compile(
    r"\b(pas|jamais|impossible|peux pas|jpeux pas|pourrai pas|pourrais pas|occupee?|"
    r"je travaille|jtravaille|je bosse|jbosse|je taf|empeche|empechement|"
    r"j ai (?:un |le |mon |ma )?(?:rdv|rendez vous|kine|medecin|docteur|dentiste|"
    r"infirmiere|courses)|vient|viennent|viendra|passe|passent|passera|je passe)\b")
_NOT_BEFORE_RE = re.compile(r"\bpas avant\b")
_MOVE_RE = re.compile(r"\b(?:decaler|decale[rz]?|reporter|reportez|repousser|deplacer|"
                      r"empechement|imprevu|changer l heure|changer le jour)\b")
# "pas de souci", "pourquoi pas", "ça ne me dérange pas": not a refusal.
_HARMLESS_PAS_RE = re.compile(
    r"\bpas (?:de |d )?(?:souci|soucis|probleme|problemes|pb|blem|grave|mal)\b|"
    r"\bpourquoi pas\b|\b(?:derange|gene|embete|ennuie) pas\b|\bn importe\b|"
    r"\b(?:je |j )?(?:ne )?(?:sais|sait|jsais) pas\b|"  # not knowing is not a no
    r"\bca (?:me )?passe\b|\bpasse[rz]? (?:moi |me )?un coup de fil\b")
_CALL_RE = re.compile(
    r"\b(?:m|me|nous|se|s|t|te|on s)\s?(?:appel|rappel|telephon|parl|sappel)|\bappelez|"
    r"\brappelez|\bsappel|\bsapel|\bappel(?:le|les|lez)? (?:moi|nous)|\bappel\b|"
    r"\bcoup de fil|\blibre|\bdispo|\bconvien|\bca me va|\bok\b|\bplutot|"
    r"\bprefer|\bpossible|\bvers\b|\bca marche\b|\bpourriez|\bpouvez|\bon peut|\bfixons|"
    r"\bprevoir|\bprevoyons|\bje peux\b|\bje pourrai\b|\bje serai la\b|\bca ira\b|"
    r"\bc est bien\b|\bc est bon\b|\bparfait\b|\bca passe\b|\bcoup de fil\b")
_CANCEL_RE = re.compile(
    r"\b(annul\w*|laiss\w* tomber|oubli(?:e|ez|ons)\b(?! pas)|au revoir|bonne (?:journee|"
    r"soiree) au revoir|non merci|nan merci|pas (?:pour l instant|pour le moment|maintenant|"
    r"besoin|la peine|cette fois|d appel)|plus besoin|je (?:vous )?(?:re)?contacterai|"
    r"je (?:vous )?rappellerai|je (?:vous )?(?:re)?dirai|je (?:vous )?(?:re)?ecrirai|"
    r"je (?:ne )?sais pas (?:encore )?quand (?:je|j)|on verra|une autre fois|finalement non|"
    r"non ca ira|ca ira merci|pas d appel|veux plus|veux pas d appel|"
    r"je (?:ne )?veux pas (?:etre )?appele)")
_ACCEPT_RE = re.compile(
    r"^(?:(?:ah|bon|alors|euh|ben|bah|eh bien|hmm|mais|tres) )*"
    r"(?:oui|ouais|ouai|oue|ui|wi|yes|ok|okay|oki|d accord|dac|dacc|daccord|parfait|super|"
    r"tres bien|ca marche|ca me va|ca me convient|ca (?:m )?irait|c est bon|c est parfait|"
    r"entendu|va bien|bien sur|volontiers|nickel|top|impeccable|genial|cool|go|"
    r"c est d accord|ca roule|va pour|allons y|je prends|banco)\b")
_ANY_TIME_RE = re.compile(
    r"\b(?:l heure que vous voulez|l heure qui vous (?:va|arrange|convient)|quand vous voulez|"
    r"comme vous voulez|comme tu veux|quand tu veux|peu importe|n importe (?:quand|quelle "
    r"heure)|a votre convenance|ce que vous voulez|ce qui vous arrange|je m adapte|"
    r"ca m est egal|toute la journee)\b")
_NO_START_RE = re.compile(r"^(?:(?:ah|bon|euh|ben|bah|alors) )*(?:non|nan|nn|no|nope)\b")
_DECLINE_RE = re.compile(
    r"^(?:non|nan|nn|no|nope|non non|pas vraiment|bof|ca va pas|ca ne va pas|ca me va pas|"
    r"ca ne me va pas|pas possible|impossible|pas ce jour la|pas a cette heure la|"
    r"ca m arrange pas|ca ne m arrange pas|pas terrible)$")
# "à demain", "bonne soirée", "bon week-end": a farewell, not a moment (unless an
# hour follows: "à demain 10h").
_FAREWELL_RE = re.compile(
    r"\b(?:a (?:demain|ce soir|tout a l heure|tout de suite|plus tard|bientot|la prochaine|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|la semaine prochaine)|"
    r"(?:bonne|belle) (?:soiree|journee|apres midi|nuit|matinee|semaine|fin de journee|"
    r"fin de semaine)|bon (?:apres midi|week end|weekend|dimanche|samedi|debut de semaine|"
    r"lundi)|bonsoir|bonjour|bonne nuit)\b(?!\s*(?:a |vers |pour )?\d)")
# Check-in times and pauses have their own words: not a call.
_CHECKIN_RE = re.compile(
    r"\b(?:message|messages|sms|texto|textos|reveil|reveiller|reveillez|coucou du|"
    r"bonjour du matin|pause|vacances|je pars|je serai absente?|absent|jusqu)\b")
_SAME_HOUR_RE = re.compile(r"\b(?:meme heure|a la meme heure|pareil pour l heure|"
                           r"meme horaire)\b")
_SAME_DAY_RE = re.compile(r"\b(?:meme jour|le meme jour|ce jour la|ce jour)\b")


@dataclass(frozen=True)
class CallTime:
    """What was understood."""

    status: str
    at: Optional[datetime] = None
    proposal: Optional[datetime] = None


@dataclass(frozen=True)
class Proposal:
    """What one message says about the moment of a call."""

    day: Optional[date] = None
    hour: Optional[dtime] = None
    part: Optional[dtime] = None
    relative: Optional[datetime] = None
    refused_hours: Tuple[dtime, ...] = ()
    refused_days: Tuple[date, ...] = ()
    same_hour: bool = False
    same_day: bool = False
    accept: bool = False
    any_time: bool = False
    guessed: bool = False
    asked: bool = False  # the moment is asked for (a call word, or nothing but it)
    unavailable: bool = False  # "je ne pourrai pas", "on peut décaler ?": not just a no
    decline: bool = False
    cancel: bool = False
    past: bool = False

    @property
    def positive(self) -> bool:
        """Whether a moment (a day, an hour, a part of the day) is wished."""
        # "ma fille vient ce jour-là" is a reason, not a moment: the same day counts
        # only with an hour ("le même jour à 15h").
        return any(v is not None for v in (self.day, self.hour, self.part, self.relative)) \
            or (self.same_hour and not self.cancel)


@dataclass
class Context:
    """What the conversation had settled before this message (kept in a slot)."""

    day: Optional[date] = None
    hour: Optional[dtime] = None
    proposal: Optional[datetime] = None
    refused: List[str] = field(default_factory=list)
    declines: int = 0
    unknowns: int = 0

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
            )
        except (TypeError, ValueError):
            return cls()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", " ").replace("'", " ").replace("-", " ")
    return re.sub(r"\s+", " ", text).strip()


def normalise(text: str) -> str:
    """Folded text with SMS spelling, hours in words and service numbers rewritten."""
    folded = _fold(text or "")[:400]
    for pattern, replacement in SMS_WORDS:
        folded = re.sub(pattern, replacement, folded)
    for word, number in sorted(HOUR_WORDS.items(), key=lambda kv: -len(kv[0])):
        folded = re.sub(rf"(?<!dans )\b{word} heures?\b", f"{number}h", folded)
    folded = re.sub(r"\b(\d{1,2}) ?h(?:eures?)? et demie?\b", r"\1h30", folded)
    folded = re.sub(r"\b(\d{1,2}) ?h(?:eures?)? et quart\b", r"\1h15", folded)
    folded = re.sub(r"\b(\d{1,2}) ?h(?:eures?)? moins (?:le )?quart\b",
                    lambda m: f"{int(m.group(1)) - 1}h45", folded)
    folded = _SERVICE_RE.sub(" numero de service ", folded)
    folded = _BIG_SERVICE_RE.sub(" numero de service ", folded)
    return re.sub(r"\s+", " ", folded).strip()


_HOUR_RE = re.compile(
    r"\b(\d{1,2})\s*(?:h|heures?|:)\s*(\d{2})?\b(?!\s*(?:jours?|semaines?|mois))"
)
_VERS_RE = re.compile(r"\b(?:vers|pour|a partir de) (\d{1,2})\b(?!\s*(?:er\b|/|\d|jours?|"
                      r"semaines?|mois|" + "|".join(MONTHS) + r"))")
_IN_RE = re.compile(
    r"\bdans (\d+|une|un|deux|trois|quatre|cinq|six) ?(heures?|h|minutes?|min|"
    r"jours?|semaines?)\b"
)
_DAY_OF_MONTH_RE = re.compile(
    r"\b(?:le |ce )?(\d{1,2})(?:er)?(?: (" + "|".join(MONTHS) + r"))?\b(?!\s*[/:h])"
)
_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6}


def _relative(text: str, now: datetime) -> Optional[Tuple[datetime, bool]]:
    match = _IN_RE.search(text)
    if not match:
        return None
    amount = _NUMBERS.get(match.group(1)) or int(match.group(1))
    unit = match.group(2)
    if unit.startswith(("h",)):
        return now + timedelta(hours=amount), True
    if unit.startswith("min"):
        return now + timedelta(minutes=amount), True
    if unit.startswith("semaine"):
        return now + timedelta(weeks=amount), False
    return now + timedelta(days=amount), False


def _day(text: str, today: date) -> Tuple[Optional[date], str]:
    """The day mentioned (None if none) and what is left of the text."""
    if re.search(r"\b(aujourd ?hui|ce matin|cet apres[ -]?midi|ce soir|ce midi|tout a l heure|"
                 r"tantot|cette apres[ -]?midi|cet aprem|ce aprem)\b", text):
        return today, ""
    if re.search(r"\bapres[ -]?demain\b", text):
        return today + timedelta(days=2), ""
    if re.search(r"\bdemain\b", text):
        return today + timedelta(days=1), ""
    if re.search(r"\bhier\b|\bavant[ -]?hier\b", text):
        return today - timedelta(days=1), ""
    said = sorted((m.start(), index) for index, name in enumerate(WEEKDAYS)
                  for m in [re.search(rf"\b{name}\b", text)] if m)
    if re.search(r"\b(?:ce |le )?week ?end\b", text) and not said:
        said = [(0, 5)]  # the weekend: Saturday
    if said:
        index = said[0][1]  # the first day said ("mardi ou jeudi": Tuesday)
        ahead = (index - today.weekday()) % 7 or 7
        if "en huit" in text or "semaine prochaine" in text and ahead < 7:
            ahead += 7 if "en huit" in text else 0
        return today + timedelta(days=ahead), ""
    slash = re.search(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b", text)
    if slash:
        day, month = int(slash.group(1)), int(slash.group(2))
        year = int(slash.group(3)) if slash.group(3) else today.year
        year += 2000 if year < 100 else 0
        try:
            found = date(year, month, day)
        except ValueError:
            return None, text
        if not slash.group(3) and found < today:
            found = date(year + 1, month, day)
        return found, ""
    match = _DAY_OF_MONTH_RE.search(text)
    if match and 1 <= int(match.group(1)) <= 31:
        day = int(match.group(1))
        if match.group(2):
            month = MONTHS.index(match.group(2)) + 1
            candidates = [(today.year, month), (today.year + 1, month)]
        else:
            candidates = [(today.year, today.month)]
            nxt = today.replace(day=1) + timedelta(days=32)
            candidates.append((nxt.year, nxt.month))
        for year, month in candidates:
            try:
                found = date(year, month, day)
            except ValueError:
                continue
            if found >= today:
                return found, ""
        return None, text
    if re.search(r"\bsemaine prochaine\b", text):
        return today + timedelta(days=7 - today.weekday()), ""
    leftover = re.sub(FILLERS, " ", text)
    leftover = re.sub(r"[^\w/ ]", " ", leftover).strip()
    if not leftover or len(leftover.split()) > 3 or not re.search(
            r"\d|" + "|".join(MONTHS) + r"|semaine|mois|week", leftover):
        return None, ""
    parsed = dateparser.parse(
        leftover, languages=["fr"],
        settings={"PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY",
                  "RELATIVE_BASE": datetime.combine(today, dtime(12, 0)),
                  "REQUIRE_PARTS": []},
    )
    return (parsed.date() if parsed else None), ""


@dataclass
class _Clause:
    """One clause's reading."""

    text: str
    day: Optional[date] = None
    hour: Optional[dtime] = None
    part: Optional[dtime] = None
    relative: Optional[datetime] = None
    relative_precise: bool = False
    negated: bool = False
    past: bool = False
    call: bool = False
    guessed: bool = False

    @property
    def timed(self) -> bool:
        return any(v is not None for v in (self.day, self.hour, self.part, self.relative))


def _read_clause(text: str, now: datetime) -> _Clause:
    clause = _Clause(text)
    rest = text
    relative = _relative(rest, now)
    if relative is not None:
        clause.relative, clause.relative_precise = relative
        rest = _IN_RE.sub(" ", rest)
    hour_match = _HOUR_RE.search(rest)
    if hour_match and int(hour_match.group(1)) <= 23 and int(hour_match.group(2) or 0) <= 59:
        clause.hour = dtime(int(hour_match.group(1)), int(hour_match.group(2) or 0))
        rest = rest[:hour_match.start()] + " " + rest[hour_match.end():]
    else:
        vers = _VERS_RE.search(rest)
        if vers and 7 <= int(vers.group(1)) <= 21:
            clause.hour = dtime(int(vers.group(1)), 0)
            rest = rest[:vers.start()] + " " + rest[vers.end():]
    for pattern, default in PARTS_OF_DAY:
        if re.search(rf"\b(?:{pattern})\b", rest):
            clause.part = default
            rest = re.sub(rf"\b(?:{pattern})\b", " ", rest)
            break
    said_part = clause.part
    if clause.hour is not None and 1 <= clause.hour.hour <= 6 and clause.part is None \
            and not re.search(r"\b(?:du matin|de la nuit|cette nuit|la nuit)\b", text):
        # "vers 3h": nobody asks for a call at 3 in the night; 15h, to be confirmed.
        clause.hour = clause.hour.replace(hour=clause.hour.hour + 12)
        clause.guessed = True
    if clause.hour is not None and clause.part is not None:
        if clause.hour.hour < 12 <= clause.part.hour and clause.part != dtime(12, 0):
            clause.hour = clause.hour.replace(hour=clause.hour.hour + 12)  # "3h de l'aprem"
        clause.part = None
    if clause.hour is None and clause.part == dtime(12, 0):
        clause.hour, clause.part = clause.part, None  # "midi" is a time
    rest = rest.replace("numero de service", " ")
    if clause.relative is not None and not clause.relative_precise:
        clause.day = clause.relative.date()
        clause.relative = None
    elif clause.relative is None:
        clause.day, _ = _day(rest, now.date())
        if clause.day is None and said_part is not None and \
                re.search(r"\b(ce|cet|cette)\b", text):
            clause.day = now.date()
    clause.past = bool(_PAST_RE.search(text)) or (
        clause.day is not None and clause.day < now.date())
    clause.negated = bool(_NEGATION_RE.search(_HARMLESS_PAS_RE.sub(" ", text))) \
        and not _NOT_BEFORE_RE.search(text) \
        and not re.match(r"\s*plutot\b", text)
    clause.call = bool(_CALL_RE.search(text)) or not re.sub(
        r"\b\w\b", " ", re.sub(FILLERS, " ", _TIME_WORDS_RE.sub(" ", rest))).split()
    return clause


# What a bare moment is made of ("jeudi prochain dans l'après-midi").
_TIME_WORDS_RE = re.compile(
    r"\b(?:" + "|".join(WEEKDAYS + MONTHS) + r"|demain|apres demain|aujourd hui|ce|cet|"
    r"cette|prochain|prochaine|semaine|dans|en huit|week end|matin|soir|midi|"
    r"pas avant|a partir de|apres|avant|entre|"
    r"\d+(?:er)?|h|jours?|heures?|minutes?|numero de service)\b")


def read(text: str, now_ts: float, tz_name: str) -> Proposal:
    """Read a whole message about the moment of a call."""
    now = datetime.fromtimestamp(now_ts, zone(tz_name))
    folded = _FAREWELL_RE.sub(" ", normalise(text)).strip()
    if not folded:
        return Proposal()
    clauses = [_read_clause(part.strip(), now) for part in _CLAUSE_SPLIT.split(folded)
               if part and part.strip()]
    refused_hours: List[dtime] = []
    refused_days: List[date] = []
    wished: List[_Clause] = []
    past = False
    for clause in clauses:
        if not clause.timed:
            continue
        if clause.past:
            past = past or clause.call or len(clauses) == 1
            continue
        if clause.negated or _CANCEL_RE.search(clause.text):
            # "pas à 10h", "annule jeudi", "pas le matin": never booked
            if clause.hour is not None:
                refused_hours.append(clause.hour)
            elif clause.part is not None and clause.day is None:
                refused_hours.extend(PART_HOURS.get(clause.part, ()))
            elif clause.day is not None:
                refused_days.append(clause.day)
            continue
        wished.append(clause)
    calls = [c for c in wished if c.call] or wished
    day = hour = part = relative = None
    guessed = False
    if calls:
        main = calls[-1]
        guessed = main.guessed
        day, hour, part = main.day, main.hour, main.part
        relative = main.relative if main.relative_precise else None
        if day is None and relative is None:
            # "dans 3 jours ? vers 16h", "samedi, vers 16h": the day said just before.
            for earlier in reversed(calls[:-1]):
                if earlier.day is not None:
                    day = earlier.day
                    if hour is None and part is None:
                        hour, part = earlier.hour, earlier.part
                    break
    sentence = re.sub(r"[^\w ]", " ", folded).strip()
    sentence = re.sub(r"\s+", " ", sentence)
    return Proposal(
        day=day, hour=hour, part=part, relative=relative,
        refused_hours=tuple(refused_hours), refused_days=tuple(refused_days),
        same_hour=bool(_SAME_HOUR_RE.search(folded)),
        same_day=bool(_SAME_DAY_RE.search(folded)) and not refused_days,
        accept=bool(_ACCEPT_RE.search(sentence) or _ANY_TIME_RE.search(sentence)),
        any_time=bool(_ANY_TIME_RE.search(sentence)), guessed=guessed,
        asked=any(c.call for c in wished) and not _CHECKIN_RE.search(folded),
        decline=bool(_DECLINE_RE.search(sentence) or _NO_START_RE.search(sentence)
                     or any(c.negated for c in clauses)),
        cancel=bool(_CANCEL_RE.search(sentence)),
        unavailable=any(c.negated for c in clauses) or bool(_MOVE_RE.search(sentence)),
        past=past and not calls,
    )


def decide(reading: Proposal, context: Context, now_ts: float, tz_name: str,
           quiet: str = DEFAULT_QUIET) -> Tuple[CallTime, Context]:
    """The moment to book (or to propose) from this message and what came before."""
    tz = zone(tz_name)
    now = datetime.fromtimestamp(now_ts, tz)
    refused = list(dict.fromkeys(context.refused + [h.strftime("%H:%M")
                                                    for h in reading.refused_hours]))
    new = Context(day=context.day, hour=context.hour, proposal=context.proposal,
                  refused=refused, declines=context.declines, unknowns=context.unknowns)
    if not reading.positive:
        if reading.cancel:
            return CallTime("cancel"), new
        refusing = reading.decline or reading.refused_hours or reading.refused_days
        if reading.accept and not refusing and context.proposal is not None and \
                context.proposal > now - timedelta(minutes=5) and \
                _free(context.proposal, refused):
            return CallTime("ok", at=context.proposal), new
        if refusing:
            new.declines += 1
            new.proposal = None
            if context.day is not None and context.day in reading.refused_days:
                new.day, new.hour = None, None  # "pas jeudi": the next answer starts afresh
            if context.proposal is not None and not reading.refused_hours:
                # Not proposed again; the hour itself may still be asked for.
                new.refused.append(context.proposal.strftime("%Y-%m-%d %H:%M"))
            return CallTime("declined"), new
        if reading.past:
            proposal = _next_daytime(now, tz, quiet, refused)
            new.proposal = proposal
            return CallTime("past", proposal=proposal), new
        new.unknowns += 1
        return CallTime("unknown"), new
    new.unknowns = 0
    if reading.relative is not None:
        moment = reading.relative.replace(second=0, microsecond=0)
        return _settle(_check(moment, now, quiet, refused), new)
    day = reading.day
    if day is None and (reading.same_day or reading.hour is not None or
                        reading.part is not None or reading.same_hour):
        day = context.day
    hour = reading.hour
    if hour is None and reading.same_hour:
        hour = context.hour
    if day is not None and day < now.date():
        proposal = _next_daytime(now, tz, quiet, refused)
        new.proposal = proposal
        return CallTime("past", proposal=proposal), new
    if day is not None and (day - now.date()).days > MAX_DAYS_AHEAD:
        new.unknowns += 1
        return CallTime("unknown"), new
    new.day = day if day is not None else new.day
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
    found = _check(candidate, now, quiet, refused)
    if reading.guessed and found.status == "ok":
        found = CallTime("vague", proposal=found.at)  # "3h" read as 15h: asked first
    return _settle(found, new)


def _settle(found: CallTime, new: Context) -> Tuple[CallTime, Context]:
    moment = found.at or found.proposal
    if moment is not None:
        new.day = moment.date()
        if found.at is not None or found.status == "vague":
            new.hour = moment.time().replace(tzinfo=None)
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
    """Neither a refused hour ("10:00") nor a declined proposal ("2026-11-26 10:00")."""
    return moment.strftime("%H:%M") not in refused and \
        moment.strftime("%Y-%m-%d %H:%M") not in refused


def _next_daytime(now: datetime, tz: object, quiet: str,
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


def _propose(day: date, at: dtime, now: datetime, tz: object, quiet: str,
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
    if in_quiet_hours(moment.time(), quiet):
        return CallTime("night", proposal=_daytime_alternative(moment, now, quiet, refused))
    if moment.strftime("%H:%M") in refused:  # asked for after refusing it: ask again
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


def spoken(moment: datetime, now_ts: float, full: bool = False) -> str:
    """"jeudi 27 novembre à 14h30" / "demain à 10h" / "aujourd'hui à 16h".

    ``full`` always names the weekday and the date: "demain, vendredi 4 décembre à
    10h" (a booking's confirmation).
    """
    from bot.core.wording import raw

    words = raw("when")
    now = datetime.fromtimestamp(now_ts, moment.tzinfo)
    hour = f"{moment.hour}h{moment.minute:02d}" if moment.minute else f"{moment.hour}h"
    delta = (moment.date() - now.date()).days
    dated = f"{WEEKDAYS[moment.weekday()]} {moment.day} {words['months'][moment.month - 1]}"
    if delta == 0:
        day = f"{words['today']}, {dated}," if full else words["today"]
    elif delta == 1:
        day = f"{words['tomorrow']}, {dated}," if full else words["tomorrow"]
    else:
        day = dated
    return words["format"].format(day=day, hour=hour)


__all__ = ["CallTime", "Context", "Proposal", "decide", "normalise", "read", "spoken",
           "understand"]
