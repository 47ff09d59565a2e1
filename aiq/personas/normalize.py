"""Normalising the PII that arrives from POS systems, forms and staff.

Phones use Google's libphonenumber (the `phonenumbers` package): it knows every country's
numbering plan, which no regular expression of ours would.
"""

from __future__ import annotations

import phonenumbers


def normalize_email(value: str | None) -> str:
    """Trimmed and lower-cased; blank when missing or obviously not an address."""
    email = (value or "").strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        return ""
    return email


def normalize_phone(value: str | None, region: str = "US") -> str:
    """The number in E.164 (+12065550134), or "" when it is missing or invalid.

    An invalid number never raises: callers keep the raw text beside a blank value.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(term: str) -> bool:
    """True when a search term is mostly digits, i.e. someone typed a phone number."""
    # map over the C method, not a generator: the API's request log asks this of every
    # segment of every path it records, redemption tokens of 60 characters included.
    digits = sum(map(str.isdigit, term))
    return digits >= 7 and digits >= 0.6 * len(term.replace(" ", ""))


def format_phone_for_display(e164: str) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
