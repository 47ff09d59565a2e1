"""Model instances from hand-written SQL, for the few hot paths where compiling the ORM
query costs more than running it.

A POS terminal's wallet read is two small indexed SELECTs; building each from a
QuerySet (select_related over four tables, two correlated subqueries) took most of the
request's CPU, several times the database's own time. ``RowShape`` writes a model's
column list once, and turns a slice of a result row back into the instance the ORM would
have built: every field through the same database converters (encrypted, JSON, Decimal
on SQLite), ``_state`` marked as loaded from the database, so saving, related access and
``refresh_from_db`` behave as usual. ``link`` fills the cache that ``select_related``
would have filled, so no later attribute access queries again.

Only for reads whose SQL is short and fixed; everything else stays in the ORM.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Model
from django.db.models.expressions import Col


class RowShape:
    """One model's columns as written in a SELECT under ``alias``, and the way back."""

    def __init__(self, model: type[Model], alias: str, *, using: str = "default") -> None:
        self.model = model
        self.alias = alias
        self.using = using
        connection = connections[using]
        quote = connection.ops.quote_name
        fields = model._meta.concrete_fields
        self.width = len(fields)
        self.attnames = [field.attname for field in fields]
        self.sql = ", ".join(f"{quote(alias)}.{quote(field.column)}" for field in fields)
        # The converters the ORM's compiler would apply to each column, in order.
        self._converters = []
        for index, field in enumerate(fields):
            column = Col(alias, field)
            converters = connection.ops.get_db_converters(column) + field.get_db_converters(
                connection
            )
            if converters:
                self._converters.append((index, converters, column))
        self._pk_index = next(i for i, f in enumerate(fields) if f.primary_key)

    def build(self, row: Sequence[Any], start: int = 0) -> Model | None:
        """The instance held in ``row[start:start + width]``; None when its primary key is
        NULL (a LEFT JOIN that found nothing)."""
        values = list(row[start : start + self.width])
        if values[self._pk_index] is None:
            return None
        # The converters were looked up on the connection of the thread that built this
        # shape; they read only settings, so any thread's connection is the right argument.
        connection = connections[self.using]
        for index, converters, column in self._converters:
            value = values[index]
            for converter in converters:
                value = converter(value, column, connection)
            values[index] = value
        return self.model.from_db(self.using, self.attnames, values)


def link(instance: Model, name: str, related: Model | None) -> None:
    """Cache ``related`` as ``instance.<name>`` (a forward or reverse one-to-one/foreign
    key), as ``select_related`` does: None makes a reverse one-to-one raise DoesNotExist
    and a nullable foreign key read None, without a query."""
    instance._meta.get_field(name).set_cached_value(instance, related)  # type: ignore[union-attr]


@contextmanager
def hot_cursor(using: str = "default") -> Iterator[Any]:
    """A cursor for the hand-written hot-path SELECTs. On PostgreSQL each statement is
    prepared on the connection the first time and only executed after that: the server
    parses and plans a four-table join once per connection instead of on every API call.
    Django's own queries bind parameters client-side and are never prepared; these few
    fixed statements are. ``DATABASE_PREPARED_STATEMENTS=false`` turns it off (PgBouncer
    in transaction mode before 1.21 cannot route prepared statements)."""
    connection = connections[using]
    if (
        connection.vendor != "postgresql"
        or not settings.DATABASE_PREPARED_STATEMENTS
        # While queries are logged (DEBUG, or a test capturing them) the plain cursor:
        # the log shows a prepared statement's SQL as None.
        or connection.queries_logged
    ):
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        preparing = _preparing_cursor_class()(connection.connection)
        timestamps = getattr(connection, "hot_timestamp_loader", None)
        if timestamps is not None:
            preparing.adapters.register_loader(timestamps.oid, timestamps.loader)
        # _prepare_cursor: the wrapper Django puts on every cursor (execute_wrapper hooks,
        # the debug query log, thread checks), around our preparing cursor.
        cursor = connection._prepare_cursor(preparing)
    with cursor:
        yield cursor


@functools.cache
def _preparing_cursor_class() -> type:
    """psycopg's server-binding cursor, asking to prepare every statement it runs
    (imported late: the PostgreSQL backend needs psycopg, which SQLite runs lack)."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class Preparing(ServerBindingCursor):  # type: ignore[misc, valid-type]
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs["prepare"] = True
            return super().execute(query, params, **kwargs)

    return Preparing


def prefer_generic_plans(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On each new PostgreSQL connection that prepares the hot statements, plan them once.

    PostgreSQL's default (``plan_cache_mode = auto``) kept re-planning the redemption's
    one-statement ledger write on every execution, because its generic plan's cost
    estimate came out above the custom plans' average: 0.35 ms of planning per PUT, as
    long as the write itself. The hot statements are short lookups and writes by key,
    where one generic plan is as good as a custom one; Django's own queries bind
    client-side and are never prepared, so this setting reaches only ours. Connected to
    ``connection_created`` (aiq/ops/apps.py): a SET per new connection, not per request.
    """
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")


@dataclass(frozen=True)
class TimestampLoader:
    oid: int
    loader: type


def choose_hot_timestamp_loader(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On each new PostgreSQL connection, whether ``hot_cursor`` may read timestamps with
    psycopg's own compiled loader instead of Django's.

    Django reads every ``timestamptz`` with a loader written in Python (it parses the
    text in Python, then sets the connection's time zone on the result): about 42,000
    instructions a value, against 6,000 for psycopg's compiled loader (callgrind), and a
    wallet read loads 19 of them, a redemption 14. Django's check on each of its own
    cursors reads an attribute the compiled class lacks, so the swap is made on the hot
    cursors only. It is made only when both loaders give the same value, time zone
    included, for a sample read on this very connection (the compiled loader follows the
    connection's ``TimeZone``, which Django sets to its own on connecting); otherwise
    (or without psycopg's compiled implementation) the hot cursors keep Django's.
    Connected to ``connection_created`` (aiq/ops/apps.py)."""
    connection.hot_timestamp_loader = None
    if connection.vendor != "postgresql":
        return
    from psycopg import adapters
    from psycopg.postgres import types
    from psycopg.pq import Format

    oid = types["timestamptz"].oid
    django_loader = connection.connection.adapters.get_loader(oid, Format.TEXT)
    compiled = adapters.get_loader(oid, Format.TEXT)
    if compiled is None or compiled is django_loader or not _is_compiled(compiled):
        return
    sample = b"2001-02-03 04:05:06.789012+00"
    theirs = django_loader(oid, connection.connection).load(sample)
    ours = compiled(oid, connection.connection).load(sample)
    if ours == theirs and ours.tzinfo == theirs.tzinfo:
        connection.hot_timestamp_loader = TimestampLoader(oid, compiled)


def _is_compiled(loader: type) -> bool:
    return loader.__module__.startswith(("psycopg_binary.", "psycopg_c."))
