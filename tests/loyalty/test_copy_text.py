"""COPY text rows (loyalty/ledger/copy_text.py) read back exactly as written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.db import connection

from loyalty.ledger import copy_text


def test_text_escapes_what_the_format_reserves():
    assert copy_text.text("plain words") == "plain words"
    assert copy_text.text("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e"
    assert copy_text.text(None) == "\\N"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        copy_text.moment(datetime(2026, 1, 1, 12, 0))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
@pytest.mark.django_db
def test_rows_round_trip_through_copy():
    seattle = timezone(timedelta(hours=-8))
    written = [
        (7, Decimal("47.10"), datetime(2026, 3, 1, 9, 30, 15, 120, tzinfo=seattle), "Sale 1\t$5"),
        (8, Decimal("-0.01"), None, "line\nbreak \\ and\rCR"),
        (9, None, datetime(2026, 3, 1, 17, 30, tzinfo=UTC), None),
    ]
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute(
            "CREATE TEMP TABLE copy_check (id int, points numeric, at timestamptz, words text)"
        )
        with cursor.copy("COPY copy_check FROM STDIN") as copy:
            copy.write(
                copy_text.rows(
                    (
                        copy_text.number(pk),
                        copy_text.number(points),
                        copy_text.moment(at),
                        copy_text.text(words),
                    )
                    for pk, points, at, words in written
                )
            )
        cursor.execute("SELECT id, points, at, words FROM copy_check ORDER BY id")
        read = cursor.fetchall()
        cursor.execute("DROP TABLE copy_check")

    assert read == written
