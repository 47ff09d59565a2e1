"""Cova deducts on apply and sends nothing when the discount is removed (seed 000): the
sale that syncs decides. Without the discount, or with no sale in time, the points come
back as a reversal that says why."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from aiq.personas.models import Persona, Sale
from integrations.sync.choices import Stream
from loyalty.api.keys import create_api_key
from loyalty.api.redemption.models import Redemption
from loyalty.api.redemption.reconcile import reconcile_due, sale_carries_discount
from loyalty.api.redemption.tasks import reconcile_redemptions_task
from loyalty.discounts.choices import DiscountKind
from loyalty.discounts.models import DiscountUse
from loyalty.hooks import sales_written
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry
from loyalty.ledger.reversals import reverse
from loyalty.ledger.verify import verify
from tests.integrations.factories import IntegrationFactory
from tests.loyalty.api.redemption_support import call, discount_of, member_with, url
from tests.loyalty.factories import LoyaltyProgramFactory
from tests.loyalty.helpers import D, balance, lots
from tests.sync.factories import SandboxCredentialFactory, customer, run_once, sale
from tests.sync.fakes import FakeProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def cova(company_a):
    return IntegrationFactory(company=company_a, provider="cova")


@pytest.fixture
def member(company_a):
    return member_with(company_a, 450)


@pytest.fixture
def forty_off(company_a):
    return discount_of(company_a, 400, "40")


def cova_sale(company, external_id: str, discount: str, receipt: str = "") -> Sale:
    """A synced Cova sale, anonymous (so earning on it leaves the member's points alone)."""
    return Sale.objects.create(
        company=company,
        source="cova",
        external_id=external_id,
        receipt_number=receipt,
        pos_key="loc-1",
        occurred_at=timezone.now(),
        subtotal=D("100.00"),
        tax=D("0.00"),
        discount=D(discount),
        total=D("100.00") - D(discount),
        content_hash="x",
    )


def returned() -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(kind=EntryKind.REVERSAL))


def test_a_cova_redemption_waits_for_its_sale(cova, member, forty_off, key_a):
    before = timezone.now()

    call("PUT", url(member, forty_off, "INV-1"), key_a.plaintext)

    redemption = Redemption.objects.get()
    assert redemption.deducts_on_apply is True
    window = redemption.reconcile_by - before
    assert timedelta(hours=24) <= window < timedelta(hours=24, minutes=1)
    assert balance(member) == D("50.00")


def test_the_discount_removed_before_checkout_comes_back_when_the_sale_syncs(
    company_a, cova, member, forty_off, key_a
):
    # given the budtender applied $40 off (Cova deducted 400 points) then removed it
    before = lots(member)
    call("PUT", url(member, forty_off, "INV-1"), key_a.plaintext)

    # when the sale syncs without any discount
    sale = cova_sale(company_a, "INV-1", "0.00", receipt="R-1001")
    sales_written(company_a.pk, [sale.pk], timezone.now())

    # then the 400 points are back, in exactly their lot, with the reason in words
    (entry,) = returned()
    assert (entry.points, entry.sale_id, entry.task) == (
        D("400.00"),
        sale.pk,
        "reconcile_redemptions",
    )
    assert entry.reason == (
        'Cova sale R-1001 arrived without "$40 off" (transaction INV-1): the 400 points '
        "deducted when it was applied are returned"
    )
    assert balance(member) == D("450.00")
    assert lots(member) == before
    redemption = Redemption.objects.get()
    assert (redemption.status, redemption.sale_id) == ("reversed", sale.pk)
    assert redemption.note == entry.reason
    # the discount was not used: single use and cooldowns forget it
    assert DiscountUse.objects.count() == 0
    assert verify().drifts == []


def test_a_sale_carrying_the_discount_confirms_the_redemption(
    company_a, cova, member, forty_off, key_a
):
    call("PUT", url(member, forty_off, "INV-2"), key_a.plaintext)

    sale = cova_sale(company_a, "INV-2", "40.00")
    sales_written(company_a.pk, [sale.pk], timezone.now())

    assert returned() == []
    assert balance(member) == D("50.00")
    redemption = Redemption.objects.get()
    assert (redemption.status, redemption.sale_id) == ("redeemed", sale.pk)
    assert redemption.reconciled_at is not None
    assert redemption.note == "Confirmed by Cova sale INV-2"
    assert DiscountUse.objects.get().sale_id == sale.pk
    # and the deadline later changes nothing
    assert reconcile_due(timezone.now() + timedelta(days=2)).returned == []


def test_the_sale_is_matched_by_receipt_number_too(company_a, cova, member, forty_off, key_a):
    call("PUT", url(member, forty_off, "R-77"), key_a.plaintext)

    sale = cova_sale(company_a, "guid-77", "0.00", receipt="R-77")
    sales_written(company_a.pk, [sale.pk], timezone.now())

    assert len(returned()) == 1
    assert balance(member) == D("450.00")


def test_another_sale_in_the_batch_changes_nothing(company_a, cova, member, forty_off, key_a):
    call("PUT", url(member, forty_off, "INV-3"), key_a.plaintext)

    other = cova_sale(company_a, "INV-OTHER", "0.00")
    sales_written(company_a.pk, [other.pk], timezone.now())

    assert returned() == []
    assert Redemption.objects.get().reconciled_at is None


def test_no_sale_within_the_window_returns_the_points(cova, member, forty_off, key_a):
    call("PUT", url(member, forty_off, "INV-4"), key_a.plaintext)
    deadline = Redemption.objects.get().reconcile_by

    early = reconcile_due(deadline - timedelta(minutes=1))
    due = reconcile_due(deadline)

    assert (early.returned, len(due.returned)) == ([], 1)
    (entry,) = returned()
    assert entry.reason == (
        'No sale for transaction INV-4 arrived within 24 hours of applying "$40 off": '
        "the 400 points are returned"
    )
    assert balance(member) == D("450.00")
    assert verify().drifts == []


def test_a_sale_that_arrived_unnoticed_is_judged_at_the_deadline(
    company_a, cova, member, forty_off, key_a
):
    # given the sale synced but its batch's loyalty step did not run (e.g. it failed)
    call("PUT", url(member, forty_off, "INV-5"), key_a.plaintext)
    cova_sale(company_a, "INV-5", "40.00")

    run = reconcile_due(timezone.now() + timedelta(days=2))

    assert (len(run.confirmed), run.returned) == (1, [])
    assert balance(member) == D("50.00")


def test_points_already_given_back_by_hand_are_not_given_twice(
    company_a, cova, member, forty_off, key_a
):
    # given staff reversed the redemption on the persona card before the sale synced
    call("PUT", url(member, forty_off, "INV-6"), key_a.plaintext)
    reverse(Redemption.objects.get().redeem_entry, reason="Discount removed at the register")

    sale = cova_sale(company_a, "INV-6", "0.00")
    sales_written(company_a.pk, [sale.pk], timezone.now())

    assert len(returned()) == 1  # the staff's only
    assert balance(member) == D("450.00")
    assert Redemption.objects.get().note.startswith("Nothing to return")


def test_a_committed_hold_is_reconciled_too(company_a, cova, member, forty_off, key_a):
    call("POST", url(member, forty_off, "INV-7"), key_a.plaintext)
    call("PUT", url(member, forty_off, "INV-7"), key_a.plaintext)

    sale = cova_sale(company_a, "INV-7", "0.00")
    sales_written(company_a.pk, [sale.pk], timezone.now())

    (entry,) = returned()
    assert entry.reverses.kind == EntryKind.HOLD
    assert balance(member) == D("450.00")
    assert verify().drifts == []


def test_without_a_cova_card_redemptions_are_final(company_a, member, forty_off, key_a):
    call("PUT", url(member, forty_off, "INV-8"), key_a.plaintext)

    sale = cova_sale(company_a, "INV-8", "0.00")
    sales_written(company_a.pk, [sale.pk], timezone.now())
    reconcile_due(timezone.now() + timedelta(days=2))

    assert Redemption.objects.get().deducts_on_apply is False
    assert returned() == []
    assert balance(member) == D("50.00")


def test_a_redemption_without_transaction_id_cannot_be_matched_so_is_final(
    cova, member, forty_off, key_a
):
    call("PUT", url(member, forty_off), key_a.plaintext)

    reconcile_due(timezone.now() + timedelta(days=2))

    assert Redemption.objects.get().reconcile_by is None
    assert returned() == []


def test_the_window_is_a_setting(cova, member, forty_off, key_a, settings):
    settings.LOYALTY_RECONCILE_HOURS = 2
    before = timezone.now()

    call("PUT", url(member, forty_off, "INV-9"), key_a.plaintext)

    window = Redemption.objects.get().reconcile_by - before
    assert timedelta(hours=2) <= window < timedelta(hours=2, minutes=1)


@pytest.mark.parametrize(
    ("kind", "value", "sale_discount", "carried"),
    [
        (DiscountKind.FLAT, "40", "40.00", True),
        (DiscountKind.FLAT, "40", "39.99", True),  # a cent of rounding
        (DiscountKind.FLAT, "40", "39.98", False),
        (DiscountKind.FLAT, "40", "0.00", False),
        (DiscountKind.PERCENT, "15", "15.00", True),  # 15% of a 100.00 subtotal
        (DiscountKind.PERCENT, "15", "10.00", False),
    ],
)
def test_whether_a_sale_carries_the_discount(company_a, kind, value, sale_discount, carried):
    discount = discount_of(company_a, 100, value, kind=kind)
    sale = cova_sale(company_a, "S-1", sale_discount)

    assert sale_carries_discount(sale, discount) is carried


def test_the_reconciliation_is_scheduled_and_has_a_command_twin(cova, member, forty_off, key_a):
    entry = settings.CELERY_BEAT_SCHEDULE["loyalty-reconcile-redemptions"]
    assert entry["task"] == reconcile_redemptions_task.name
    call("PUT", url(member, forty_off, "INV-10"), key_a.plaintext)
    Redemption.objects.update(reconcile_by=timezone.now() - timedelta(minutes=1))
    out = StringIO()

    call_command("reconcile_redemptions", stdout=out)

    assert out.getvalue() == ("Confirmed 0 redemptions by their sale; returned the points of 1.\n")
    assert balance(member) == D("450.00")
    assert Decimal(returned()[0].points) == D("400.00")


def test_through_the_sync_engine_the_points_come_back_with_the_sale():
    # given a Cova card whose customer c1 is a member with 450 points (1 pt/$ program)
    credential = SandboxCredentialFactory()
    company = credential.company
    LoyaltyProgramFactory(company=company)
    run_once(credential, Stream.CUSTOMERS, FakeProvider(customers=[customer("c1")]))
    enrolled = timezone.now() - timedelta(days=400)
    Persona.objects.filter(company=company).update(loyalty_enrolled_at=enrolled)
    member = Persona.objects.get(company=company)
    award(member, 450, EntryKind.ADJUST, reason="Welcome gift")
    key = create_api_key(company, "Cova terminal")
    discount = discount_of(company, 400, "40")
    # and $40 off applied at the register on order s1 (Cova deducts the 400 points)
    call("PUT", url(member, discount, "s1"), key.plaintext)
    assert balance(member) == D("50.00")

    # when the budtender removed it and the $44 sale syncs without any discount
    run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1", customer_external_id="c1")]))

    # then the sale earned its 44 points and the 400 came back, saying why
    (entry,) = returned()
    assert entry.reason.startswith('Cova sale s1 arrived without "$40 off"')
    assert balance(member) == D("494.00")
    assert Redemption.objects.get().status == "reversed"
    assert verify().drifts == []
