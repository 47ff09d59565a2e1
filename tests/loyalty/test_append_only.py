from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit
from loyalty.ledger.errors import AppendOnlyError
from loyalty.ledger.models import Allocation, LedgerEntry
from tests.factories import PersonaFactory
from tests.loyalty.helpers import D

POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's trigger refuses UPDATE only: Django flushes SQLite test databases with DELETE",
)


@pytest.fixture
def entry(company_a) -> LedgerEntry:
    persona = PersonaFactory(company=company_a)
    award(persona, 30, EntryKind.ADJUST, reason="Opening balance")
    return debit(persona, 10)


def test_saving_an_existing_entry_is_refused(entry):
    entry.points = D("-1.00")

    with pytest.raises(AppendOnlyError, match="write a correcting entry"):
        entry.save()

    assert LedgerEntry.objects.get(pk=entry.pk).points == D("-10.00")


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError, match="never deleted"):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        Allocation.objects.filter(entry=entry).delete()

    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_updates_are_refused(entry):
    with pytest.raises(AppendOnlyError, match="never updated"):
        LedgerEntry.objects.filter(pk=entry.pk).update(points=0)
    with pytest.raises(AppendOnlyError):
        Allocation.objects.filter(entry=entry).update(points=1)

    assert LedgerEntry.objects.get(pk=entry.pk).points == D("-10.00")


@pytest.mark.parametrize("table", ["loyalty_ledgerentry", "loyalty_allocation"])
def test_raw_sql_cannot_update_history(entry, table):
    column = "entry_id" if table == "loyalty_allocation" else "id"
    sql = f"UPDATE {table} SET points = 0 WHERE {column} = %s"  # noqa: S608
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])

    assert LedgerEntry.objects.get(pk=entry.pk).points == D("-10.00")
    assert list(entry.allocations.values_list("points", flat=True)) == [D("10.00")]


@POSTGRES_ONLY
@pytest.mark.parametrize("table", ["loyalty_ledgerentry", "loyalty_allocation"])
def test_raw_sql_cannot_delete_history_on_postgresql(entry, table):
    column = "entry_id" if table == "loyalty_allocation" else "id"
    sql = f"DELETE FROM {table} WHERE {column} = %s"  # noqa: S608
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])

    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
    assert entry.allocations.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_can_still_flush_the_ledger_tables(company_a):
    # Flushing (TRUNCATE on PostgreSQL, DELETE on SQLite) runs after this test; if a
    # trigger blocked it, the next test's set-up would fail.
    persona = PersonaFactory(company=company_a)
    award(persona, 30, EntryKind.ADJUST, reason="Opening balance")
    assert LedgerEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_flush_above_left_no_ledger_rows():
    assert LedgerEntry.objects.count() == 0
