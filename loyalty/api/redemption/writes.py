"""A new redemption's rows: its discount use and the redemption that names it.

Through the ORM they are two INSERTs, two round trips at the end of every redemption PUT.
On PostgreSQL they are one prepared statement: the use's ``INSERT ... RETURNING id`` as a
``WITH`` part, the redemption's ``VALUES`` taking that id. The values are the ones the ORM
would write (each field's ``pre_save`` and ``get_db_prep_save``: ``auto_now`` dates,
choices, decimals), and the instances come back saved, as ``save()`` leaves them.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from aiq.raw_rows import hot_cursor
from loyalty.api.redemption.models import Redemption
from loyalty.discounts.models import DiscountUse


def save_redemption_with_use(redemption: Redemption, use: DiscountUse) -> None:
    """Save the new ``use`` and the ``redemption`` that names it: one statement when
    both are new on PostgreSQL; through the ORM otherwise (SQLite, or a hold being
    committed, whose redemption row exists)."""
    if connection.vendor != "postgresql" or not redemption._state.adding:
        use.save()
        redemption.discount_use = use
        redemption.save()
        return
    statement = _statement()
    params = _values(use, statement.use_fields)
    params += _values(redemption, statement.redemption_fields)
    with hot_cursor() as cursor:
        cursor.execute(statement.sql, params)
        redemption_id, use_id = cursor.fetchone()
    _saved(use, use_id)
    redemption.discount_use = use
    _saved(redemption, redemption_id)


def _values(instance: Model, fields: list[Field]) -> list[Any]:
    return [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]


def _saved(instance: Model, pk: int) -> None:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias


class _Statement:
    def __init__(self) -> None:
        quote = connection.ops.quote_name
        self.use_fields = _written(DiscountUse)
        link = Redemption._meta.get_field("discount_use")
        self.redemption_fields = [f for f in _written(Redemption) if f is not link]
        use_columns = ", ".join(quote(f.column) for f in self.use_fields)
        use_marks = ", ".join(["%s"] * len(self.use_fields))
        columns = ", ".join(quote(f.column) for f in self.redemption_fields)
        marks = ", ".join(["%s"] * len(self.redemption_fields))
        self.sql = (
            f"WITH used AS (INSERT INTO {quote(DiscountUse._meta.db_table)} ({use_columns})"  # noqa: S608
            f" VALUES ({use_marks}) RETURNING id)"
            f" INSERT INTO {quote(Redemption._meta.db_table)} ({columns}, {quote(link.column)})"
            f" VALUES ({marks}, (SELECT id FROM used)) RETURNING id, {quote(link.column)}"
        )


def _written(model: type[Model]) -> list[Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


@functools.cache
def _statement() -> _Statement:
    return _Statement()
