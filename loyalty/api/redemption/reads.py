"""A redemption's reads, each in one statement (hand-written SELECTs, aiq/raw_rows.py).

Before the lock: what a redemption URL names, the shopper, the discount and whether the
company's POS deducts on apply (see ``pos``); three ORM queries became one.

Under the shopper's account lock (``read_under_lock``): the redemption of this request's
key, the shopper's uses of the discount (its rules) and the account's open lots (the
debit), three statements that became one on PostgreSQL. It runs after the lock, as its
own statement, so its snapshot holds everything committed by whoever held the lock
before: every path that writes a shopper's redemptions, uses and lots takes that lock
first.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connection

from aiq.accounts.models import Company
from aiq.personas.models import Persona
from aiq.raw_rows import RowShape, hot_cursor, link
from integrations.models import Integration
from loyalty.api.redemption.models import Redemption
from loyalty.api.redemption.pos import DEDUCTING_ON_APPLY
from loyalty.discounts.models import Discount, DiscountUse
from loyalty.discounts.services import Usage, usage_from_row
from loyalty.ledger.models import Lot, LoyaltyAccount
from loyalty.ledger.postings import fifo_order_sql


@dataclass(frozen=True)
class Subjects:
    persona: Persona
    discount: Discount
    deducts_on_apply: bool


def read_subjects(company: Company, persona_id: int, discount_id: int) -> Subjects | None:
    """The company's persona and discount with these ids; None when either is missing
    (or another company's: a token is only good within its company)."""
    query = _query()
    with hot_cursor() as cursor:
        cursor.execute(
            query.sql,
            [company.pk, *query.providers, discount_id, company.pk, persona_id, company.pk],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    persona = query.persona.build(row)
    discount = query.discount.build(row, query.persona.width)
    link(persona, "company", company)
    link(discount, "company", company)
    return Subjects(persona, discount, bool(row[-1]))  # type: ignore[arg-type]


class _Query:
    def __init__(self) -> None:
        self.persona = RowShape(Persona, "p")
        self.discount = RowShape(Discount, "d")
        self.providers = sorted(DEDUCTING_ON_APPLY)
        marks = ", ".join(["%s"] * len(self.providers))
        self.sql = (
            f"SELECT {self.persona.sql}, {self.discount.sql},"  # noqa: S608 - names from the models
            f" EXISTS (SELECT 1 FROM {Integration._meta.db_table} i"
            f"   WHERE i.company_id = %s AND i.provider IN ({marks}))"
            f" FROM {Persona._meta.db_table} p"
            f" JOIN {Discount._meta.db_table} d ON d.id = %s AND d.company_id = %s"
            " WHERE p.id = %s AND p.company_id = %s"
        )


@functools.cache
def _query() -> _Query:
    return _Query()


def lock_account_row(persona: Persona) -> LoyaltyAccount | None:
    """The persona's account, locked FOR UPDATE until the transaction ends; None before
    its first entry (the caller creates it)."""
    query = _locks()
    with hot_cursor() as cursor:
        cursor.execute(query.account_sql, [persona.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    account = query.account.build(row)
    link(account, "persona", persona)
    return account  # type: ignore[return-value]


def redemption_of(company_id: int, request_key: str, *, lock: bool) -> Redemption | None:
    """The company's redemption of this request key, locked FOR UPDATE when ``lock``."""
    query = _locks()
    with hot_cursor() as cursor:
        cursor.execute(query.redemption_sql[lock], [company_id, request_key])
        row = cursor.fetchone()
    return None if row is None else query.redemption.build(row)  # type: ignore[return-value]


class _Locks:
    def __init__(self) -> None:
        # SQLite has no FOR UPDATE: it serialises writers with its database lock.
        for_update = " FOR UPDATE" if connection.features.has_select_for_update else ""
        self.account = RowShape(LoyaltyAccount, "a")
        self.redemption = RowShape(Redemption, "r")
        self.account_sql = (
            f"SELECT {self.account.sql} FROM {LoyaltyAccount._meta.db_table} a"  # noqa: S608
            " WHERE a.persona_id = %s" + for_update
        )
        select = (
            f"SELECT {self.redemption.sql} FROM {Redemption._meta.db_table} r"  # noqa: S608
            " WHERE r.company_id = %s AND r.request_key = %s"
        )
        self.redemption_sql = {False: select, True: select + for_update}


@functools.cache
def _locks() -> _Locks:
    return _Locks()


@dataclass(frozen=True)
class UnderLock:
    """What a redemption reads once it holds the shopper's account lock. ``uses`` and
    ``open_lots`` are None where they were not read together (SQLite): the discount's
    rules and the ledger's debit then read them themselves, under the same lock."""

    redemption: Redemption | None
    uses: Usage | None = None
    open_lots: list[Lot] | None = None


def read_under_lock(
    company_id: int,
    request_key: str | None,
    persona: Persona,
    discount: Discount,
    account: LoyaltyAccount,
) -> UnderLock:
    """The redemption of ``request_key`` (locked FOR UPDATE), the shopper's uses of the
    discount and the account's open lots in FIFO order; the caller holds the lock on
    ``account``."""
    if connection.vendor != "postgresql":
        # SQLite has no LATERAL: the three reads stay apart.
        existing = None
        if request_key is not None:
            existing = redemption_of(company_id, request_key, lock=True)
        return UnderLock(existing)
    query = _under_lock()
    with hot_cursor() as cursor:
        cursor.execute(query.sql, [persona.pk, discount.pk, company_id, request_key, account.pk])
        rows = cursor.fetchall()
    first = rows[0]  # the uses' aggregate makes one row at least
    redemption = query.redemption.build(first)
    at = query.redemption.width
    uses = usage_from_row(first[at], first[at + 1])
    lots = [query.lot.build(row, at + 2) for row in rows]
    return UnderLock(
        redemption,  # type: ignore[arg-type]
        uses,
        [lot for lot in lots if lot is not None],  # type: ignore[misc]
    )


class _UnderLock:
    def __init__(self) -> None:
        self.redemption = RowShape(Redemption, "r")
        self.lot = RowShape(Lot, "lot")
        # One row per open lot (one row with NULL lot columns when there is none), each
        # carrying the redemption (or NULLs) and the uses. The redemption's FOR UPDATE
        # sits in its own sub-SELECT: PostgreSQL locks no row on an outer join's
        # nullable side, and there it locks just the one row it returns.
        self.sql = (
            f"SELECT {self.redemption.sql}, u.n, u.last_used_at, {self.lot.sql}"  # noqa: S608 - names from the models
            " FROM (SELECT COUNT(*) AS n, MAX(used_at) AS last_used_at"
            f"   FROM {DiscountUse._meta.db_table} WHERE persona_id = %s AND discount_id = %s) u"
            f" LEFT JOIN LATERAL (SELECT * FROM {Redemption._meta.db_table}"
            "   WHERE company_id = %s AND request_key = %s FOR UPDATE) r ON TRUE"
            f" LEFT JOIN LATERAL (SELECT * FROM {Lot._meta.db_table}"
            "   WHERE account_id = %s AND remaining > 0) lot ON TRUE"
            f" ORDER BY {fifo_order_sql('lot')}"
        )


@functools.cache
def _under_lock() -> _UnderLock:
    return _UnderLock()
