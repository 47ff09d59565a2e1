"""One page of contact ids for the sorts on a per-persona aggregate: ``source`` (the first
source identity's) and ``usedpoints`` (points redeemed).

As ORDER BY subqueries these ran once per persona: 3.7 and 5.4 seconds at 200,000
personas on PostgreSQL. Here each is one grouped table joined to the filtered personas
(the listing's own WHERE, compiled by Django), hashed in one pass: 3.7 and 5.6 s at a
million personas on a loaded 2-core machine (README, "The persona listing"). The
page's rows are then read by id (``piis_results``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

from aiq.personas.models import PersonaIdentity
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount

IDENTITIES = PersonaIdentity._meta.db_table
ENTRIES = LedgerEntry._meta.db_table
ACCOUNTS = LoyaltyAccount._meta.db_table


def _first_source(company_id: int) -> tuple[str, list[object], str]:
    # The identity with the lowest id, as srcID and platform show it: the one no earlier
    # identity of its persona precedes (an anti-join PostgreSQL hashes; 3.5 s at a
    # million rows, where ROW_NUMBER() took 9 s and "id IN (SELECT MIN(id) ... GROUP BY)"
    # was misestimated into a loop over the index).
    join = f"""
        LEFT JOIN (
            SELECT i.persona_id, i.source FROM {IDENTITIES} i
            WHERE i.company_id = %s AND NOT EXISTS (
                SELECT 1 FROM {IDENTITIES} earlier
                WHERE earlier.persona_id = i.persona_id AND earlier.id < i.id
            )
        ) ranked ON ranked.persona_id = f.pk"""  # noqa: S608 - table names are constants
    return join, [company_id], "ranked.source"


def _used_points(company_id: int) -> tuple[str, list[object], str]:
    # Redemption debits: direct redeems (negative REDEEM) and holds committed by a
    # zero-point REDEEM, both found from REDEEM rows (the partial index on settling
    # entries); then the REVERSALs that gave some of them back. Minus their sum is used.
    join = f"""
        LEFT JOIN {ACCOUNTS} account ON account.persona_id = f.pk
        LEFT JOIN (
            WITH debits AS (
                SELECT r.id, r.account_id, r.points FROM {ENTRIES} r
                WHERE r.company_id = %s AND r.kind = %s AND r.points < 0
                UNION ALL
                SELECT h.id, h.account_id, h.points
                FROM {ENTRIES} r JOIN {ENTRIES} h ON h.id = r.reverses_id
                WHERE r.company_id = %s AND r.kind = %s AND h.kind = %s
            )
            SELECT moves.account_id, -SUM(moves.points) AS used FROM (
                SELECT account_id, points FROM debits
                UNION ALL
                SELECT v.account_id, v.points
                FROM debits d JOIN {ENTRIES} v ON v.reverses_id = d.id AND v.kind = %s
            ) moves
            GROUP BY moves.account_id
        ) ranked ON ranked.account_id = account.id"""  # noqa: S608 - table names are constants
    params: list[object] = [
        company_id,
        EntryKind.REDEEM.value,
        company_id,
        EntryKind.REDEEM.value,
        EntryKind.HOLD.value,
        EntryKind.REVERSAL.value,
    ]
    return join, params, "COALESCE(ranked.used, 0)"


AGGREGATE_SORTS: dict[str, Callable[[int], tuple[str, list[object], str]]] = {
    "source": _first_source,
    "usedpoints": _used_points,
}


def ranked_page_ids(
    personas: QuerySet, company_id: int, sort: str, *, descending: bool, start: int, limit: int
) -> list[int]:
    """The ids of one page of ``personas`` (already filtered) in the aggregate's order;
    ids break ties in the same direction, personas without a value come last."""
    inner, inner_params = personas.order_by().values("pk").query.sql_with_params()
    join, join_params, value = AGGREGATE_SORTS[sort](company_id)
    direction = "DESC" if descending else "ASC"
    # Every value is a parameter; the text is Django's compiled SQL and our constants.
    sql = (
        f"SELECT f.pk FROM ({inner}) f {join} "  # noqa: S608
        f"ORDER BY {value} {direction} NULLS LAST, f.pk {direction} LIMIT %s OFFSET %s"
    )
    with connections[personas.db].cursor() as cursor:
        cursor.execute(sql, [*inner_params, *join_params, limit, start])
        return [row[0] for row in cursor.fetchall()]
