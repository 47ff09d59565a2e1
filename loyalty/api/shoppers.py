"""Finding the key's company's shopper by phone or email, normalised as everywhere else."""

from __future__ import annotations

import functools

from aiq.accounts.models import Company
from aiq.personas.models import Persona
from aiq.personas.normalize import looks_like_phone, normalize_email, normalize_phone
from aiq.raw_rows import RowShape, hot_cursor, link
from loyalty.ledger.models import LoyaltyAccount


def find_shopper(company: Company, *, phone: str = "", email: str = "") -> Persona | None:
    """The company's persona with this phone (E.164 or as stored raw), else this email.
    Another company's shopper with the same phone is never seen. Its loyalty account comes
    in the same query (the wallet reads it next)."""
    if phone.strip():
        e164 = normalize_phone(phone, company.phone_region)
        found = (
            _first(company, "phone", e164) if e164 else _first(company, "phone_raw", phone.strip())
        )
        if found is not None:
            return found
    address = normalize_email(email)
    if address:
        return _first(company, "email", address)
    return None


def _first(company: Company, column: str, value: str) -> Persona | None:
    """The lowest-id persona of the company whose ``column`` equals ``value``, with its
    account: one hand-written SELECT (every wallet read runs it; see aiq/raw_rows.py)."""
    lookup = _lookup()
    with hot_cursor() as cursor:
        cursor.execute(lookup.sql[column], [company.pk, value])
        row = cursor.fetchone()
    if row is None:
        return None
    persona = lookup.persona.build(row)
    account = lookup.account.build(row, lookup.persona.width)
    link(persona, "company", company)
    link(persona, "loyalty_account", account)
    if account is not None:
        link(account, "persona", persona)
    return persona  # type: ignore[return-value]


class _Lookup:
    COLUMNS = ("phone", "phone_raw", "email")

    def __init__(self) -> None:
        self.persona = RowShape(Persona, "p")
        self.account = RowShape(LoyaltyAccount, "a")
        select = (
            f"SELECT {self.persona.sql}, {self.account.sql}"  # noqa: S608 - names from the models
            f" FROM {Persona._meta.db_table} p"
            f" LEFT JOIN {LoyaltyAccount._meta.db_table} a ON a.persona_id = p.id"
        )
        self.sql = {
            column: f"{select} WHERE p.company_id = %s AND p.{column} = %s ORDER BY p.id LIMIT 1"
            for column in self.COLUMNS
        }


@functools.cache
def _lookup() -> _Lookup:
    return _Lookup()


def find_by_pii(company: Company, pii: str) -> Persona | None:
    if "@" in pii:
        return find_shopper(company, email=pii)
    if looks_like_phone(pii):
        return find_shopper(company, phone=pii)
    return None
