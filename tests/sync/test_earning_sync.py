"""Earning through the sync engine: sales a run writes earn in the batch's transaction, a
re-sync earns nothing new, a total changed at the POS earns the difference, and a sync
against the Cova sandbox earns points end to end."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from aiq.personas.models import Persona, Sale
from integrations.sync.choices import RunStatus, Stream
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount
from loyalty.ledger.verify import verify
from tests.loyalty.factories import LoyaltyProgramFactory
from tests.sync.factories import SandboxCredentialFactory, customer, run_once, sale
from tests.sync.fakes import FakeProvider

EARLY = datetime(2020, 1, 1, tzinfo=UTC)


def _enroll_everyone(company) -> int:
    return Persona.objects.filter(company=company).update(loyalty_enrolled_at=EARLY)


@pytest.mark.django_db
def test_synced_sale_earns_once_and_a_changed_total_earns_the_difference():
    # given an enrolled shopper and a 1 pt/$ program
    credential = SandboxCredentialFactory()
    LoyaltyProgramFactory(company=credential.company)
    run_once(credential, Stream.CUSTOMERS, FakeProvider(customers=[customer("c1")]))
    _enroll_everyone(credential.company)
    # when their $44.00 sale syncs, then syncs again unchanged
    first = run_once(
        credential, Stream.SALES, FakeProvider(sales=[sale("s1", customer_external_id="c1")])
    )
    again = run_once(
        credential,
        Stream.SALES,
        FakeProvider(sales=[sale("s1", customer_external_id="c1")]),
        full=True,
    )
    # then one earn entry of 44, linked to the sale
    assert (first.status, again.unchanged) == (RunStatus.OK, 1)
    synced = Sale.objects.get(external_id="s1")
    assert list(LedgerEntry.objects.values_list("kind", "points", "sale_id")) == [
        (EntryKind.EARN, Decimal("44.00"), synced.pk)
    ]
    # when the POS changes the total to $50.00
    run_once(
        credential,
        Stream.SALES,
        FakeProvider(sales=[sale("s1", customer_external_id="c1", total=Decimal("50.00"))]),
        full=True,
    )
    # then a second entry earns exactly the 6 points of difference
    assert list(LedgerEntry.objects.order_by("pk").values_list("kind", "points")) == [
        (EntryKind.EARN, Decimal("44.00")),
        (EntryKind.EARN, Decimal("6.00")),
    ]
    assert LoyaltyAccount.objects.get().balance == Decimal("50.00")
    assert verify().drifts == []


@pytest.mark.django_db
def test_sale_synced_before_enrollment_earns_by_catch_up_after_it():
    # given a shopper's sale synced while they were not a member
    credential = SandboxCredentialFactory()
    LoyaltyProgramFactory(company=credential.company)
    run_once(credential, Stream.CUSTOMERS, FakeProvider(customers=[customer("c1")]))
    run_once(
        credential,
        Stream.SALES,
        FakeProvider(sales=[sale("s1", customer_external_id="c1")]),
        full=True,
    )
    assert LedgerEntry.objects.count() == 0
    # when they are enrolled and the next customers sync reports them
    _enroll_everyone(credential.company)
    run_once(
        credential,
        Stream.CUSTOMERS,
        FakeProvider(customers=[customer("c1", first_name="Avery")]),
    )
    # then the earlier sale earns
    assert list(LedgerEntry.objects.values_list("kind", "points")) == [
        (EntryKind.EARN, Decimal("44.00"))
    ]


@pytest.mark.django_db(transaction=True)
def test_a_sync_against_the_cova_sandbox_earns_points_end_to_end(sandbox_origin):
    # given the Cova sandbox's shoppers synced and enrolled, and a program
    credential = SandboxCredentialFactory()
    LoyaltyProgramFactory(
        company=credential.company, points_per_visit=Decimal("10"), max_visits_per_day=1
    )
    assert run_once(credential, Stream.CUSTOMERS).status == RunStatus.OK
    assert _enroll_everyone(credential.company) > 0
    # when the sales sync
    run = run_once(credential, Stream.SALES)
    # then every non-refund sale of a member earned one explained entry
    assert run.status == RunStatus.OK
    earning = Sale.objects.filter(persona__isnull=False, is_refund=False, total__gt=0)
    entries = LedgerEntry.objects.filter(kind=EntryKind.EARN)
    assert entries.count() == earning.count() > 0
    assert set(entries.values_list("sale_id", flat=True)) == set(
        earning.values_list("pk", flat=True)
    )
    assert all(e.explanation.startswith("Sale ") for e in entries)
    # refunds took nothing
    assert not LedgerEntry.objects.filter(sale__is_refund=True).exists()
    total = LoyaltyAccount.objects.aggregate(total=Sum("balance"))["total"]
    assert total == entries.aggregate(total=Sum("points"))["total"]
    # and a full re-sync earns nothing new
    count = LedgerEntry.objects.count()
    run_once(credential, Stream.SALES, full=True)
    assert LedgerEntry.objects.count() == count
    assert verify().drifts == []
