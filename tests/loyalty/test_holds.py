from __future__ import annotations

import pytest

from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.errors import HoldAlreadySettled, InsufficientPoints, NotReversible
from loyalty.ledger.holds import commit_hold, hold, release
from loyalty.ledger.reversals import reverse
from tests.factories import PersonaFactory
from tests.loyalty.helpers import D, account, allocations, entry_count, lots


def given_points(company, *amounts):
    persona = PersonaFactory(company=company)
    for points in amounts:
        award(persona, points, EntryKind.ADJUST, reason="Opening balance")
    return persona


def test_a_hold_moves_points_from_the_balance_to_on_hold(company_a):
    persona = given_points(company_a, 30, 40)

    held = hold(persona, 50, api_key_label="Cova register 2")

    assert (held.kind, held.points, held.api_key_label) == (
        EntryKind.HOLD,
        D("-50.00"),
        "Cova register 2",
    )
    assert (account(persona).balance, account(persona).on_hold) == (D("20.00"), D("50.00"))
    assert lots(persona) == [(D("30.00"), D("0.00")), (D("40.00"), D("20.00"))]


def test_a_hold_larger_than_the_balance_is_refused_and_writes_nothing(company_a):
    persona = given_points(company_a, 30)

    with pytest.raises(InsufficientPoints):
        hold(persona, 31)

    assert entry_count() == 1
    assert (account(persona).balance, account(persona).on_hold) == (D("30.00"), D("0.00"))


def test_releasing_a_hold_restores_exactly_its_lots(company_a):
    persona = given_points(company_a, 30, 40)
    held = hold(persona, 50)

    released = release(held, task="release_stale_holds")

    assert (released.kind, released.points, released.reverses) == (
        EntryKind.RELEASE,
        D("50.00"),
        held,
    )
    assert allocations(released) == [(lot, -points) for lot, points in allocations(held)]
    assert (account(persona).balance, account(persona).on_hold) == (D("70.00"), D("0.00"))
    assert lots(persona) == [(D("30.00"), D("30.00")), (D("40.00"), D("40.00"))]


def test_committing_a_hold_makes_it_final_with_a_zero_point_redeem(company_a):
    persona = given_points(company_a, 30, 40)
    held = hold(persona, 50)

    committed = commit_hold(held, api_key_label="Cova register 2")

    assert (committed.kind, committed.points, committed.reverses) == (
        EntryKind.REDEEM,
        D("0.00"),
        held,
    )
    assert (account(persona).balance, account(persona).on_hold) == (D("20.00"), D("0.00"))


@pytest.mark.parametrize(
    ("first", "then", "message"),
    [
        (release, release, "already released"),
        (release, commit_hold, "already released"),
        (commit_hold, release, "already committed"),
        (commit_hold, commit_hold, "already committed"),
    ],
)
def test_a_hold_is_settled_once(company_a, first, then, message):
    persona = given_points(company_a, 30)
    held = hold(persona, 20)
    first(held)
    written = entry_count()
    before = (account(persona).balance, account(persona).on_hold)

    with pytest.raises(HoldAlreadySettled, match=message):
        then(held)

    assert entry_count() == written
    assert (account(persona).balance, account(persona).on_hold) == before


def test_a_replayed_release_returns_the_first_one(company_a):
    persona = given_points(company_a, 30)
    held = hold(persona, 20)
    first = release(held, idempotency_key="release-9")

    assert release(held, idempotency_key="release-9").pk == first.pk
    assert account(persona).balance == D("30.00")


def test_an_open_hold_is_released_not_reversed_but_a_committed_one_can_be(company_a):
    persona = given_points(company_a, 30)
    held = hold(persona, 20)

    with pytest.raises(NotReversible, match="released, not reversed"):
        reverse(held)

    commit_hold(held)
    refund = reverse(held, reason="Order returned")
    assert refund.points == D("20.00")
    assert (account(persona).balance, account(persona).on_hold) == (D("30.00"), D("0.00"))
