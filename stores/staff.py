"""Which stores a staff member works at: the one rule the waiting-room queue and the
online orders share.

Owners, managers and marketers work for every store of their company. A budtender works
at the stores their membership names, or at every store when it names none.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from aiq.accounts.choices import Role
from stores.models import RetailStore


def chosen_store_ids(user: Any) -> list[int] | None:
    """The ids a budtender's membership limits them to; None when nothing limits the
    member to some stores (not a budtender, or a budtender whose membership names none)."""
    membership = getattr(user, "membership", None)
    if user.is_superuser or membership is None or membership.role != Role.BUDTENDER:
        return None
    chosen = list(membership.stores.values_list("pk", flat=True))
    return chosen or None


def stores_worked_by(user: Any) -> QuerySet[RetailStore]:
    """The stores this staff member works at (superusers: every store of every company)."""
    if user.is_superuser:
        return RetailStore.objects.all()
    membership = getattr(user, "membership", None)
    if membership is None:
        return RetailStore.objects.none()
    stores = RetailStore.objects.filter(company_id=membership.company_id)
    chosen = chosen_store_ids(user)
    return stores if chosen is None else stores.filter(pk__in=chosen)
