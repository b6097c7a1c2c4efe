"""Services Lien points people to: sourced, dated data per need and territory.

The one reader of ``bot/resources/services/*.yml`` (schema in the README there):
it validates every file, lays a territory's entries over the national ones, and
gives a need's entries most urgent first. ``python -m bot services check``
lists the entries whose check is due (:func:`due_checks`).

Usage::

    from bot.companion.services import reply_entries, need_of
    need = need_of("housing", "on va être expulsés, 3 mois de loyer")  # rent_arrears
    first, then = reply_entries(need, "75011")
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

from bot.core.config import PROJECT_ROOT
from bot.people.registry import territory_code
from bot.core.wording import load

SERVICES_DIR = PROJECT_ROOT / "bot" / "resources" / "services"
NATIONAL = "national"
STATUSES = ("confirmed", "unconfirmed", "retired")
REQUIRED = ("id", "name", "does", "source", "checked")
OPTIONAL = ("phone", "reach", "hours", "status", "note")
# A file id: a département ("75", "2A", "971") or another territory name.
TERRITORY_ID = re.compile(r"[0-9A-Za-z_-]{1,20}")
POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")


class ServiceDataError(ValueError):
    """A services file breaks the schema (the message says where)."""


@dataclass(frozen=True)
class Service:
    """One way to get help for one need."""

    need: str
    id: str
    name: str
    does: str
    source: str
    checked: date
    territory: str
    phone: str = ""
    reach: str = ""
    hours: str = ""
    status: str = "confirmed"
    note: str = ""

    @property
    def contact(self) -> str:
        """How to reach it, as the end of a sentence: "au 115", "à la mairie"."""
        return f"au {self.phone}" if self.phone else self.reach

    @property
    def shown_alone(self) -> bool:
        """Whether a reply may give this entry without a confirmed one beside it."""
        return self.status == "confirmed"


@dataclass(frozen=True)
class Refinement:
    """A message about one need that says these words (and none of ``unless``)
    gets another need's answer.
    """

    need: str
    from_needs: Tuple[str, ...]
    pattern: "re.Pattern[str]"
    unless: Optional["re.Pattern[str]"] = None


@dataclass(frozen=True)
class Catalogue:
    """One file, validated."""

    territory: str
    needs: Dict[str, Tuple[Service, ...]]
    max_age_days: int = 0
    due_within_days: int = 0
    refinements: Tuple[Refinement, ...] = ()


def normalise(text: str) -> str:
    """Lowercase, no accents, words separated by single spaces."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ServiceDataError(f"{where}: checked {value!r} is not a YYYY-MM-DD date") from None


def _service(need: str, raw: Any, territory: str, where: str) -> Service:
    if not isinstance(raw, dict):
        raise ServiceDataError(f"{where}: an entry must be a mapping")
    unknown = set(raw) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise ServiceDataError(f"{where}: unknown fields {sorted(unknown)}")
    missing = [field for field in REQUIRED if not str(raw.get(field) or "").strip()]
    if missing:
        raise ServiceDataError(f"{where}: missing {', '.join(missing)}")
    where = f"{where} ({raw['id']})"
    if not (str(raw.get("phone") or "").strip() or str(raw.get("reach") or "").strip()):
        raise ServiceDataError(f"{where}: needs a phone or a reach")
    phone = str(raw.get("phone") or "").strip()
    if phone and not re.fullmatch(r"[0-9 ]{2,20}", phone):
        raise ServiceDataError(f"{where}: phone {phone!r} is not digits and spaces")
    status = str(raw.get("status") or "confirmed")
    if status not in STATUSES:
        raise ServiceDataError(f"{where}: status must be one of {', '.join(STATUSES)}")
    if status != "confirmed" and not str(raw.get("note") or "").strip():
        raise ServiceDataError(f"{where}: an {status} entry says why in a note")
    return Service(
        need=need, id=str(raw["id"]), name=str(raw["name"]).strip(),
        does=str(raw["does"]).strip(), source=str(raw["source"]).strip(),
        checked=_as_date(raw["checked"], where), territory=territory, phone=phone,
        reach=str(raw.get("reach") or "").strip(), hours=str(raw.get("hours") or "").strip(),
        status=status, note=str(raw.get("note") or "").strip(),
    )


def _words_pattern(words: Any, where: str) -> "re.Pattern[str]":
    # "loyer*" is a word start (loyers, loyer), "gaz" a whole word (not gazole).
    words = [str(word).strip() for word in words or ()]
    if not words or not all(normalise(word.rstrip("*")) for word in words):
        raise ServiceDataError(f"{where}: empty word list or word")
    alternatives = [
        re.escape(normalise(word.rstrip("*"))) + ("" if word.endswith("*") else r"(?![a-z0-9])")
        for word in words
    ]
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + ")")


def _refinement(raw: Any, where: str) -> Refinement:
    if not isinstance(raw, dict) or not raw.get("need") or not raw.get("words"):
        raise ServiceDataError(f"{where}: a refinement has need, from and words")
    unknown = set(raw) - {"need", "from", "words", "unless"}
    if unknown:
        raise ServiceDataError(f"{where}: unknown fields {sorted(unknown)}")
    return Refinement(
        str(raw["need"]), tuple(str(n) for n in raw.get("from") or ()),
        _words_pattern(raw["words"], where),
        _words_pattern(raw["unless"], where) if raw.get("unless") else None,
    )


def parse(data: Any, where: str) -> Catalogue:
    """Validate one file's content (as YAML loads it)."""
    if not isinstance(data, dict) or not isinstance(data.get("needs"), dict):
        raise ServiceDataError(f"{where}: a file has territory and needs")
    territory = str(data.get("territory") or "")
    if not TERRITORY_ID.fullmatch(territory):
        raise ServiceDataError(f"{where}: territory {territory!r}")
    needs: Dict[str, Tuple[Service, ...]] = {}
    for need, entries in data["needs"].items():
        if not isinstance(entries, list) or not entries:
            raise ServiceDataError(f"{where}: need {need} has no entries")
        services = tuple(
            _service(str(need), raw, territory, f"{where}: {need}[{index}]")
            for index, raw in enumerate(entries)
        )
        ids = [service.id for service in services]
        if len(set(ids)) != len(ids):
            raise ServiceDataError(f"{where}: need {need} repeats an id")
        needs[str(need)] = services
    refinements = tuple(
        _refinement(raw, f"{where}: refinements[{index}]")
        for index, raw in enumerate(data.get("refinements") or ())
    )
    catalogue = Catalogue(
        territory=territory, needs=needs, refinements=refinements,
        max_age_days=int(data.get("max_age_days") or 0),
        due_within_days=int(data.get("due_within_days") or 0),
    )
    if territory == NATIONAL:
        if catalogue.max_age_days <= 0:
            raise ServiceDataError(f"{where}: max_age_days must be a positive number")
        for need, services in needs.items():
            if not any(service.status == "confirmed" for service in services):
                raise ServiceDataError(f"{where}: need {need} has no confirmed entry")
            if sum(service.status != "retired" for service in services) < 2:
                raise ServiceDataError(f"{where}: need {need} needs two entries in use")
        for refinement in refinements:
            if refinement.need not in needs or not set(refinement.from_needs) <= set(needs):
                raise ServiceDataError(f"{where}: refinement to unknown need {refinement.need}")
    return catalogue


def load_file(path: Path) -> Catalogue:
    """Read and validate one services file."""
    with open(path, encoding="utf-8") as handle:
        catalogue = parse(yaml.safe_load(handle), path.name)
    if path.stem != catalogue.territory:
        raise ServiceDataError(f"{path.name}: territory {catalogue.territory!r} "
                               f"does not match the file name")
    return catalogue


@lru_cache(maxsize=None)
def catalogues(directory: Path = SERVICES_DIR) -> Dict[str, Catalogue]:
    """Every services file of a directory, validated, by territory (read once)."""
    found = {path.stem: load_file(path) for path in sorted(directory.glob("*.yml"))
             if not path.name.startswith("_")}
    if NATIONAL not in found:
        raise ServiceDataError(f"{directory}: no {NATIONAL}.yml")
    for territory, catalogue in found.items():
        unknown = set(catalogue.needs) - set(found[NATIONAL].needs)
        if unknown:
            raise ServiceDataError(f"{territory}.yml: needs not in {NATIONAL}.yml: "
                                   f"{sorted(unknown)}")
        for need in catalogue.needs:
            if not any(s.shown_alone for s in _merged(found, need, territory)):
                raise ServiceDataError(f"{territory}.yml: need {need} has no confirmed entry")
    return found


def _merged(found: Dict[str, Catalogue], need: str, code: Optional[str]) -> List[Service]:
    national = list(found[NATIONAL].needs[need])
    local = found[code].needs.get(need, ()) if code and code != NATIONAL and code in found else ()
    by_id = {service.id: service for service in local}
    merged = [by_id.pop(service.id, service) for service in national]
    ordered = [service for service in local if service.id in by_id] + merged
    return [service for service in ordered if service.status != "retired"]


def territory_of(value: Optional[str]) -> Optional[str]:
    """The territory id of a slot value: "75", "2A", a postcode "75011", an address.

    A département comes from :func:`bot.people.registry.territory_code` (the registry's
    own reading: Corsica 2A/2B, overseas three digits); an address gives the
    département of its postcode; another plain id ("national") is kept as it
    is; anything else gives None.
    """
    text = (value or "").strip()
    if not text:
        return None
    code = POSTCODE.search(text)
    departement = territory_code(code.group(1) if code else text)
    if departement:
        return departement
    return text if TERRITORY_ID.fullmatch(text) and not code else None


def services_for(need: str, territory: Optional[str] = None,
                 directory: Path = SERVICES_DIR) -> List[Service]:
    """A need's entries, most urgent first: the territory's laid over the national.

    A territory entry with a national entry's id replaces it in place; the
    territory's other entries come first. Retired entries are left out.
    """
    return _merged(catalogues(directory), need, territory_of(territory))


def pick(candidates: Sequence[Service], limit: int = 2) -> List[Service]:
    """At most ``limit`` entries in order; an unconfirmed one never alone."""
    picked = list(candidates[:limit])
    if picked and not any(service.shown_alone for service in picked):
        confirmed = [service for service in candidates if service.shown_alone]
        picked = confirmed[:1] + picked[: limit - 1] if confirmed else []
    return picked


def reply_entries(need: str, territory: Optional[str] = None,
                  already_shown: Iterable[str] = (), limit: int = 2,
                  directory: Path = SERVICES_DIR) -> List[Service]:
    """The entries a reply names: the most urgent first, at most ``limit``.

    With ``already_shown`` (ids given earlier in the conversation), the next
    ones; the first entries again when nothing new is left.
    """
    entries = services_for(need, territory, directory)
    shown = set(already_shown)
    fresh = [service for service in entries if service.id not in shown]
    return pick(fresh, limit) or pick(entries, limit)


def needs(directory: Path = SERVICES_DIR) -> List[str]:
    """Every need the national file knows."""
    return list(catalogues(directory)[NATIONAL].needs)


def need_of(need: str, text: str, directory: Path = SERVICES_DIR) -> str:
    """The need a message is about: ``need``, or a refinement its words call for."""
    words = normalise(text)
    for refinement in catalogues(directory)[NATIONAL].refinements:
        if need in refinement.from_needs and refinement.pattern.search(words):
            if refinement.unless is None or not refinement.unless.search(words):
                return refinement.need
    return need


@dataclass(frozen=True)
class Due:
    """An entry whose check is due: ``stale`` past the limit, else ``soon``."""

    service: Service
    file: str
    age_days: int
    state: str


def due_checks(today: date, directory: Path = SERVICES_DIR) -> List[Due]:
    """Entries checked more than ``max_age_days - due_within_days`` days ago, oldest first."""
    found = catalogues(directory)
    limit = found[NATIONAL].max_age_days
    soon = limit - found[NATIONAL].due_within_days
    due = []
    for territory, catalogue in sorted(found.items()):
        for services in catalogue.needs.values():
            for service in services:
                age = (today - service.checked).days
                if age > limit:
                    due.append(Due(service, f"{territory}.yml", age, "stale"))
                elif age >= soon:
                    due.append(Due(service, f"{territory}.yml", age, "soon"))
    return sorted(due, key=lambda item: (-item.age_days, item.file, item.service.need))


def max_age_days(directory: Path = SERVICES_DIR) -> int:
    """The age after which an entry is stale (national.yml's ``max_age_days``)."""
    return catalogues(directory)[NATIONAL].max_age_days


def check_report(today: date, directory: Path = SERVICES_DIR) -> Tuple[str, int]:
    """What ``services check`` prints, and its exit code (1 when one is stale)."""
    wording = load("services/_messages_fr.yml")
    try:
        due = due_checks(today, directory)
        national = catalogues(directory)[NATIONAL]
    except ServiceDataError as error:
        return wording["invalid"].format(error=error), 2
    limit = national.max_age_days
    soon = limit - national.due_within_days
    if not due:
        return wording["none"].format(soon=soon, limit=limit), 0
    lines = [wording["header"].format(soon=soon, limit=limit)]
    for item in due:
        service = item.service
        lines.append(wording["line"].format(
            state=wording[item.state], file=item.file, need=service.need, id=service.id,
            name=service.name, contact=service.phone or service.reach,
            checked=service.checked.isoformat(), age=item.age_days,
            flag=wording["unconfirmed"] if service.status == "unconfirmed" else "",
        ))
    stale = sum(item.state == "stale" for item in due)
    lines.append(wording["summary"].format(stale=stale, soon=len(due) - stale))
    return "\n".join(lines), 1 if stale else 0
