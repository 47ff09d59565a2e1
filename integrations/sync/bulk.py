"""The set-based writes of the sales stream: one batch of sales in, counts out.

Two interchangeable implementations with the same semantics, chosen by database:

- portable (SQLite, and PostgreSQL with ``SYNC_FAST_PATH = False``): one SELECT of the
  batch's stored hashes, one of its shoppers' identities, then
  ``bulk_create(update_conflicts=True, unique_fields=[company, source, external_id])``
  for the new and changed sales and ``bulk_create`` for their lines;
- PostgreSQL: the batch is COPYed into a temporary table, and one ``INSERT ... SELECT``
  joins it to the stored hashes, the identities and the store mappings and upserts
  (``ON CONFLICT (company_id, source, external_id) DO UPDATE``) only the new and changed
  rows, returning their ids; their lines are COPYed. Building one Django model instance
  per row, quoting 1,000-element IN lists and looking personas up in Python cost more
  than the database's own work at a million sales (``bench_sync`` measures it).

Either way an unchanged sale (same content hash) is neither sent to the table nor locked,
and the lines of a changed sale are replaced as a whole.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection

from aiq.personas import summaries
from aiq.personas.models import PersonaIdentity, Sale, SaleLine

# Row layouts shared with sales.py: the values the POS decides, in this order.
SALE_FIELDS = (
    "external_id",
    "customer_external_id",
    "pos_key",
    "occurred_at",
    "subtotal",
    "tax",
    "discount",
    "total",
    "currency",
    "fulfillment",
    "payment_method",
    "payments",
    "is_refund",
    "receipt_number",
    "content_hash",
)
LINE_FIELDS = (
    "position",
    "external_id",
    "product_external_id",
    "sku",
    "name",
    "category",
    "quantity",
    "unit_price",
    "discount",
    "total",
    "brand",
)
Row = tuple[Any, ...]
Lines = tuple[Row, ...]


@dataclass(slots=True)
class Written:
    """What one batch did to the sales table."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    persona_ids: set[int] = field(default_factory=set)
    pos_keys: set[str] = field(default_factory=set)
    # Sales created or changed in this batch (loyalty earns, or corrects, on exactly these).
    sale_ids: set[int] = field(default_factory=set)


def use_fast_path() -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "SYNC_FAST_PATH", True)


def write_sales(
    company_id: int,
    source: str,
    rows: Mapping[str, tuple[Row, Lines]],
    stores: Mapping[str, int],
    now: datetime,
) -> Written:
    """Upsert one batch: ``rows`` maps external id -> (sale row in SALE_FIELDS order,
    its lines in LINE_FIELDS order); ``stores`` maps POS key -> store id. Call inside the
    batch's transaction."""
    if not rows:
        return Written()
    if use_fast_path():
        written, moved_from = _write_postgresql(company_id, source, rows, now)
    else:
        written, moved_from = _write_portable(company_id, source, rows, stores, now)
    # Same transaction: audiences read purchase summaries that match the sales exactly.
    # A changed sale may have left a persona (``moved_from``) as well as reached one.
    summaries.refresh(written.persona_ids | moved_from, company_id)
    return written


# --- Portable ---------------------------------------------------------------------------


def _write_portable(
    company_id: int,
    source: str,
    rows: Mapping[str, tuple[Row, Lines]],
    stores: Mapping[str, int],
    now: datetime,
) -> tuple[Written, set[int]]:
    stored_rows = Sale.objects.filter(
        company_id=company_id, source=source, external_id__in=list(rows)
    ).values_list("external_id", "content_hash", "persona_id")
    existing = {key: stored for key, stored, _persona in stored_rows}
    to_write = [(row, lines) for key, (row, lines) in rows.items() if existing.get(key) != row[-1]]
    written = Written(unchanged=len(rows) - len(to_write))
    if not to_write:
        return written, set()
    changed = [key for key, stored in existing.items() if stored != rows[key][0][-1]]
    moved_from = {
        persona
        for key, stored, persona in stored_rows
        if persona is not None and stored != rows[key][0][-1]
    }
    customers = {row[1] for row, _lines in to_write if row[1]}
    personas = dict(
        PersonaIdentity.objects.filter(
            company_id=company_id, source=source, external_id__in=list(customers)
        ).values_list("external_id", "persona_id")
    )
    objects = []
    for row, _lines in to_write:
        values = dict(zip(SALE_FIELDS, row, strict=True))
        values["payments"] = json.loads(values["payments"])
        objects.append(
            Sale(
                company_id=company_id,
                source=source,
                persona_id=personas.get(row[1]),
                store_id=stores.get(row[2]),
                created_at=now,
                updated_at=now,
                **values,
            )
        )
    Sale.objects.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=["company", "source", "external_id"],
        update_fields=["persona", "store", *SALE_FIELDS[1:], "updated_at"],
    )
    ids = dict(
        Sale.objects.filter(
            company_id=company_id, source=source, external_id__in=[row[0] for row, _ in to_write]
        ).values_list("external_id", "pk")
    )
    if changed:
        SaleLine.objects.filter(sale_id__in=[ids[key] for key in changed]).delete()
    SaleLine.objects.bulk_create(
        [
            SaleLine(sale_id=ids[row[0]], **dict(zip(LINE_FIELDS, line, strict=True)))
            for row, lines in to_write
            for line in lines
        ],
        batch_size=2000,
    )
    written.updated = len(changed)
    written.created = len(to_write) - written.updated
    written.persona_ids = {p for p in personas.values() if p is not None}
    written.pos_keys = {row[2] for row, _lines in to_write}
    written.sale_ids = set(ids.values())
    return written, moved_from


# --- PostgreSQL -----------------------------------------------------------------------------

STAGE = "sync_sale_stage"
_STAGE_COLUMNS = ", ".join(SALE_FIELDS)
# Every name below comes from the constants of this module, never from data.
_CREATE_STAGE = f"""
CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} (
    external_id text, customer_external_id text, pos_key text, occurred_at timestamptz,
    subtotal numeric, tax numeric, discount numeric, total numeric, currency text,
    fulfillment text, payment_method text, payments jsonb, is_refund boolean,
    receipt_number text, content_hash text
) ON COMMIT DELETE ROWS
"""
_SELECTED = ", ".join(f"s.{name}" for name in SALE_FIELDS)
_ASSIGNED = ", ".join(
    f"{name} = EXCLUDED.{name}"
    for name in ("persona_id", "store_id", *SALE_FIELDS[1:], "updated_at")
)
# Lookups are scalar subqueries on purpose: each is an index probe per staged row, whereas
# a join lets the planner (with stale statistics after a bulk load) hash the company's
# whole sales table for every batch.
_UPSERT = f"""
INSERT INTO personas_sale (
    company_id, source, persona_id, store_id, {_STAGE_COLUMNS}, created_at, updated_at
)
SELECT %(company)s, %(source)s,
       CASE WHEN s.customer_external_id <> '' THEN (
           SELECT identity.persona_id FROM personas_personaidentity identity
           WHERE identity.company_id = %(company)s AND identity.source = %(source)s
             AND identity.external_id = s.customer_external_id
       ) END,
       (
           SELECT mapping.store_id FROM stores_storemapping mapping
           WHERE mapping.company_id = %(company)s AND mapping.provider = %(source)s
             AND mapping.key = s.pos_key
       ),
       {_SELECTED}, %(now)s, %(now)s
FROM {STAGE} s
WHERE (
    SELECT stored.content_hash FROM personas_sale stored
    WHERE stored.company_id = %(company)s AND stored.source = %(source)s
      AND stored.external_id = s.external_id
) IS DISTINCT FROM s.content_hash
ON CONFLICT (company_id, source, external_id) DO UPDATE SET {_ASSIGNED}
RETURNING id, external_id, persona_id, pos_key, (xmax = 0) AS inserted
"""  # noqa: S608


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Any) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# The personas of stored sales this batch changes (read before the upsert moves them).
# One probe of the unique key per staged sale, as the upsert makes: the LIMIT keeps the
# planner from flattening the LATERAL into a join, which with statistics that lag a bulk
# load (autovacuum behind a first sync) hashed every sale of the source on every batch.
_CHANGED_OWNERS = f"""
SELECT DISTINCT stored.persona_id
FROM {STAGE} s
CROSS JOIN LATERAL (
    SELECT sale.persona_id, sale.content_hash FROM personas_sale sale
    WHERE sale.company_id = %(company)s AND sale.source = %(source)s
      AND sale.external_id = s.external_id
    LIMIT 1
) AS stored
WHERE stored.content_hash IS DISTINCT FROM s.content_hash AND stored.persona_id IS NOT NULL
"""  # noqa: S608


def _write_postgresql(
    company_id: int, source: str, rows: Mapping[str, tuple[Row, Lines]], now: datetime
) -> tuple[Written, set[int]]:
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor: COPY, and no client-side quoting
        cursor.execute(_CREATE_STAGE)
        # Empty even when no COMMIT came since the last batch (called inside an outer
        # transaction, as tests and nested callers do).
        cursor.execute(f"DELETE FROM {STAGE}")  # noqa: S608 - a constant
        _copy(cursor, STAGE, SALE_FIELDS, (row for row, _lines in rows.values()))
        cursor.execute(_CHANGED_OWNERS, {"company": company_id, "source": source})
        moved_from = {row[0] for row in cursor.fetchall()}
        cursor.execute(_UPSERT, {"company": company_id, "source": source, "now": now})
        returned = cursor.fetchall()
        written = Written(unchanged=len(rows) - len(returned))
        changed = []
        line_rows = []
        for sale_id, external_id, persona_id, pos_key, inserted in returned:
            if inserted:
                written.created += 1
            else:
                changed.append(sale_id)
            if persona_id is not None:
                written.persona_ids.add(persona_id)
            written.pos_keys.add(pos_key)
            written.sale_ids.add(sale_id)
            line_rows.extend((sale_id, *line) for line in rows[external_id][1])
        written.updated = len(changed)
        if changed:
            cursor.execute("DELETE FROM personas_saleline WHERE sale_id = ANY(%s)", [changed])
        _copy(cursor, SaleLine._meta.db_table, ("sale_id", *LINE_FIELDS), line_rows)
    return written, moved_from
