from __future__ import annotations

import re
from datetime import timedelta

import pytest

from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit
from loyalty.ledger.errors import InsufficientPoints, NotReversible
from loyalty.ledger.reversals import reverse
from tests.factories import PersonaFactory
from tests.loyalty.helpers import T0, D, allocations, balance, entry_count, lots


def earn(persona, points, *, days, at=T0):
    return award(
        persona, points, occurred_at=at, expires_at=at + timedelta(days=days), explanation="x"
    )


def test_reversing_a_redemption_restores_exactly_the_lots_it_consumed(company_a):
    # Given lots of 30 (sooner) and 40 (later), a redemption of 50, then a new 20 lot
    persona = PersonaFactory(company=company_a)
    sooner = earn(persona, 30, days=30)
    later = earn(persona, 40, days=90)
    redemption = debit(persona, 50)
    newest = earn(persona, 20, days=10)

    # When the redemption is voided
    reversal = reverse(redemption, reason="Discount removed at the register")

    # Then the 30 and 20 go back to the lots they came from, not to the newest lot
    assert reversal.kind == EntryKind.REVERSAL
    assert reversal.points == D("50.00")
    assert reversal.reverses == redemption
    assert sorted(allocations(reversal)) == [
        (sooner.lot.pk, D("-30.00")),
        (later.lot.pk, D("-20.00")),
    ]
    assert lots(persona) == [
        (D("30.00"), D("30.00")),
        (D("40.00"), D("40.00")),
        (D("20.00"), D("20.00")),
    ]
    assert balance(persona) == D("90.00")
    assert newest.lot.remaining == D("20.00")


def test_a_partial_reversal_restores_the_last_consumed_lot_first_and_is_capped(company_a):
    persona = PersonaFactory(company=company_a)
    sooner = earn(persona, 30, days=30)
    later = earn(persona, 40, days=90)
    redemption = debit(persona, 50)

    # When 25 then 25 more are reversed
    first = reverse(redemption, 25)
    second = reverse(redemption, 25)

    # Then the later lot (consumed last) comes back first
    assert allocations(first) == [(later.lot.pk, D("-20.00")), (sooner.lot.pk, D("-5.00"))]
    assert allocations(second) == [(sooner.lot.pk, D("-25.00"))]
    assert balance(persona) == D("70.00")
    # And nothing is left to reverse
    with pytest.raises(NotReversible, match="Nothing of this entry is left"):
        reverse(redemption)
    assert balance(persona) == D("70.00")


def test_a_reversal_larger_than_what_is_left_is_refused_and_writes_nothing(company_a):
    persona = PersonaFactory(company=company_a)
    earn(persona, 30, days=30)
    redemption = debit(persona, 20)
    reverse(redemption, 15)
    written = entry_count()

    with pytest.raises(NotReversible, match=re.escape("Only 5.00 points of this entry are left")):
        reverse(redemption, 6)

    assert entry_count() == written
    assert balance(persona) == D("25.00")


def test_refunding_an_award_takes_its_own_lot_first(company_a):
    # Given an old lot of 30 and a sale's lot of 47; 20 redeemed (from the old lot)
    persona = PersonaFactory(company=company_a)
    old = earn(persona, 30, days=20)
    sale_award = earn(persona, 47, days=365, at=T0 + timedelta(days=1))
    debit(persona, 20)

    # When 47 points are removed for the refund
    refund = reverse(sale_award, reason="Refund of sale 1043")

    # Then all of them come from the sale's own lot; the old lot keeps its 10
    assert refund.points == D("-47.00")
    assert allocations(refund) == [(sale_award.lot.pk, D("47.00"))]
    assert lots(persona) == [(D("30.00"), D("10.00")), (D("47.00"), D("0.00"))]
    assert old.lot.pk != sale_award.lot.pk


def test_refunding_an_award_partly_spent_takes_the_rest_fifo_and_is_capped(company_a):
    # Given a sale's lot of 47 of which 40 were redeemed, and a later lot of 30
    persona = PersonaFactory(company=company_a)
    sale_award = earn(persona, 47, days=30)
    debit(persona, 40)
    later = earn(persona, 30, days=90, at=T0 + timedelta(days=1))

    # When "remove 10 points" for a partial return
    refund = reverse(sale_award, 10, reason="Partial return")

    # Then 7 come from the sale's lot, 3 from the later one
    assert allocations(refund) == [(sale_award.lot.pk, D("7.00")), (later.lot.pk, D("3.00"))]
    assert balance(persona) == D("27.00")
    # And no more than the award's 47 can ever be removed
    with pytest.raises(NotReversible, match=re.escape("Only 37.00 points of this award")):
        reverse(sale_award, 38)
    assert balance(persona) == D("27.00")


def test_refunding_more_than_the_balance_is_refused_and_writes_nothing(company_a):
    persona = PersonaFactory(company=company_a)
    sale_award = earn(persona, 47, days=30)
    debit(persona, 40)
    written = entry_count()

    with pytest.raises(
        InsufficientPoints, match=re.escape("the balance is 7.00, 47.00 were asked for")
    ):
        reverse(sale_award)

    assert entry_count() == written
    assert balance(persona) == D("7.00")


@pytest.mark.parametrize("kind", [EntryKind.REVERSAL, EntryKind.EXPIRE])
def test_reversals_and_expiries_are_not_reversible(company_a, kind):
    from loyalty.ledger.expiry import expire

    persona = PersonaFactory(company=company_a)
    earn(persona, 30, days=30)
    if kind == EntryKind.REVERSAL:
        reverse(debit(persona, 10))
    else:
        expire(T0 + timedelta(days=31))
    entry = persona.loyalty_account.entries.filter(kind=kind).get()
    written = entry_count()

    with pytest.raises(NotReversible, match="cannot be reversed"):
        reverse(entry)

    assert entry_count() == written
