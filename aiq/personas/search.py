"""Finding personas by what staff type: a phone in any format, an email or a name.

Each kind of term becomes one indexed lookup, so search stays fast with millions of rows.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from aiq.personas.normalize import looks_like_phone, normalize_phone


def persona_search_filter(term: str, phone_region: str) -> Q | None:
    """The filter for one search term, or None when the term is blank."""
    term = term.strip()
    if not term:
        return None
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
