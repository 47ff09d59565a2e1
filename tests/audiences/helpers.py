from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from aiq.personas import summaries
from aiq.personas.models import Persona, Sale, SaleLine

_numbers = itertools.count(1)


def sale(
    persona: Persona,
    total: str = "20",
    *,
    days_ago: int = 1,
    fulfillment: str = "in_store",
    refund: bool = False,
    category: str = "",
    brand: str = "",
    quantity: str = "1",
) -> Sale:
    amount = Decimal(total)
    made = Sale.objects.create(
        company=persona.company,
        persona=persona,
        source="cova",
        external_id=f"S{next(_numbers)}",
        pos_key="loc-1",
        occurred_at=timezone.now() - timedelta(days=days_ago),
        subtotal=abs(amount),
        tax=Decimal(0),
        discount=Decimal(0),
        total=amount,
        fulfillment=fulfillment,
        is_refund=refund,
        content_hash="test",
    )
    if category or brand:
        SaleLine.objects.create(
            sale=made,
            position=1,
            name="Item",
            category=category,
            brand=brand,
            quantity=Decimal(quantity),
            unit_price=amount,
            discount=Decimal(0),
            total=amount,
        )
    # A writer of sales keeps the purchase summary in step (as the sync and the API do).
    summaries.refresh([persona.pk])
    return made
