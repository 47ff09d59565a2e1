"""Cova end to end (seed 000): the "Alpine IQ" tab deducts when a discount is applied and
sends nothing when it is removed again; the sale that syncs decides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from integrations.sandbox.terminals.cova import CovaRegister
from integrations.sync.choices import Stream
from loyalty.api.redemption.choices import RedemptionStatus
from loyalty.api.redemption.models import Redemption
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry
from loyalty.ledger.verify import verify
from tests.loyalty.factories import DiscountFactory
from tests.pos_flows.conftest import balance_of, open_store, regular_with_phone

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _member_with_132_points(origin):
    """A Cova store with a "$20 off" (100 points) reward, and a member who earned 132
    points on a $120 visit (plus 10% tax), synced from the Cova sandbox."""
    store = open_store(origin, "cova", "Cova counter")
    DiscountFactory(
        company=store.company, name="$20 off", value=Decimal("20"), points_cost=Decimal("100")
    )
    shopper, phone = regular_with_phone(store.account)
    contact = store.aiq.sign_up({"firstName": "Jo", "lastName": "Park", "mobilePhone": phone})
    register = CovaRegister(store.aiq, store.account)
    first = register.open_ticket("INV-1001", shopper, phone)
    first.ring_up(product_index=0, unit_price_cents=120_00)
    register.check_out(first)
    store.sync_everything()
    assert store.aiq.wallet(phone)["loyaltyPoints"] == 132
    return store, register, shopper, phone, contact["contactID"]


def test_a_discount_removed_before_checkout_comes_back_when_the_sale_syncs(origin):
    store, register, shopper, phone, contact_id = _member_with_132_points(origin)

    # when the budtender applies "$20 off" to the next ticket: Cova deducts at once
    ticket = register.open_ticket("INV-1002", shopper, phone)
    ticket.ring_up(product_index=0, unit_price_cents=50_00)
    applied = register.apply_discount(ticket, "$20 off", 20_00)
    assert (applied["pointsDeducted"], applied["loyaltyPoints"]) == (100, 32)
    # and removes it before checkout (Cova sends nothing), then checks out
    register.remove_discount(ticket)
    sale = register.check_out(ticket)
    assert sale.discount_cents == 0
    assert store.aiq.wallet(phone)["loyaltyPoints"] == 32  # nobody told us yet
    # and the sale syncs from the Cova sandbox
    store.sync(Stream.SALES)

    # then the 100 points are back, the $55 sale earned 55, and an entry says why
    assert store.aiq.wallet(phone)["loyaltyPoints"] == 132 + 55
    assert balance_of(contact_id) == Decimal("187.00")
    returned = LedgerEntry.objects.get(kind=EntryKind.REVERSAL)
    assert returned.points == Decimal("100.00")
    assert returned.reason == (
        'Cova sale INV-1002 arrived without "$20 off" (transaction INV-1002): the 100 points '
        "deducted when it was applied are returned"
    )
    redemption = Redemption.objects.get()
    assert (redemption.status, redemption.sale.receipt_number) == (
        RedemptionStatus.REVERSED,
        "INV-1002",
    )
    # and the reward can be redeemed again (the removed use is forgotten)
    assert "$20 off" in [t["name"] for t in store.aiq.wallet(phone)["discountTemplates"]]
    assert verify().drifts == []


def test_a_discount_kept_to_checkout_stays_redeemed_when_the_sale_syncs(origin):
    store, register, shopper, phone, contact_id = _member_with_132_points(origin)

    # when "$20 off" is applied and the sale completes with it
    ticket = register.open_ticket("INV-1002", shopper, phone)
    ticket.ring_up(product_index=0, unit_price_cents=50_00)
    register.apply_discount(ticket, "$20 off", 20_00)
    sale = register.check_out(ticket)
    assert sale.discount_cents == 20_00
    store.sync(Stream.SALES)

    # then the redemption is confirmed by the sale, nothing comes back, and the $33 sale
    # ($50 - $20 + 10% tax) earned 33: 132 - 100 + 33
    assert store.aiq.wallet(phone)["loyaltyPoints"] == 65
    assert balance_of(contact_id) == Decimal("65.00")
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()
    redemption = Redemption.objects.get()
    assert redemption.status == RedemptionStatus.REDEEMED
    assert redemption.note == "Confirmed by Cova sale INV-1002"
    assert redemption.reconciled_at is not None
    assert verify().drifts == []
