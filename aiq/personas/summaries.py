"""Keeping each persona's purchase summary (``Persona.SUMMARY_FIELDS``) exact: every
writer of sales calls ``refresh`` with the personas whose sales it added, changed or moved,
inside its own transaction, and their columns are recomputed from their sales, set-based
(one UPDATE per 5,000 personas). ``rebuild`` recomputes a whole company (backfill);
``verify`` lists the personas whose columns differ from what their sales say.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from django.db import connection

from aiq.personas.models import Persona, Sale
from aiq.personas.models.persona import SUMMARY_FIELDS

CHUNK = 5000
_PERSONAS = Persona._meta.db_table
_SALES = Sale._meta.db_table


def _last(kind: str) -> str:
    return f"MAX(CASE WHEN NOT is_refund AND fulfillment = '{kind}' THEN occurred_at END)"


# Columns in SUMMARY_FIELDS order. ROUND: SQLite sums decimals as floats; PostgreSQL's
# numeric is unchanged by it.
_AGGREGATES = f"""SUM(CASE WHEN is_refund THEN 0 ELSE 1 END) AS c0,
       ROUND(SUM(total), 2) AS c1, MIN(occurred_at) AS c2, MAX(occurred_at) AS c3,
       MAX(CASE WHEN NOT is_refund THEN occurred_at END) AS c4,
       {_last("in_store")} AS c5, {_last("pickup")} AS c6, {_last("delivery")} AS c7"""
_SUMMARY_SELECT = f"""
SELECT persona_id, {_AGGREGATES}
FROM {{source}}
WHERE {{where}}
GROUP BY persona_id
"""  # noqa: S608 - table names and fulfillment kinds are constants
_ASSIGN = ", ".join(f"{name} = g.c{i}" for i, name in enumerate(SUMMARY_FIELDS))
_COLUMNS = ", ".join(f"{_PERSONAS}.{name}" for name in SUMMARY_FIELDS)
_VALUES = ", ".join(f"g.c{i}" for i in range(len(SUMMARY_FIELDS)))
_UPDATE = (
    f"UPDATE {_PERSONAS} SET {_ASSIGN} "  # noqa: S608
    f"FROM ({_SUMMARY_SELECT}) AS g WHERE {_PERSONAS}.id = g.persona_id{{changed}}"
)
# PostgreSQL writes only the rows that change (a replayed batch writes none).
_CHANGED = f" AND ({_COLUMNS}) IS DISTINCT FROM ({_VALUES})"


def _update(where: str, source: str = _SALES) -> str:
    changed = _CHANGED if connection.vendor == "postgresql" else ""
    return _UPDATE.format(where=where, changed=changed, source=source)


# A batch's personas drive the read on PostgreSQL: one index probe per persona on the
# (company, persona) index, whatever the table's statistics say. Each persona's sales
# are aggregated in a LATERAL subquery, which the planner cannot turn into a join: a
# join (or a `persona_id = ANY(array)` filter) lets a planner whose statistics lag a bulk
# load (a first sync, autovacuum behind) hash every sale of the company on every batch,
# a cost that grows with the history (bench_sync at 100,000 sales: 230 ms a batch, most
# of it reading the company's sales). A persona left without sales gets NULLs from the
# aggregates, which is what "no sales" means, so no separate clearing pass is needed.
_BATCH_UPDATE = (
    f"UPDATE {_PERSONAS} SET {_ASSIGN} FROM ("  # noqa: S608
    f"SELECT batch.pid AS persona_id, totals.* FROM unnest(%s::bigint[]) AS batch(pid) "
    f"CROSS JOIN LATERAL (SELECT {_AGGREGATES} FROM {_SALES} "
    f"WHERE {{where}} AND {_SALES}.persona_id = batch.pid) AS totals"
    # The ids again, on the personas: read by primary key, never by scanning the table.
    f") AS g WHERE {_PERSONAS}.id = g.persona_id AND {_PERSONAS}.id = ANY(%s::bigint[])"
    f"{_CHANGED}"
)


_CLEAR = ", ".join(f"{name} = NULL" for name in SUMMARY_FIELDS)


def _in_list(column: str, ids: list[int]) -> tuple[str, list]:
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def refresh(persona_ids: Iterable[int | None], company_id: int | None = None) -> None:
    """Recompute these personas' summaries from their sales (no sales: NULLs). Call in
    the transaction that changed the sales. With their ``company_id``, PostgreSQL reads
    the sales from the covering (company, persona) index alone (audiences migration
    0003) instead of visiting each sale."""
    ids = iter(sorted({pk for pk in persona_ids if pk is not None}))
    with connection.cursor() as cursor:
        while chunk := list(islice(ids, CHUNK)):
            if connection.vendor == "postgresql":
                where, params = "TRUE", [chunk]
                if company_id is not None:
                    where, params = f"{_SALES}.company_id = %s", [chunk, company_id]
                cursor.execute(_BATCH_UPDATE.format(where=where), [*params, chunk])
                continue
            where, params = _in_list("persona_id", chunk)
            if company_id is not None:
                where, params = f"company_id = %s AND {where}", [company_id, *params]
            cursor.execute(_update(where), params)
            gone, params = _in_list("id", chunk)
            cursor.execute(
                f"UPDATE {_PERSONAS} SET {_CLEAR} WHERE {gone}"  # noqa: S608
                f" AND first_sale_at IS NOT NULL AND NOT EXISTS"
                f" (SELECT 1 FROM {_SALES} s WHERE s.persona_id = {_PERSONAS}.id)",
                params,
            )


def rebuild(company_id: int) -> int:
    """Recompute every summary of the company (the backfill, or a repair); returns how
    many personas' summaries changed."""
    with connection.cursor() as cursor:
        cursor.execute(_update("company_id = %s AND persona_id IS NOT NULL"), [company_id])
        changed = cursor.rowcount
        cursor.execute(
            f"UPDATE {_PERSONAS} SET {_CLEAR} WHERE company_id = %s"  # noqa: S608
            " AND (purchase_count IS NOT NULL OR first_sale_at IS NOT NULL) AND NOT EXISTS"
            f" (SELECT 1 FROM {_SALES} s WHERE s.persona_id = {_PERSONAS}.id)",
            [company_id],
        )
        return changed + cursor.rowcount


def verify(company_id: int, limit: int = 100) -> list[int]:
    """Personas (at most ``limit``) whose summary differs from their sales; empty when
    the company's summaries are exact."""
    expected = _SUMMARY_SELECT.format(
        where="company_id = %s AND persona_id IS NOT NULL", source=_SALES
    )
    columns = ", ".join(SUMMARY_FIELDS)
    stored = (
        f"SELECT id, {columns} FROM {_PERSONAS} WHERE company_id = %s"  # noqa: S608
        f" AND ({' OR '.join(f'{name} IS NOT NULL' for name in SUMMARY_FIELDS)})"
    )
    missing = f"SELECT persona_id FROM ({expected} EXCEPT {stored}) AS missing"  # noqa: S608
    extra = f"SELECT id FROM ({stored} EXCEPT {expected}) AS extra"  # noqa: S608
    sql = f"{missing} UNION {extra} ORDER BY 1 LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [company_id] * 4 + [limit])
        return [row[0] for row in cursor.fetchall()]


# Every persona's summary from its sales, for the migration that adds the columns.
BACKFILL = _UPDATE.format(where="persona_id IS NOT NULL", changed="", source=_SALES)
