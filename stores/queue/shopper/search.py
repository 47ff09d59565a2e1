"""The counter's "Wallet Search": a shopper by name, phone (or its last 4 or 7 digits),
email or loyalty ID, inside the staff member's company only.

The loyalty ID is the shopper's number in this platform (shown on their profile) or the
customer id a POS knows them by (a source identity). Each is one indexed lookup.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from aiq.personas.choices import Source
from aiq.personas.models import Persona, PersonaIdentity
from aiq.personas.search import persona_search_filter
from stores.queue.shopper.access import company_personas

MAX_RESULTS = 25
MAX_TERM = 100


def wallet_search(user: Any, term: str) -> list[Persona]:
    term = term.strip()[:MAX_TERM]
    if not term:
        return []
    personas = company_personas(user)
    condition = persona_search_filter(term, _region(user)) or Q(pk__in=[])
    loyalty_id = term.removeprefix("#")
    if loyalty_id.isdigit() and len(loyalty_id) < 19:
        condition |= Q(pk=int(loyalty_id))
    condition |= Q(pk__in=_identities(user, term))
    return list(
        personas.filter(condition)
        .select_related("loyalty_account")
        .order_by("last_name", "first_name", "pk")[:MAX_RESULTS]
    )


def _identities(user: Any, term: str) -> Any:
    identities = PersonaIdentity.objects.filter(source__in=Source.values, external_id=term).values(
        "persona_id"
    )
    if user.is_superuser:
        return identities
    return identities.filter(company_id=user.membership.company_id)


def _region(user: Any) -> str:
    membership = getattr(user, "membership", None)
    return membership.company.phone_region if membership is not None else "US"
