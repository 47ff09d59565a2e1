"""Sales bookkeeping that is not a sync: attributing sales to stores once a POS key is
mapped, and linking anonymous sales to a shopper who became a persona later."""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction
from django.db.models import OuterRef, Subquery

from aiq.personas import summaries
from aiq.personas.favorites import recompute_favorite_stores
from aiq.personas.models import PersonaIdentity, Sale


@transaction.atomic
def attribute_sales_for_mapping(mapping) -> int:  # type: ignore[no-untyped-def]
    """Point the sales of a mapped POS key at its store; returns how many sales moved.

    Call after saving a ``stores.StoreMapping``. Sales of another key of the same
    provider that this store held before (the mapping's key changed) lose the store,
    and the favorite store of every persona concerned is recomputed.
    """
    sales = Sale.objects.filter(company_id=mapping.company_id, source=mapping.provider)
    stale = sales.filter(store_id=mapping.store_id).exclude(pos_key=mapping.key)
    moved = sales.filter(pos_key=mapping.key).exclude(store_id=mapping.store_id)
    persona_ids = set(
        stale.exclude(persona=None).values_list("persona_id", flat=True).distinct()
    ) | set(moved.exclude(persona=None).values_list("persona_id", flat=True).distinct())
    stale.update(store=None)
    count = moved.update(store_id=mapping.store_id)
    recompute_favorite_stores(persona_ids)
    return count


@transaction.atomic
def detach_sales_for_key(company_id: int, provider: str, key: str) -> int:
    """Unmapping a key: its sales lose their store (favorites are recomputed)."""
    sales = Sale.objects.filter(company_id=company_id, source=provider, pos_key=key).exclude(
        store=None
    )
    persona_ids = set(sales.exclude(persona=None).values_list("persona_id", flat=True))
    count = sales.update(store=None)
    recompute_favorite_stores(persona_ids)
    return count


def link_unlinked_sales(company_id: int, source: str, external_ids: Collection[str]) -> int:
    """Give anonymous sales of these POS customers the persona their identity now has."""
    if not external_ids:
        return 0
    persona_of_customer = PersonaIdentity.objects.filter(
        company_id=company_id, source=source, external_id=OuterRef("customer_external_id")
    ).values("persona_id")[:1]
    customers = Sale.objects.filter(
        company_id=company_id, source=source, customer_external_id__in=list(external_ids)
    )
    linked = customers.filter(persona__isnull=True).update(persona_id=Subquery(persona_of_customer))
    if linked:
        # The shoppers who just gained sales (their customers' other sales were theirs).
        summaries.refresh(
            customers.exclude(persona=None).values_list("persona_id", flat=True).distinct()
        )
    return linked
