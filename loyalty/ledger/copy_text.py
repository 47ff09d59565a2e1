"""Rows for PostgreSQL's ``COPY ... FROM STDIN`` (text format), written in one string.

psycopg's ``write_row`` adapts each value through its dumpers in Python, about 15 µs a
row: for a sync batch's thousands of entries and lots that is more than PostgreSQL takes
to store them. The values here are few kinds (ids, Decimals, datetimes, short text), so
the text format is simple to write exactly: a tab between columns, ``\\N`` for NULL, and
backslash, tab, newline and carriage return escaped in text (the format's rules:
https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text(value: str | None) -> str:
    if value is None:
        return NULL
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def number(value: int | Decimal | None) -> str:
    return NULL if value is None else str(value)


def moment(value: datetime | None) -> str:
    """ISO 8601 with its offset: PostgreSQL reads it whatever the session's time zone."""
    if value is None:
        return NULL
    if value.tzinfo is None:
        raise ValueError("COPY of a naive datetime would take the session's time zone")
    return value.isoformat()


def rows(lines: Iterable[Iterable[str]]) -> str:
    """Rows of already-written columns, ready for ``copy.write``."""
    return "".join("\t".join(columns) + "\n" for columns in lines)
