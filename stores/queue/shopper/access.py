"""Which shoppers and stores a staff member reaches from the counter.

The queue's own rule decides who may use the counter at all (``queue_refusal``): owners,
managers, and budtenders while "Budtender can see waiting room queue" is on. Beyond it, a
shopper is reached through the queue of one of their stores or the wallet search, which
looks only inside their company; another company's shopper, check-in or store is a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from aiq.personas.models import Persona
from stores.models import RetailStore
from stores.queue import access
from stores.queue.models import CheckIn


def company_personas(user: Any) -> Any:
    """The personas this staff member may look up (their company's)."""
    if user.is_superuser:
        return Persona.objects.all()
    membership = getattr(user, "membership", None)
    if membership is None:
        return Persona.objects.none()
    return Persona.objects.filter(company_id=membership.company_id)


def persona_for(user: Any, persona_id: int) -> Persona:
    """The shopper, with their points account, or 404 outside the user's company."""
    persona = (
        company_personas(user)
        .select_related("loyalty_account", "favorite_store", "company")
        .filter(pk=persona_id)
        .first()
    )
    if persona is None:
        raise Http404("No such shopper in your company.")
    return persona


def check_in_for(user: Any, check_in_id: int | None, persona: Persona) -> CheckIn | None:
    """The check-in the profile was opened from: one of the user's stores, this shopper."""
    if check_in_id is None:
        return None
    entry = (
        CheckIn.objects.filter(pk=check_in_id, persona=persona, store__in=access.stores_for(user))
        .select_related("store")
        .first()
    )
    if entry is None:
        raise Http404("No such check-in in your stores.")
    return entry


def counter_store(user: Any, store_id: int | None, persona: Persona) -> RetailStore | None:
    """The store the counter works for: the one asked (among the user's), else the
    shopper's favourite when it is one of them, else the user's first store."""
    stores = access.stores_for(user)
    if store_id is not None:
        store = stores.filter(pk=store_id).first()
        if store is None:
            raise Http404("No such store in your company.")
        return store
    mine = list(stores.filter(company_id=persona.company_id).order_by("name"))
    favourite = next((s for s in mine if s.pk == persona.favorite_store_id), None)
    return favourite or (mine[0] if mine else None)
