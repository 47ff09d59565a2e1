"""What a redemption URL names, read in one statement: the shopper, the discount and
whether the company's POS deducts on apply (see ``pos``). Every PUT on a redemption URL
reads these first; three ORM queries became one hand-written SELECT (aiq/raw_rows.py)."""

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
from loyalty.discounts.models import Discount
from loyalty.ledger.models import LoyaltyAccount


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
