from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.errors import IdempotencyKeyReused
from loyalty.ledger.models import LedgerEntry, Lot
from tests.factories import PersonaFactory
from tests.loyalty.helpers import T0, D, balance, entry_count, lots

EXPLANATION = (
    "Sale 1043 at Capitol Hill: $52.30 - $5.20 tax = $47.10 x 1 pt/$ = 47.10, "
    "rounded down = 47; +10 first visit today"
)


def test_an_earn_opens_a_lot_with_its_own_expiry_and_explains_its_number(company_a):
    # Given a persona with no loyalty account yet
    persona = PersonaFactory(company=company_a)

    # When it earns 57 points on a sale, expiring in a year
    entry = award(
        persona,
        57,
        occurred_at=T0,
        expires_at=T0 + timedelta(days=365),
        explanation=EXPLANATION,
        task="earn_on_sales",
    )

    # Then the account exists with that balance, and one lot holds the points
    assert (entry.kind, entry.points, entry.occurred_at) == (EntryKind.EARN, D("57.00"), T0)
    assert entry.explanation == EXPLANATION
    assert balance(persona) == D("57.00")
    lot = Lot.objects.get(award=entry)
    assert (lot.points, lot.remaining, lot.earned_at) == (D("57.00"), D("57.00"), T0)
    assert lot.expires_at == T0 + timedelta(days=365)


def test_points_are_quantized_half_up_to_the_cent(company_a):
    persona = PersonaFactory(company=company_a)

    award(persona, Decimal("10.005"), EntryKind.ADJUST, reason="Gift")

    assert balance(persona) == D("10.01")
    assert lots(persona) == [(D("10.01"), D("10.01"))]


@pytest.mark.parametrize("points", [10.5, True, "10"])
def test_floats_and_other_non_decimals_are_refused_and_nothing_is_written(company_a, points):
    persona = PersonaFactory(company=company_a)

    with pytest.raises(TypeError, match="Decimal or an int"):
        award(persona, points, EntryKind.ADJUST, reason="Gift")

    assert entry_count() == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": EntryKind.EARN}, "explanation"),
        ({"kind": EntryKind.VISIT_BONUS}, "explanation"),
        ({"kind": EntryKind.ADJUST}, "reason"),
        ({"kind": EntryKind.REDEEM, "reason": "x"}, "not a kind of award"),
        ({"kind": EntryKind.ADJUST, "reason": "x", "points": 0}, "more than zero"),
        (
            {"kind": EntryKind.ADJUST, "reason": "x", "expires_at": T0 - timedelta(days=1)},
            "expire before",
        ),
    ],
)
def test_an_award_missing_what_explains_it_is_refused(company_a, kwargs, message):
    persona = PersonaFactory(company=company_a)
    points = kwargs.pop("points", 10)

    with pytest.raises(ValueError, match=message):
        award(persona, points, occurred_at=T0, **kwargs)

    assert entry_count() == 0


def test_a_replayed_idempotency_key_returns_the_first_entry(company_a):
    persona = PersonaFactory(company=company_a)
    first = award(persona, 20, EntryKind.IMPORT, idempotency_key="cova-import-1")

    again = award(persona, 20, EntryKind.IMPORT, idempotency_key="cova-import-1")

    assert again.pk == first.pk
    assert entry_count() == 1
    assert balance(persona) == D("20.00")


def test_an_idempotency_key_reused_for_another_request_is_refused(company_a):
    persona = PersonaFactory(company=company_a)
    award(persona, 20, EntryKind.IMPORT, idempotency_key="cova-import-1")

    with pytest.raises(IdempotencyKeyReused, match="differs in points"):
        award(persona, 25, EntryKind.IMPORT, idempotency_key="cova-import-1")

    assert list(LedgerEntry.objects.values_list("points", flat=True)) == [D("20.00")]
    assert balance(persona) == D("20.00")


def test_the_same_key_in_another_company_is_another_request(company_a, company_b):
    mine = PersonaFactory(company=company_a)
    theirs = PersonaFactory(company=company_b)

    award(mine, 20, EntryKind.IMPORT, idempotency_key="row-1")
    award(theirs, 30, EntryKind.IMPORT, idempotency_key="row-1")

    assert (balance(mine), balance(theirs)) == (D("20.00"), D("30.00"))
