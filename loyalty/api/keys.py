"""Creating, finding and revoking API keys. The key is shown once; only its sha256 is kept."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from aiq.accounts.models import Company
from aiq.audiences.models import Audience
from aiq.raw_rows import RowShape, hot_cursor, link
from loyalty.api.models import ApiKey
from loyalty.program.models import LoyaltyProgram
from stores.models import RetailStore

PREFIX_LENGTH = 8


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    plaintext: str  # shown once, never stored


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_api_key(
    company: Company, name: str, *, store: Any = None, created_by: Any = None
) -> NewKey:
    key = ApiKey(company=company, name=name.strip(), store=store, created_by=created_by)
    plaintext = fill_secret(key)
    key.save()
    return NewKey(key, plaintext)


def fill_secret(key: ApiKey) -> str:
    """Give an unsaved key its secret: the prefix and hash are kept, the key is returned."""
    plaintext = secrets.token_urlsafe(32)
    key.prefix = plaintext[:PREFIX_LENGTH]
    key.hash = hash_key(plaintext)
    return plaintext


def find_active_key(plaintext: str) -> ApiKey | None:
    """The active key whose hash matches, compared in constant time; None otherwise. Its
    company, the company's program and the key's store come in the same query (every
    call reads them)."""
    if not plaintext or len(plaintext) > 200:
        return None
    digest = hash_key(plaintext)
    with hot_cursor() as cursor:
        cursor.execute(_key_lookup().sql, [plaintext[:PREFIX_LENGTH]])
        rows = cursor.fetchall()
    for row in rows:
        key = _key_lookup().build(row)
        if hmac.compare_digest(key.hash, digest):
            return key
    return None


class _KeyLookup:
    """The one SELECT of ``find_active_key``, written once: a hot path (every API call),
    where compiling the same four-table select_related each time cost more than the query.

    It also says whether the company has any audience (``key.company_has_audiences``):
    a wallet lists the shopper's audiences, and most companies have none, so for them the
    wallet skips reading the (empty) list, one statement of four."""

    def __init__(self) -> None:
        self.key = RowShape(ApiKey, "k")
        self.company = RowShape(Company, "c")
        self.program = RowShape(LoyaltyProgram, "p")
        self.store = RowShape(RetailStore, "s")
        self.sql = (
            f"SELECT {self.key.sql}, {self.company.sql}, {self.program.sql}, {self.store.sql},"  # noqa: S608 - names from the models
            f" EXISTS (SELECT 1 FROM {Audience._meta.db_table} au"
            "   WHERE au.company_id = k.company_id)"
            f" FROM {ApiKey._meta.db_table} k"
            f" JOIN {Company._meta.db_table} c ON c.id = k.company_id"
            f" LEFT JOIN {LoyaltyProgram._meta.db_table} p ON p.company_id = k.company_id"
            f" LEFT JOIN {RetailStore._meta.db_table} s ON s.id = k.store_id"
            " WHERE k.prefix = %s AND k.revoked_at IS NULL"
        )

    def build(self, row: Any) -> ApiKey:
        at = 0
        parts = []
        for shape in (self.key, self.company, self.program, self.store):
            parts.append(shape.build(row, at))
            at += shape.width
        key, company, program, store = parts
        link(company, "loyalty_program", program)
        if program is not None:
            link(program, "company", company)
        link(key, "company", company)
        link(key, "store", store)
        key.company_has_audiences = bool(row[at])  # type: ignore[union-attr]
        return key  # type: ignore[return-value]


@functools.cache
def _key_lookup() -> _KeyLookup:
    return _KeyLookup()


def key_program(key: ApiKey) -> LoyaltyProgram | None:
    """The key's company's loyalty program (None before its first save); no query when
    the key came from ``find_active_key``."""
    try:
        return key.company.loyalty_program
    except LoyaltyProgram.DoesNotExist:
        return None


def company_has_audiences(key: ApiKey) -> bool:
    """Whether the key's company has any audience, as ``find_active_key`` read it; True
    (ask) for a key read otherwise."""
    return bool(getattr(key, "company_has_audiences", True))


def revoke(keys: Any) -> int:
    """Revoke the given keys (a queryset); already revoked ones keep their date."""
    return int(keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now()))
