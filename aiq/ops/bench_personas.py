"""Filling a company with a large number of personas quickly, for benchmarks.

PostgreSQL gets COPY (a million rows in seconds); other databases get bulk_create.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from django.db import connection
from django.utils import timezone

from aiq.accounts.models import Company
from aiq.personas.choices import Source
from aiq.personas.models import Persona, PersonaIdentity

FIRST = ["Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Nora", "Lucas", "Ivy", "Mateo"]
LAST = ["Nguyen", "Garcia", "Smith", "Patel", "Kim", "Lopez", "Brown", "Davis", "Chen", "Singh"]
SOURCES = [Source.COVA, Source.POSABIT, Source.CLOVER, Source.SIGNUP_FORM]


def bench_phone(index: int) -> str:
    """A valid, unique US number per index (area codes 206/253/425/509 cycle)."""
    area = ["206", "253", "425", "509"][index % 4]
    number = index // 4
    return f"+1{area}{200 + (number // 10000) % 700}{number % 10000:04d}"


def _rows(company_id: int, start: int, stop: int, store_ids: list[int]) -> Iterator[tuple]:
    now = timezone.now()
    for index in range(start, stop):
        phone = bench_phone(index)
        yield (
            company_id,
            f"{FIRST[index % 10]}{index % 997}",
            f"{LAST[(index // 10) % 10]}{index % 1009}",
            f"shopper{index}@example.com",
            phone,
            phone,
            store_ids[index % len(store_ids)] if store_ids and index % 7 else None,
            now if index % 3 else None,
            "pos" if index % 3 else "",
            "unknown",
            "unknown",
            "{}",
            now,
            now,
            "",
            "",
            "",
            "",
            "",
            "",
        )


COLUMNS = (
    "company_id, first_name, last_name, email, phone, phone_raw, favorite_store_id, "
    "loyalty_enrolled_at, loyalty_enrollment_route, sms_consent, email_consent, brand_traits, "
    "created_at, updated_at, address_line1, address_line2, city, state, postal_code, country"
)


def fill_personas(company: Company, target: int, store_ids: list[int]) -> int:
    """Add personas (with one source identity each) until the company has `target`."""
    existing = Persona.objects.filter(company=company).count()
    if existing >= target:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            copy_sql = f"COPY personas_persona ({COLUMNS}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in _rows(company.pk, existing, target, store_ids):
                    copy.write_row(row)
            cursor.execute(
                """
                INSERT INTO personas_personaidentity
                    (company_id, persona_id, source, external_id, first_seen_at, last_seen_at)
                SELECT p.company_id, p.id,
                       (ARRAY['cova', 'posabit', 'clover', 'signup_form'])[1 + p.id %% 4],
                       'bench-' || p.id, p.created_at, p.created_at
                FROM personas_persona p
                WHERE p.company_id = %s
                  AND NOT EXISTS (
                      SELECT 1 FROM personas_personaidentity i WHERE i.persona_id = p.id
                  )
                """,
                [company.pk],
            )
            cursor.execute("ANALYZE personas_persona")
            cursor.execute("ANALYZE personas_personaidentity")
        return target - existing
    fields = [name.strip() for name in COLUMNS.split(",")]
    rows = _rows(company.pk, existing, target, store_ids)
    while batch := list(itertools.islice(rows, 5000)):
        personas = Persona.objects.bulk_create(
            [Persona(**dict(zip(fields, row, strict=True))) for row in batch]
        )
        PersonaIdentity.objects.bulk_create(
            PersonaIdentity(
                company=company,
                persona=persona,
                source=SOURCES[persona.pk % 4],
                external_id=f"bench-{persona.pk}",
                first_seen_at=persona.created_at,
                last_seen_at=persona.created_at,
            )
            for persona in personas
        )
    return target - existing
