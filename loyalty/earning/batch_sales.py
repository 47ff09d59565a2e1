"""What earning reads for a batch: its sales and their same-day neighbours, each with the
store-local day it counts on and the day its persona enrolled, in visit order.

Visits are counted per persona per store-local day, in the order the sales happened, so a
batch's sale needs every eligible sale of its persona on the same day, wherever in the
sync that sale came. On PostgreSQL one statement does it all, the local days included
(``AT TIME ZONE`` per store): converting a hundred thousand timestamps in Python costs
more than the whole query. Elsewhere the ORM reads the rows and Python converts.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Exists, Max, Min, OuterRef
from psycopg.types.datetime import TimestamptzLoader

from aiq.personas.models import Sale
from loyalty.earning.context import EarningContext
from loyalty.ledger.ids import id_array, ids_in


class SaleRow(NamedTuple):
    pk: int
    persona_id: int
    source: str
    store_id: int | None
    pos_key: str
    occurred_at: datetime
    total: Decimal
    tax: Decimal
    receipt_number: str
    external_id: str
    phone: str
    day: date  # the store's local day of the sale
    enrolled_day: date  # the store's local day of the persona's enrollment


def sales_with_neighbours(
    context: EarningContext, company_id: int, sale_ids: list[int]
) -> Iterator[SaleRow]:
    """The batch's eligible sales (not refunds, of enrolled personas) and the same
    personas' eligible sales within a day of one of them, ordered by persona, local day,
    time and id (the order visits are counted in)."""
    if connection.vendor == "postgresql":
        return _postgresql(company_id, sale_ids)
    return _generic(context, company_id, sale_ids)


# The persona ids and the time span go in as values, not as a subquery: the planner then
# walks the (persona, time) index instead of scanning the company's sales. The EXISTS
# keeps only sales within a day of a batch sale of the same persona.
_NEIGHBOURS = """
WITH batch AS (
    SELECT id, persona_id, occurred_at FROM personas_sale
    WHERE id = ANY(%(ids)s::bigint[]) AND company_id = %(company)s
      AND NOT is_refund AND persona_id IS NOT NULL
), span AS (
    SELECT array_agg(DISTINCT persona_id) AS personas,
           min(occurred_at) - interval '1 day' AS first,
           max(occurred_at) + interval '1 day' AS last
    FROM batch
)
SELECT s.id, s.persona_id, s.source, s.store_id, s.pos_key, s.occurred_at, s.total, s.tax,
       s.receipt_number, s.external_id, p.phone,
       (s.occurred_at AT TIME ZONE coalesce(r.time_zone, %(zone)s))::date AS day,
       (p.loyalty_enrolled_at AT TIME ZONE coalesce(r.time_zone, %(zone)s))::date
FROM span
JOIN personas_sale s ON s.persona_id = ANY(span.personas)
     AND s.occurred_at BETWEEN span.first AND span.last
JOIN personas_persona p ON p.id = s.persona_id
LEFT JOIN stores_retailstore r ON r.id = s.store_id
WHERE s.company_id = %(company)s AND NOT s.is_refund AND p.loyalty_enrolled_at IS NOT NULL
  AND EXISTS (
      SELECT 1 FROM batch b
      WHERE b.persona_id = s.persona_id
        AND b.occurred_at BETWEEN s.occurred_at - interval '1 day'
                              AND s.occurred_at + interval '1 day')
ORDER BY s.persona_id, day, s.occurred_at, s.id
"""


def _postgresql(company_id: int, sale_ids: list[int]) -> Iterator[SaleRow]:
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor
        # psycopg's C parser for timestamps: Django's connection-wide loader (a Python
        # subclass) parses each one in Python, a third of this query's cost.
        cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(
            _NEIGHBOURS,
            {"ids": id_array(sale_ids), "company": company_id, "zone": settings.TIME_ZONE},
        )
        rows = cursor.fetchall()
    # Each row as a SaleRow without a Python call per row: the statement's columns are
    # SaleRow's fields, in order.
    return map(_SALE_ROW, rows)


_SALE_ROW = functools.partial(tuple.__new__, SaleRow)


# SaleRow's fields up to the phone, as the ORM names them.
_FIELDS = (
    "pk",
    "persona_id",
    "source",
    "store_id",
    "pos_key",
    "occurred_at",
    "total",
    "tax",
    "receipt_number",
    "external_id",
    "persona__phone",
)


def _generic(context: EarningContext, company_id: int, sale_ids: list[int]) -> Iterator[SaleRow]:
    batch = Sale.objects.filter(
        ids_in("pk", sale_ids), company_id=company_id, is_refund=False, persona__isnull=False
    )
    persona_ids = set(batch.values_list("persona_id", flat=True))
    if not persona_ids:
        return iter(())
    span = batch.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    near = batch.filter(
        persona_id=OuterRef("persona_id"),
        occurred_at__gte=OuterRef("occurred_at") - timedelta(days=1),
        occurred_at__lte=OuterRef("occurred_at") + timedelta(days=1),
    )
    rows = []
    for *values, enrolled_at in (
        Sale.objects.filter(
            ids_in("persona_id", persona_ids),
            company_id=company_id,
            is_refund=False,
            persona__loyalty_enrolled_at__isnull=False,
            occurred_at__gte=span["first"] - timedelta(days=1),
            occurred_at__lte=span["last"] + timedelta(days=1),
        )
        .filter(Exists(near))
        .order_by()
        .values_list(*_FIELDS, "persona__loyalty_enrolled_at")
    ):
        row = SaleRow(*values, day=date.min, enrolled_day=date.min)
        rows.append(
            row._replace(
                day=context.local_date(row.occurred_at, row.store_id),
                enrolled_day=context.local_date(enrolled_at, row.store_id),
            )
        )
    rows.sort(key=lambda r: (r.persona_id, r.day, r.occurred_at, r.pk))
    return iter(rows)
