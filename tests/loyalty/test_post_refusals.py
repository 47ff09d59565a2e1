"""``post`` when a unique key refuses its entry: on PostgreSQL everything an entry moves is
one statement (loyalty/ledger/one_statement.py), elsewhere the ORM's several; either way a
refused entry writes nothing, leaves the caller's account and lots as they were in memory,
and says which refusal it was."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from loyalty.ledger.accounts import lock_persona_account
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.errors import IdempotencyKeyReused
from loyalty.ledger.models import Allocation, LedgerEntry, Lot
from loyalty.ledger.postings import Replay, fifo_lots, make_cause, post, take
from tests.factories import PersonaFactory
from tests.loyalty.helpers import T0, D, balance, lots

pytestmark = pytest.mark.django_db


@pytest.fixture
def persona(company_a):
    shopper = PersonaFactory(company=company_a)
    award(shopper, 100, EntryKind.ADJUST, occurred_at=T0, reason="Welcome gift")
    return shopper


def _debit(persona, points: str, key: str | None, *, reverses=None, kind=EntryKind.REDEEM):
    """A FIFO debit through ``post`` on the locked account; (entry, account, lots)."""
    account = lock_persona_account(persona)
    open_lots = fifo_lots(account)
    plan = take(open_lots, D(points), balance=account.balance)
    entry = post(
        account,
        kind,
        -D(points),
        make_cause(T0),
        allocations=plan,
        reverses=reverses,
        idempotency_key=key,
        expected={"kind": kind, "points": -D(points), "account_id": account.pk},
    )
    return entry, account, open_lots


def test_a_debit_moves_every_table_and_the_instances_in_memory(persona):
    # When 30 points are debited
    with transaction.atomic():
        entry, account, open_lots = _debit(persona, "30", "redeem-1")

    # Then the entry, its allocation, its lot and the balance moved, in the database and
    # on the instances the caller holds
    assert entry.pk and LedgerEntry.objects.get(pk=entry.pk).points == D("-30")
    assert list(Allocation.objects.filter(entry=entry).values_list("points", flat=True)) == [
        D("30")
    ]
    assert lots(persona) == [(D("100"), D("70"))]
    assert balance(persona) == D("70") == account.balance
    assert open_lots[0].remaining == D("70")
    assert account.last_activity_at == T0


def test_the_same_request_again_replays_and_writes_nothing(persona):
    # Given a debit written with a key
    with transaction.atomic():
        first, _, _ = _debit(persona, "30", "redeem-1")
    entries = LedgerEntry.objects.count()

    # When the same request comes again (its fast-path check skipped, as the redemption
    # service does), the unique key refuses it
    with transaction.atomic(), pytest.raises(Replay) as replay:
        _debit(persona, "30", "redeem-1")

    # Then it replays the first entry and nothing else was written
    assert replay.value.entry.pk == first.pk
    assert LedgerEntry.objects.count() == entries
    assert Allocation.objects.count() == 1
    assert lots(persona) == [(D("100"), D("70"))]
    assert balance(persona) == D("70")


def test_another_request_on_a_used_key_is_refused_and_memory_is_untouched(persona):
    with transaction.atomic():
        _debit(persona, "30", "redeem-1")

    # When another amount comes with the same key
    with transaction.atomic():
        account = lock_persona_account(persona)
        open_lots = fifo_lots(account)
        with pytest.raises(IdempotencyKeyReused, match="differs in points"):
            post(
                account,
                EntryKind.REDEEM,
                D("-10"),
                make_cause(T0),
                allocations=take(open_lots, D("10"), balance=account.balance),
                idempotency_key="redeem-1",
                expected={"kind": EntryKind.REDEEM, "points": D("-10")},
            )
        # Then the caller's account and lots still say what the database says
        assert account.balance == D("70")
        assert open_lots[0].remaining == D("70")
    assert balance(persona) == D("70")
    assert Lot.objects.get().remaining == D("70")


def test_a_second_settlement_of_one_entry_is_an_integrity_error(persona):
    # Given a hold settled once (a redeem entry that reverses it)
    with transaction.atomic():
        held, _, _ = _debit(persona, "10", None, kind=EntryKind.HOLD)
    with transaction.atomic():
        _debit(persona, "1", None, reverses=held)

    # When a second settlement of the same hold is posted, without a key
    # Then the one-settlement key refuses it, and nothing of it was written
    with pytest.raises(IntegrityError), transaction.atomic():
        _debit(persona, "1", None, reverses=held)
    assert balance(persona) == D("89")
    assert LedgerEntry.objects.filter(reverses=held).count() == 1
