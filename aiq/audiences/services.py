"""What staff do with an audience: its size, a sample, "is this shopper in it?", the
member export, and the custom brand trait keys and brands the builder offers. Everything
is computed on read from the current personas and sales (no stored membership, so never
stale)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from aiq.accounts.models import Company
from aiq.audiences.compile import members_of
from aiq.audiences.models import Audience
from aiq.personas.models import Persona, SaleLine
from aiq.personas.normalize import normalize_email, normalize_phone

SAMPLE_SIZE = 10
# The builder's brand list is a convenience (any brand can be typed): a company with more
# brands than this sees the first ones alphabetically.
MAX_BRANDS = 500
EXPORT_COLUMNS = ("id", "first_name", "last_name", "email", "phone", "state", "loyalty_enrolled_at")


@contextmanager
def _counting() -> Iterator[None]:
    """PostgreSQL settings for one audience count: no JIT (compiling costs more than it
    saves on these sub-second plans) and room to group a million shoppers in memory."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def size(company: Company | int, match: str, conditions: list[dict[str, Any]]) -> int:
    """How many shoppers match now (one query)."""
    with _counting():
        return members_of(company, match, conditions).count()


def sample(company: Company, match: str, conditions: list[dict[str, Any]]) -> list[Persona]:
    """A few members, newest first."""
    return list(members_of(company, match, conditions).order_by("-pk")[:SAMPLE_SIZE])


def find_member(audience: Audience, contact: str) -> tuple[Persona | None, bool]:
    """(the persona with this phone or email, whether they are in the audience); (None,
    False) when the company has no such shopper."""
    contact = contact.strip()
    personas = Persona.objects.filter(company_id=audience.company_id)
    if "@" in contact:
        persona = personas.filter(email=normalize_email(contact)).order_by("pk").first()
    else:
        phone = normalize_phone(contact, audience.company.phone_region)
        persona = personas.filter(phone=phone).order_by("pk").first() if phone else None
    if persona is None:
        return None, False
    members = members_of(audience.company_id, audience.match, audience.conditions)
    return persona, members.filter(pk=persona.pk).exists()


def is_member(audience: Audience, persona: Persona) -> bool:
    """One query: is this shopper in the audience now?"""
    members = members_of(audience.company_id, audience.match, audience.conditions)
    return members.filter(pk=persona.pk).exists()


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_rows(audience: Audience) -> Iterator[str]:
    """The members as CSV lines, read in chunks so a large audience streams."""
    members: QuerySet[Persona] = members_of(
        audience.company_id, audience.match, audience.conditions
    ).order_by("pk")
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for row in members.values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000):
        yield writer.writerow(["" if value is None else _safe(value) for value in row])


def _safe(value: Any) -> Any:
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not value[1:2].isdigit():
        return "'" + value
    return value


def trait_keys(company: Company | int) -> list[str]:
    """The custom brand trait keys present on the company's personas, sorted."""
    company_id = company if isinstance(company, int) else company.pk
    table = Persona._meta.db_table
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT DISTINCT jsonb_object_keys(brand_traits) FROM {table}"  # noqa: S608
            " WHERE company_id = %s AND brand_traits <> '{}'::jsonb"
        )
    else:
        sql = (
            f"SELECT DISTINCT j.key FROM {table}, json_each({table}.brand_traits) j"  # noqa: S608
            " WHERE company_id = %s AND json_type(brand_traits) = 'object'"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [company_id])
        return sorted(row[0] for row in cursor.fetchall())


def brands(company: Company | int) -> list[str]:
    """The brands on the company's sale lines, sorted (at most ``MAX_BRANDS``). One query;
    on PostgreSQL it reads only lines that have a brand (the partial index of migration
    audiences/0004), so a POS whose lines carry none costs nothing here."""
    company_id = company if isinstance(company, int) else company.pk
    lines = SaleLine.objects.filter(sale__company_id=company_id).exclude(brand="")
    return list(lines.order_by("brand").values_list("brand", flat=True).distinct()[:MAX_BRANDS])
