"""Phone numbers: E.164 normalisation and masking for lists and logs."""

from __future__ import annotations

from typing import Optional

import phonenumbers


def to_e164(raw: Optional[str], region: str = "FR") -> Optional[str]:
    """Normalise a number ("06 12 34 56 78", "+33612345678") to E.164, or None."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask(e164: Optional[str]) -> str:
    """Show only the country code and the last two digits: +33 •• •• •• •• 78."""
    if not e164:
        return ""
    digits = e164.lstrip("+")
    if len(digits) < 6:
        return "••"
    return f"+{digits[:2]}{'•' * (len(digits) - 4)}{digits[-2:]}"


def valid_e164(raw: Optional[str], region: str = "FR") -> Optional[str]:
    """A number that can really be dialled (``phonenumbers.is_valid_number``), in
    E.164; None for a typo ("06 OO 00 01 01", a digit missing).
    """
    if not raw or not str(raw).strip():
        return None
    try:
        number = phonenumbers.parse(str(raw).strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
