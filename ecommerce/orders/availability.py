"""What the menu can still sell: Cova's in-stock quantity less the active holds.

The sync refreshes in-stock every 10 minutes; holds cover the orders placed in between
(seed 002: "we will also keep an accurate hold on any inventory ordered").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ecommerce.models import InventoryHold, MenuProduct

ZERO = Decimal("0")
QUANTITY = DecimalField(max_digits=12, decimal_places=3)


def held_quantities(product_ids: Iterable[int], now: datetime) -> dict[int, Decimal]:
    """Units held per product at ``now`` (products without holds are absent)."""
    rows = (
        InventoryHold.objects.active(now)
        .filter(product_id__in=list(product_ids))
        .values("product_id")
        .annotate(held=Sum("quantity"))
    )
    return {row["product_id"]: Decimal(row["held"]) for row in rows}


def with_held_quantity(products: QuerySet[MenuProduct], now: datetime) -> QuerySet[MenuProduct]:
    """Annotate each product with ``held_quantity`` (one subquery, no row per hold)."""
    held = (
        InventoryHold.objects.active(now)
        .filter(product=OuterRef("pk"))
        .values("product")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return products.annotate(
        held_quantity=Coalesce(
            Subquery(held, output_field=QUANTITY), Value(ZERO), output_field=QUANTITY
        )
    )


def available(in_stock: Decimal, held: Decimal | None) -> int:
    """Whole units that can still be ordered (never below zero: a sync may count a sale
    whose hold is still on)."""
    units = int(Decimal(in_stock) - Decimal(held or ZERO))
    return max(units, 0)
