"""The on-call roster (``bot/resources/roster.yml`` or ``ROSTER_FILE``) and its contacts.

The roster names the tiers paged for a case, the alert ladder (minutes), the
referents of the daily digest and the digest's settings. A roster with an
invalid number or Telegram id is never used (``check_roster``): the last good
one stays in force, and the worker refuses to start without one. Contacts are
reached by SMS and Telegram (``send_to_contact``), with a link to the console
(``console_link``).
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any, Callable, Dict, List, Optional, Protocol, Tuple, cast

import phonenumbers
import yaml

from bot.core.config import PROJECT_ROOT, load_settings
from bot.core.wording import say
from bot.people.registry import parse_time

logger = logging.getLogger(__name__)

ROSTER_PATH = PROJECT_ROOT / "bot" / "resources" / "roster.yml"
DIGEST_DEFAULTS = {"time": "09:00", "timezone": "Europe/Paris", "immediate": False}


class RosterError(ValueError):
    """The roster file is refused: every problem found, one per line after the first."""


_TELEGRAM_ID = re.compile(r"-?[1-9]\d{0,19}")


def valid_phone(value: Any) -> Optional[str]:
    """A roster phone number in E.164, or None unless ``phonenumbers`` deems it valid.

    Stricter than the persons' check (``is_valid_number``, not only "possible"):
    ``06 00 00 01 0`` is a possible number (+33060000010) but nobody's.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value.strip(), "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _contact(info: Dict[str, Any], who: str, errors: List[str]) -> Dict[str, str]:
    """A member's or referent's phone and Telegram id, checked and normalised."""
    phone, telegram = info.get("phone"), info.get("telegram")
    out = {"phone": "", "telegram": ""}
    if phone not in (None, ""):
        if not isinstance(phone, str):  # phone: 0600000101 unquoted is an (octal) int
            errors.append(say("roster.errors.phone_quotes", who=who, value=phone))
        elif valid_phone(phone) is None:
            errors.append(say("roster.errors.phone", who=who, value=phone))
        else:
            out["phone"] = valid_phone(phone) or ""
    if telegram not in (None, ""):
        text = str(telegram).strip() if isinstance(telegram, (str, int)) and \
            not isinstance(telegram, bool) else ""
        if not _TELEGRAM_ID.fullmatch(text):
            errors.append(say("roster.errors.telegram", who=who, value=telegram))
        else:
            out["telegram"] = text
    return out


def check_roster(data: Any) -> Dict[str, Any]:
    """The roster's contents, normalised, or RosterError listing every problem.

    Refused unless every tier has members, every member a phone or a Telegram
    id, every phone number is valid (``phonenumbers.is_valid_number``) and every
    Telegram id is a chat id (digits, ``-`` for groups), referents included, and
    the ladder is minutes. A referent with neither phone nor Telegram is allowed:
    their people go to tier 1 (``bot/safety/digest.py``).
    """
    errors: List[str] = []
    if not isinstance(data, dict):
        raise RosterError(say("roster.errors.tiers"))
    tiers = data.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        errors.append(say("roster.errors.tiers"))
        tiers = []
    checked_tiers = []
    for number, tier in enumerate(tiers, 1):
        members = tier.get("members") if isinstance(tier, dict) else None
        if not isinstance(members, list) or not members:
            errors.append(say("roster.errors.members", tier=number))
            continue
        checked = []
        for index, member in enumerate(members, 1):
            if not isinstance(member, dict):
                errors.append(say("roster.errors.member", tier=number, member=index,
                                  name=""))
                continue
            name = str(member.get("name") or "")
            who = say("roster.errors.who_member", tier=number, member=index, name=name)
            contact = _contact(member, who, errors)
            if member.get("phone") in (None, "") and member.get("telegram") in (None, ""):
                errors.append(say("roster.errors.member", tier=number, member=index,
                                  name=name))
            checked.append(dict(member, name=name, **contact))
        checked_tiers.append(dict(tier, members=checked))
    ladder = data.get("ladder")
    if not isinstance(ladder, dict) or any(
            not isinstance(v, list) or not v or not all(
                isinstance(m, int) and not isinstance(m, bool) and m >= 0 for m in v)
            for v in ladder.values()):
        errors.append(say("roster.errors.ladder"))
    referents = {}
    raw_referents = data.get("referents") or {}
    if not isinstance(raw_referents, dict):
        errors.append(say("roster.errors.referents"))
        raw_referents = {}
    for name, info in raw_referents.items():
        info = info if isinstance(info, dict) else {}
        who = say("roster.errors.who_referent", name=name)
        referents[referent_key(str(name))] = dict(
            {"name": str(name)}, **_contact(info, who, errors))
    if errors:
        raise RosterError("\n".join(errors))
    normalised = dict(data, tiers=checked_tiers, referents=referents)
    # Sections added later default to "none", so that older files still load.
    digest = dict(DIGEST_DEFAULTS, **(data.get("digest") or {}))
    when = digest["time"]
    if isinstance(when, int):  # YAML 1.1 reads an unquoted 9:30 as 570 (base 60)
        when = f"{when // 60:02d}:{when % 60:02d}"
    digest["time"] = parse_time(str(when)) or DIGEST_DEFAULTS["time"]
    immediate = digest["immediate"]
    digest["immediate"] = immediate is True or str(immediate).strip().lower() in (
        "true", "yes", "oui", "1")
    digest["timezone"] = str(digest["timezone"] or DIGEST_DEFAULTS["timezone"])
    normalised["digest"] = digest
    return normalised


def roster_path() -> str:
    """The roster file in force: ``ROSTER_FILE``, or the default while it is missing."""
    path = load_settings().roster_file or str(ROSTER_PATH)
    if not os.path.exists(path):
        # A shared volume before its first edit in the console: never no roster.
        logger.warning("ROSTER_FILE %s does not exist yet: the default roster is used", path)
        path = str(ROSTER_PATH)
    return path


# (path, mtime) -> the checked roster, or the RosterError of that version of the file.
_READ: Dict[Tuple[str, int], Any] = {}
# path -> the last version of that file that was accepted (kept in force after a bad edit).
_LAST_GOOD: Dict[str, Dict[str, Any]] = {}


class RosterInForce(Protocol):
    """``roster()``, the roster in force, and ``roster.cache_clear()``, which forgets it."""

    cache_clear: Callable[[], None]

    def __call__(self) -> Dict[str, Any]:
        """The checked roster."""


def _roster() -> Dict[str, Any]:
    """The on-call roster and the alert ladder (``ROSTER_FILE`` or the default).

    Read again whenever the file changes (the console edits it while workers run).
    A version that fails ``check_roster`` is never used: the last good roster read
    by this process stays in force and the refusal is logged as an error (once per
    version of the file); with no good roster yet, RosterError (the worker refuses
    to start, see ``bot.worker.serve``).
    """
    path = roster_path()
    try:
        version = (path, os.stat(path).st_mtime_ns)
    except OSError:
        version = (path, -1)  # gone since: the read below says why
    if version not in _READ:
        for older in [v for v in _READ if v[0] == path]:
            del _READ[older]
        _READ[version] = _read_roster(path)
        if isinstance(_READ[version], RosterError) and path in _LAST_GOOD:
            logger.error("roster %s refused, the last good roster stays in force: %s",
                         path, str(_READ[version]).replace("\n", "; "))
    found = _READ[version]
    if isinstance(found, RosterError):
        if path in _LAST_GOOD:
            return _LAST_GOOD[path]
        raise found
    _LAST_GOOD[path] = found
    return found


def _read_roster(path: str) -> Any:
    """The checked roster of the file, or the RosterError saying why it is refused."""
    try:
        with open(path, encoding="utf-8") as handle:
            return check_roster(yaml.safe_load(handle))
    except RosterError as error:
        return error
    except (OSError, yaml.YAMLError) as error:
        return RosterError(str(error).splitlines()[0] if str(error) else repr(error))


def _forget_rosters() -> None:
    """Forget every roster read (tests; the console after writing a new one)."""
    _READ.clear()
    _LAST_GOOD.clear()


roster = cast(RosterInForce, _roster)
roster.cache_clear = _forget_rosters


def referent_key(name: str) -> str:
    """A referent's name as matched: case and spacing aside ("Mme  Durand" = "mme durand")."""
    return " ".join(name.split()).casefold()


def immediate_to_referents() -> bool:
    """Whether new watch cases go to referents at once (False if the roster is unreadable)."""
    try:
        return bool(roster()["digest"]["immediate"])
    except Exception:  # noqa: BLE001 - a bad roster file never stops cases opening
        logger.exception("roster file unreadable: referents get the daily digest only")
        return False


def console_link(path: str) -> str:
    """An address in the listener console (``CONSOLE_URL``)."""
    return f"{load_settings().console.url or 'http://127.0.0.1:8080'}{path}"


async def send_to_contact(delivery: Any, contact: Dict[str, str], text: str) -> int:
    """Hand a message to a roster contact's phone (SMS) and Telegram chat.

    Returns how many of the two took it (0: the contact has neither). One failing
    does not stop the other; when every one tried failed, the last error is raised.
    """
    reached, error = 0, None
    for channel, address in (("sms", contact.get("phone")),
                             ("telegram", contact.get("telegram"))):
        if not address:
            continue
        try:
            await delivery.output(channel).send_text_message(f"{channel}:{address}", text)
            reached += 1
        except Exception as failed:  # noqa: BLE001 - provider errors vary by library
            logger.warning("%s to %s failed: %s", channel, contact.get("name", ""), failed)
            error = failed
    if error is not None and not reached:
        raise error
    return reached
