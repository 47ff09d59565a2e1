"""Finding the key's company's shopper by phone or email, normalised as everywhere else."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiq.accounts.models import Company
from aiq.personas.models import Persona
from aiq.personas.normalize import looks_like_phone, normalize_email, normalize_phone
from aiq.raw_rows import RowShape, hot_cursor, link
from loyalty.discounts.models import Discount
from loyalty.discounts.services import (
    DISCOUNT_ORDER,
    discount_columns,
    discounts_from_rows,
    usage_columns,
)
from loyalty.ledger.models import LoyaltyAccount

T = TypeVar("T")


@dataclass(frozen=True)
class WalletShopper:
    persona: Persona
    # The company's active discounts with this shopper's uses of each (what
    # ``discount_options`` reads when not given them), cheapest first.
    discounts: list[Discount]


def find_shopper(company: Company, *, phone: str = "", email: str = "") -> Persona | None:
    """The company's persona with this phone (E.164 or as stored raw), else this email.
    Another company's shopper with the same phone is never seen. Its loyalty account comes
    in the same query (the wallet reads it next)."""
    return _find(company, phone, email, _first)


def find_wallet_shopper(
    company: Company, *, phone: str = "", email: str = ""
) -> WalletShopper | None:
    """``find_shopper``, and in the same statement what the wallet reads next: the
    company's active discounts with the shopper's uses of each. One statement where the
    wallet ran two; each statement is a round trip, about as much CPU as a small query's
    own work."""
    return _find(company, phone, email, _first_with_discounts)


def _find(
    company: Company, phone: str, email: str, first: Callable[[Company, str, str], T | None]
) -> T | None:
    if phone.strip():
        e164 = normalize_phone(phone, company.phone_region)
        column, value = ("phone", e164) if e164 else ("phone_raw", phone.strip())
        found = first(company, column, value)
        if found is not None:
            return found
    address = normalize_email(email)
    if address:
        return first(company, "email", address)
    return None


def _first(company: Company, column: str, value: str) -> Persona | None:
    """The lowest-id persona of the company whose ``column`` equals ``value``, with its
    account: one hand-written SELECT (every wallet read runs it; see aiq/raw_rows.py)."""
    lookup = _lookup()
    with hot_cursor() as cursor:
        cursor.execute(lookup.sql[column], [company.pk, value])
        row = cursor.fetchone()
    return None if row is None else lookup.build(company, row)


def _first_with_discounts(company: Company, column: str, value: str) -> WalletShopper | None:
    """``_first`` with the discounts: the shopper's row, then one row per discount."""
    lookup = _lookup()
    with hot_cursor() as cursor:
        cursor.execute(lookup.wallet_sql[column], [company.pk, value])
        rows = cursor.fetchall()
    if not rows:
        return None
    persona = lookup.build(company, rows[0], start=1)
    return WalletShopper(persona, discounts_from_rows(rows[1:], 1 + lookup.width))


class _Lookup:
    COLUMNS = ("phone", "phone_raw", "email")

    def __init__(self) -> None:
        self.persona = RowShape(Persona, "p")
        self.account = RowShape(LoyaltyAccount, "a")
        self.width = self.persona.width + self.account.width
        persona_table = Persona._meta.db_table
        account_table = LoyaltyAccount._meta.db_table
        select = (
            f"SELECT {self.persona.sql}, {self.account.sql}"  # noqa: S608 - names from the models
            f" FROM {persona_table} p"
            f" LEFT JOIN {account_table} a ON a.persona_id = p.id"
        )
        self.sql = {
            column: f"{select} WHERE p.company_id = %s AND p.{column} = %s ORDER BY p.id LIMIT 1"
            for column in self.COLUMNS
        }
        # The shopper's row first, then one row per active discount of the company, each
        # row NULL where it is not its part: the shopper's 39 columns are sent and parsed
        # once, not once per discount.
        discounts = discount_columns()
        order = ", ".join(
            str(2 + self.width + discounts.index(column)) for column in DISCOUNT_ORDER
        )
        self.wallet_sql = {
            column: (
                f"WITH p AS (SELECT * FROM {persona_table}"  # noqa: S608 - names from the models
                f"   WHERE company_id = %s AND {column} = %s ORDER BY id LIMIT 1)"
                f" SELECT 0, {self.persona.sql}, {self.account.sql},"
                f" {_nulls(len(discounts))}"
                f" FROM p LEFT JOIN {account_table} a ON a.persona_id = p.id"
                f" UNION ALL SELECT 1, {_nulls(self.width)}, {usage_columns('p.id')}"
                f" FROM p JOIN {Discount._meta.db_table} d"
                "   ON d.company_id = p.company_id AND d.is_active"
                f" ORDER BY 1, {order}"
            )
            for column in self.COLUMNS
        }

    def build(self, company: Company, row: Any, start: int = 0) -> Persona:
        persona = self.persona.build(row, start)
        account = self.account.build(row, start + self.persona.width)
        link(persona, "company", company)
        link(persona, "loyalty_account", account)
        if account is not None:
            link(account, "persona", persona)
        return persona  # type: ignore[return-value]


def _nulls(count: int) -> str:
    return ", ".join(["NULL"] * count)


@functools.cache
def _lookup() -> _Lookup:
    return _Lookup()


def find_by_pii(company: Company, pii: str) -> Persona | None:
    if "@" in pii:
        return find_shopper(company, email=pii)
    if looks_like_phone(pii):
        return find_shopper(company, phone=pii)
    return None
