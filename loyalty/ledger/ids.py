"""``field__in`` for the thousands of ids of a sync batch, cheaply.

Django's ``__in`` prepares every id and writes one placeholder each, and psycopg's
client-side binding then scans the whole statement for them: for a 2,000-sale batch that
costs more Python time than PostgreSQL spends answering. On PostgreSQL the ids go as one
array literal (``= ANY('{1,2,3}'::bigint[])``, the very condition PostgreSQL turns an IN
list into, so the plans are the same); elsewhere it is the ordinary ``__in``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import connection
from django.db.models import BigAutoField, ForeignKey, IntegerField, Lookup, Q


class IdArray:
    """An array literal that is not a ``str``: Django checks every item of an iterable
    value given to a foreign-key lookup against the model, and would walk the literal's
    thousands of characters one by one."""

    __slots__ = ("literal",)

    def __init__(self, literal: str) -> None:
        self.literal = literal


class AnyOfIds(Lookup):
    lookup_name = "any_of_ids"
    prepare_rhs = False  # the right-hand side is already the array literal

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs.literal]


for _field in (IntegerField, BigAutoField, ForeignKey):
    _field.register_lookup(AnyOfIds)


def id_array(ids: Collection[int]) -> str:
    """A PostgreSQL ``bigint[]`` literal of these ids (one parameter, parsed once)."""
    # int() first: whatever the ids came as, only numbers reach the literal.
    return "{" + ",".join(map(str, map(int, ids))) + "}"


def ids_in(field: str, ids: Collection[int]) -> Q:
    """``Q(<field>__in=ids)``, as one array parameter on PostgreSQL."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__any_of_ids": IdArray(id_array(ids))})
    return Q(**{f"{field}__in": ids})
