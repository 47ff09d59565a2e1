"""Which audiences one shopper is in now, for the POS wallet and audience-limited
discounts: every audience's compiled query (``compile.members_of``) restricted to this
persona, each as one EXISTS column of a single SELECT. Two queries whatever the number of
audiences (the company's audiences, then the memberships); nothing stored, so as current
as the last sync."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone

from aiq.audiences.compile import members_of
from aiq.audiences.models import Audience
from aiq.personas.models import Persona
from aiq.raw_rows import RowShape, hot_cursor


@dataclass(frozen=True, slots=True)
class Membership:
    """``audiences``: those considered (name order); ``member_ids``: those the shopper is in."""

    audiences: tuple[Audience, ...]
    member_ids: frozenset[int]

    def inside(self) -> list[Audience]:
        return [audience for audience in self.audiences if audience.pk in self.member_ids]

    def knows(self, audience_ids: Iterable[int]) -> bool:
        """Whether every one of these audiences was considered."""
        return set(audience_ids) <= {audience.pk for audience in self.audiences}

    def outside(self) -> dict[int, str]:
        """{audience id: name} of the audiences the shopper is not in."""
        return {a.pk: a.name for a in self.audiences if a.pk not in self.member_ids}


def membership(persona: Persona, audiences: Iterable[Audience] | None = None) -> Membership:
    """The shopper's membership of ``audiences`` (default: every audience of their
    company, one query to read them); one more query when there is any audience."""
    considered = tuple(company_audiences(persona.company_id) if audiences is None else audiences)
    return Membership(considered, frozenset(member_ids(persona, considered)))


def company_audiences(company_id: int) -> list[Audience]:
    """The company's audiences by name: every wallet read asks, most companies have none.
    Hand-written and prepared (``aiq/raw_rows.py``): compiling the ORM query cost more
    than a third of a wallet read's CPU."""
    query = _audiences_query()
    with hot_cursor() as cursor:
        cursor.execute(query.sql, [company_id])
        return [query.shape.build(row) for row in cursor.fetchall()]  # type: ignore[misc]


class _AudiencesQuery:
    def __init__(self) -> None:
        self.shape = RowShape(Audience, "a")
        # "name" in the database's collation, as the ORM's order_by("name") sorts.
        self.sql = (
            f"SELECT {self.shape.sql} FROM {Audience._meta.db_table} a"  # noqa: S608
            " WHERE a.company_id = %s ORDER BY a.name, a.id"
        )


@functools.cache
def _audiences_query() -> _AudiencesQuery:
    return _AudiencesQuery()


def member_ids(persona: Persona, audiences: Iterable[Audience]) -> set[int]:
    """The ids of ``audiences`` (of the persona's company) the shopper is in, in one query:
    ``SELECT EXISTS(<audience 1 members, this persona>), EXISTS(...), ...``."""
    today = timezone.localdate()
    ids, parts, params = [], [], []
    for audience in audiences:
        if audience.company_id != persona.company_id:
            continue
        key = json.dumps(audience.conditions, sort_keys=True, default=str)
        sql, audience_params = _member_sql(
            connection.vendor, audience.company_id, audience.match, key, today
        )
        ids.append(audience.pk)
        parts.append(f"EXISTS({sql})")
        params.extend(persona.pk if value == _PERSONA else value for value in audience_params)
    if not ids:
        return set()
    # Prepared on PostgreSQL: the same audiences give the same text (the persona and the
    # day's dates are parameters), so the server plans it once per connection, not per read.
    with hot_cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {pk for pk, inside in zip(ids, row, strict=True) if inside}


# Stands for the persona's id in a compiled query: negative, so no cleaned condition value
# (whole numbers and amounts of 0 or more, text, dates) can be mistaken for it.
_PERSONA = -7_777_777_777_777


@functools.lru_cache(maxsize=2048)
def _member_sql(
    vendor: str, company_id: int, match: str, conditions: str, today: date
) -> tuple[str, tuple[Any, ...]]:
    """An audience's members query restricted to one persona, as SQL and parameters with
    ``_PERSONA`` for the persona's id. Compiling the ORM query costs several milliseconds
    per audience, more than running it for one persona, so each (conditions, day) is
    compiled once per process; the key is the conditions themselves, so an edit is never
    served stale."""
    members = members_of(company_id, match, json.loads(conditions), today)
    query = members.filter(pk=_PERSONA).order_by().values("pk")
    sql, params = query.query.sql_with_params()
    return sql, tuple(params)
