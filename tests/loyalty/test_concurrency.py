"""Real threads on PostgreSQL: the account row lock serialises writers of one balance.

SQLite serialises whole transactions and hides these races, so these tests run on
PostgreSQL only (CI). Without the lock, the first test hands out 20 redemptions of 30
from a balance of 100.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections

from aiq.personas.models import Persona, Sale
from loyalty.earning.service import earn_for_sales
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit
from loyalty.ledger.errors import InsufficientPoints
from loyalty.ledger.expiry import expire
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount
from loyalty.ledger.verify import verify
from tests.factories import CompanyFactory, PersonaFactory, RetailStoreFactory
from tests.loyalty.factories import LoyaltyProgramFactory
from tests.loyalty.helpers import T0, D

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def run_at_once(*calls: Callable[[], object]) -> list[object]:
    """Start every call at the same instant, each on its own connection; their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def worker(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # the outcome is what the test checks
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(index, call)) for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_twenty_concurrent_redemptions_take_exactly_what_the_balance_allows():
    # Given an account holding 100 points
    persona = PersonaFactory(company=CompanyFactory())
    award(persona, 100, EntryKind.ADJUST, reason="Opening balance")

    # When 20 registers redeem 30 points each at the same instant
    outcomes = run_at_once(*[lambda: debit(persona, 30) for _ in range(20)])

    # Then exactly 3 succeed, 17 are refused, and 10 points are left
    succeeded = [o for o in outcomes if isinstance(o, LedgerEntry)]
    refused = [o for o in outcomes if isinstance(o, InsufficientPoints)]
    assert (len(succeeded), len(refused)) == (3, 17)
    assert LoyaltyAccount.objects.get(persona=persona).balance == D("10.00")
    assert LedgerEntry.objects.filter(kind=EntryKind.REDEEM).count() == 3
    assert verify().drifts == []


def test_twenty_first_redemptions_create_one_account_between_them():
    # Given a persona with no loyalty account yet; when 20 threads award at once
    persona = PersonaFactory(company=CompanyFactory())

    outcomes = run_at_once(
        *[lambda: award(persona, 5, EntryKind.ADJUST, reason="Welcome") for _ in range(20)]
    )

    # Then one account exists and holds all 100 points
    assert all(isinstance(o, LedgerEntry) for o in outcomes), outcomes
    assert LoyaltyAccount.objects.get(persona=persona).balance == D("100.00")
    assert verify().drifts == []


@pytest.mark.parametrize("round_", range(3))
def test_expiry_and_a_redemption_racing_for_one_lot_never_both_spend_it(round_):
    # Given a lot of 100 points that expires now
    persona = PersonaFactory(company=CompanyFactory())
    award(
        persona,
        100,
        occurred_at=T0,
        expires_at=T0 + timedelta(days=30),
        explanation="100 points on a sale",
    )
    now = T0 + timedelta(days=30)

    # When the expiry run and a redemption of 60 start at the same instant
    run, redemption = run_at_once(
        lambda: expire(now), lambda: debit(Persona.objects.get(pk=persona.pk), 60)
    )

    # Then either the redemption came first (60 redeemed, 40 expired) or the expiry did
    # (100 expired, redemption refused); never 160 points out of a 100-point lot
    if isinstance(redemption, LedgerEntry):
        assert run.points == D("40.00")
    else:
        assert isinstance(redemption, InsufficientPoints), redemption
        assert run.points == D("100.00")
    assert LoyaltyAccount.objects.get(persona=persona).balance == D("0.00")
    assert verify().drifts == []


def test_concurrent_earning_on_the_same_sales_earns_each_sale_once():
    # Given members with sales and no loyalty account yet, and a 1 pt/$ program
    company = CompanyFactory()
    LoyaltyProgramFactory(company=company)
    store = RetailStoreFactory(company=company)
    at = datetime(2026, 5, 4, 19, tzinfo=UTC)
    sales = [
        Sale.objects.create(
            company=company,
            persona=PersonaFactory(company=company, loyalty_enrolled_at=at - timedelta(days=9)),
            source="cova",
            external_id=f"race-{n}",
            pos_key="loc-1",
            store=store,
            occurred_at=at,
            subtotal=D("20"),
            tax=D("0"),
            discount=D("0"),
            total=D("20"),
            content_hash="x",
        )
        for n in range(3)
    ]
    ids = [sale.pk for sale in sales]

    # When six sync workers earn the same batch at the same instant
    outcomes = run_at_once(*[lambda: earn_for_sales(company.pk, ids, at) for _ in range(6)])

    # Then none failed and each sale earned exactly once
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o.sales_earned for o in outcomes) == 3
    assert sorted(LedgerEntry.objects.values_list("sale_id", flat=True)) == sorted(ids)
    assert list(LoyaltyAccount.objects.values_list("balance", flat=True)) == [D("20.00")] * 3
    assert verify().drifts == []
