"""PostgreSQL: everything ``post`` writes for one entry, in one statement.

An entry moves up to five tables (the entry, its allocations, the lots they consume, the
lot it opens, the account's balance). Through the ORM that is five to eight round trips,
with a savepoint around the entry when it carries an idempotency key; on the POS's
redemption path those round trips were most of the request's database time. Here they
are one ``WITH`` statement: every write joins on the entry's ``INSERT ... RETURNING``, so
when the entry is not written (its idempotency key, or the one settlement per entry, is
taken) nothing else is, and no savepoint is needed to keep the transaction usable.

The values are the ones ``post`` computed in Python under the account's lock, written as
values, as the ORM path writes them; the same CHECKs, keys and triggers apply.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from aiq.raw_rows import hot_cursor
from loyalty.ledger.models import Allocation, LedgerEntry, Lot, LoyaltyAccount

# The entry's columns that every writer fills: COPY's (``postings._copy_awards``, which
# writes its rows in this order) and this statement's.
ENTRY_COLUMNS = (
    "company_id",
    "account_id",
    "kind",
    "points",
    "occurred_at",
    "sale_id",
    "staff_user_id",
    "api_key_label",
    "task",
    "reason",
    "explanation",
    "idempotency_key",
)
# This statement's, in the order ``write`` passes their values.
INSERTED_COLUMNS = ("created_at", *ENTRY_COLUMNS, "reverses_id", "merge_id")


@dataclass(frozen=True)
class LotMove:
    """One allocation: ``portion`` taken from the lot (negative: given back), leaving
    ``remaining``."""

    lot_id: int
    portion: Decimal
    remaining: Decimal


@dataclass(frozen=True)
class OpenedLot:
    points: Decimal
    earned_at: datetime
    expires_at: datetime | None
    source_lot_id: int | None


def write(
    entry: LedgerEntry,
    *,
    moves: Sequence[LotMove],
    opens: OpenedLot | None,
    account: LoyaltyAccount,
    account_changes: dict[str, Any],
) -> int | None:
    """Insert ``entry`` and everything it moves; its new id, or None when the entry was
    not written because a unique key refused it (then nothing was written).

    ``moves``: the allocations and what each leaves in its lot; ``account_changes``: the
    account's new column values."""
    params: list[Any] = [getattr(entry, column) for column in INSERTED_COLUMNS]
    lot_ids = [move.lot_id for move in moves]
    params += [lot_ids, [move.portion for move in moves]]
    params += [lot_ids, [move.remaining for move in moves]]
    if opens is not None:
        params += [entry.company_id, entry.account_id, opens.points, opens.points]
        params += [opens.earned_at, opens.expires_at, opens.source_lot_id]
    changed = sorted(account_changes)
    params += [account_changes[name] for name in changed]
    params.append(account.pk)
    # Prepared once per connection (``hot_cursor``): planning the six-part statement
    # cost about as much as running it.
    with hot_cursor() as cursor:
        cursor.execute(_sql(opens is not None, tuple(changed)), params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


@functools.cache
def _sql(opens: bool, account_columns: tuple[str, ...]) -> str:
    entries, allocations = LedgerEntry._meta.db_table, Allocation._meta.db_table
    lots, accounts = Lot._meta.db_table, LoyaltyAccount._meta.db_table
    marks = ", ".join(["%s"] * len(INSERTED_COLUMNS))
    # Table and column names from the models; every value is a parameter.
    parts = [
        # DO NOTHING without a target: either unique key (the idempotency key, or one
        # settlement per entry) leaves the CTE empty, and ``post`` tells which.
        f"entry AS (INSERT INTO {entries} ({', '.join(INSERTED_COLUMNS)}) VALUES ({marks})"  # noqa: S608
        " ON CONFLICT DO NOTHING RETURNING id)",
        f"allocated AS (INSERT INTO {allocations} (entry_id, lot_id, points)"  # noqa: S608
        " SELECT entry.id, portion.lot_id, portion.points FROM entry,"
        " unnest(%s::bigint[], %s::numeric[]) AS portion (lot_id, points))",
        f"consumed AS (UPDATE {lots} AS lot SET remaining = moved.remaining FROM entry,"  # noqa: S608
        " unnest(%s::bigint[], %s::numeric[]) AS moved (id, remaining)"
        " WHERE lot.id = moved.id)",
    ]
    if opens:
        parts.append(
            f"opened AS (INSERT INTO {lots} (company_id, account_id, award_id, points,"  # noqa: S608
            " remaining, earned_at, expires_at, source_lot_id)"
            " SELECT %s::bigint, %s::bigint, entry.id, %s::numeric, %s::numeric,"
            " %s::timestamptz, %s::timestamptz, %s::bigint FROM entry)"
        )
    sets = ", ".join(f"{column} = %s" for column in account_columns)
    parts.append(
        f"moved AS (UPDATE {accounts} AS account SET {sets} FROM entry WHERE account.id = %s)"  # noqa: S608
    )
    return "WITH " + ", ".join(parts) + " SELECT id FROM entry"  # noqa: S608
