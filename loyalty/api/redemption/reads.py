"""What a redemption URL names, read in one statement: the shopper, the discount and
whether the company's POS deducts on apply (see ``pos``). Every PUT on a redemption URL
reads these first; three ORM queries became one hand-written SELECT (aiq/raw_rows.py)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connection

from aiq.accounts.models import Company
from aiq.personas.models import Persona
from aiq.raw_rows import RowShape, link
from integrations.models import Integration
from loyalty.api.redemption.pos import DEDUCTING_ON_APPLY
from loyalty.discounts.models import Discount


@dataclass(frozen=True)
class Subjects:
    persona: Persona
    discount: Discount
    deducts_on_apply: bool


def read_subjects(company: Company, persona_id: int, discount_id: int) -> Subjects | None:
    """The company's persona and discount with these ids; None when either is missing
    (or another company's: a token is only good within its company)."""
    query = _query()
    with connection.cursor() as cursor:
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
