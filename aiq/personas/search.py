"""Finding personas by what staff type: a phone in any format, its last 4 or 7 digits, an
email or a name.

Each kind of term becomes one indexed lookup, so search stays fast with millions of rows.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Right
from django.db.models.lookups import Exact

from aiq.personas.normalize import looks_like_phone, normalize_phone

# Budtenders ask "last four of your phone?"; seven is the local number without area code.
# Each length is served by the expression index on RIGHT(phone, n) (see the Persona model).
LAST_DIGITS_LENGTHS = (4, 7)
PHONE_SEPARATORS = str.maketrans("", "", " -.()")


def last_digits(term: str) -> str | None:
    """The digits of a term that is the last 4 or 7 digits of a phone, else None.

    "0134", "555-0134" and "555 0134" count; anything with letters or another length does not.
    """
    digits = term.translate(PHONE_SEPARATORS)
    if digits.isascii() and digits.isdigit() and len(digits) in LAST_DIGITS_LENGTHS:
        return digits
    return None


def persona_search_filter(term: str, phone_region: str) -> Q | None:
    """The filter for one search term, or None when the term is blank."""
    term = term.strip()
    if not term:
        return None
    ending = last_digits(term)
    if ending is not None:
        # The same expression as the index, so the planner uses it.
        condition = Q(Exact(Right("phone", len(ending)), ending))
        if len(ending) == 7:
            # A seven-digit number kept only raw (invalid) is still found as typed.
            condition |= Q(phone_raw=term) | Q(phone_raw=ending)
        return condition
    if looks_like_phone(term):
        e164 = normalize_phone(term, phone_region)
        digits = "".join(ch for ch in term if ch.isdigit())
        # An invalid number may still be stored raw; match it exactly as typed too.
        return Q(phone=e164) if e164 else Q(phone_raw=term) | Q(phone_raw=digits)
    if "@" in term:
        return Q(email__lower__startswith=term.lower())
    words = term.lower().split()
    if len(words) == 1:
        return Q(last_name__lower__startswith=words[0]) | Q(first_name__lower__startswith=words[0])
    return Q(first_name__lower__startswith=words[0]) & Q(
        last_name__lower__startswith=" ".join(words[1:])
    )


def search_personas(queryset: QuerySet, term: str, phone_region: str) -> QuerySet:
    condition = persona_search_filter(term, phone_region)
    return queryset if condition is None else queryset.filter(condition)
