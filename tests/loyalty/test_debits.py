from __future__ import annotations

from datetime import timedelta

import pytest

from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit
from loyalty.ledger.errors import IdempotencyKeyReused, InsufficientPoints
from loyalty.ledger.models import Lot
from tests.factories import PersonaFactory
from tests.loyalty.helpers import T0, D, allocations, balance, entry_count, lots


def earn(persona, points, *, days=None, at=T0):
    return award(
        persona,
        points,
        occurred_at=at,
        expires_at=at + timedelta(days=days) if days else None,
        explanation=f"{points} points on a sale",
    )


def test_a_redemption_consumes_the_soonest_expiring_lot_first_and_never_expiring_last(company_a):
    # Given a gifted lot (no expiry), a lot expiring in 90 days and one in 30 days
    persona = PersonaFactory(company=company_a)
    gift = award(persona, 50, EntryKind.ADJUST, reason="Birthday gift", occurred_at=T0)
    later = earn(persona, 40, days=90)
    sooner = earn(persona, 30, days=30, at=T0 + timedelta(days=1))

    # When 60 points are redeemed
    entry = debit(persona, 60, occurred_at=T0 + timedelta(days=2))

    # Then the 30-day lot goes first, then 30 of the 90-day lot; the gift is untouched
    assert entry.points == D("-60.00")
    assert allocations(entry) == [(sooner.lot.pk, D("30.00")), (later.lot.pk, D("30.00"))]
    assert lots(persona) == [
        (D("50.00"), D("50.00")),
        (D("40.00"), D("10.00")),
        (D("30.00"), D("0.00")),
    ]
    assert balance(persona) == D("60.00")
    assert Lot.objects.get(award=gift).remaining == D("50.00")


def test_lots_expiring_together_go_oldest_first(company_a):
    persona = PersonaFactory(company=company_a)
    expiry = T0 + timedelta(days=60)
    newer = award(
        persona, 10, occurred_at=T0 + timedelta(days=1), expires_at=expiry, explanation="x"
    )
    older = award(persona, 10, occurred_at=T0, expires_at=expiry, explanation="x")

    entry = debit(persona, 15, occurred_at=T0 + timedelta(days=2))

    assert allocations(entry) == [(older.lot.pk, D("10.00")), (newer.lot.pk, D("5.00"))]


def test_a_debit_larger_than_the_balance_is_refused_and_writes_nothing(company_a):
    # Given 40 points
    persona = PersonaFactory(company=company_a)
    earn(persona, 40, days=30)

    # When 40.01 are asked for
    with pytest.raises(InsufficientPoints) as refused:
        debit(persona, D("40.01"))

    # Then the refusal says both numbers, and nothing changed
    assert str(refused.value) == "Not enough points: the balance is 40.00, 40.01 were asked for."
    assert entry_count() == 1
    assert balance(persona) == D("40.00")
    assert lots(persona) == [(D("40.00"), D("40.00"))]


def test_a_manual_removal_needs_a_reason(company_a):
    persona = PersonaFactory(company=company_a)
    earn(persona, 40)

    with pytest.raises(ValueError, match="reason"):
        debit(persona, 10, EntryKind.ADJUST)

    assert balance(persona) == D("40.00")


def test_a_manual_removal_records_who_and_why(company_a, owner_a):
    persona = PersonaFactory(company=company_a)
    earn(persona, 40)

    entry = debit(
        persona, 15, EntryKind.ADJUST, reason="Returned pre-roll", staff_user=owner_a.user
    )

    assert (entry.kind, entry.points, entry.reason) == (
        EntryKind.ADJUST,
        D("-15.00"),
        "Returned pre-roll",
    )
    assert entry.staff_user == owner_a.user
    assert balance(persona) == D("25.00")


def test_a_replayed_redemption_is_not_debited_twice_even_when_the_balance_is_now_short(company_a):
    persona = PersonaFactory(company=company_a)
    earn(persona, 40)
    first = debit(persona, 30, api_key_label="POS 1", idempotency_key="redeem-77")

    again = debit(persona, 30, api_key_label="POS 1", idempotency_key="redeem-77")

    assert again.pk == first.pk
    assert balance(persona) == D("10.00")
    with pytest.raises(IdempotencyKeyReused):
        debit(persona, 5, idempotency_key="redeem-77")
    assert balance(persona) == D("10.00")
