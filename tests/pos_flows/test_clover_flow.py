"""Clover end to end (seed 004): a discount takes two steps, redeemed on our side (the
staff app's PUT with the order's number) and applied by hand in Clover; the order then
syncs, and nothing is reconciled (Clover does not deduct on apply)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aiq.personas.models import Sale
from integrations.sandbox.terminals.clover import CloverRegister
from integrations.sync.choices import Stream
from loyalty.api.redemption.choices import RedemptionStatus
from loyalty.api.redemption.models import Redemption
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry
from loyalty.ledger.verify import verify
from tests.loyalty.factories import DiscountFactory
from tests.pos_flows.conftest import balance_of, open_store, regular_with_phone

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_redeemed_in_aiq_applied_by_hand_in_clover_then_synced(origin):
    # given a Clover store with a "$10 off" (100 points) reward and a member who earned
    # 132 points on a $120 visit (plus 10% tax) that synced from Clover
    store = open_store(origin, "clover", "AIQ staff app")
    DiscountFactory(
        company=store.company, name="$10 off", value=Decimal("10"), points_cost=Decimal("100")
    )
    shopper, phone = regular_with_phone(store.account)
    contact = store.aiq.sign_up({"firstName": "Jo", "lastName": "Park", "mobilePhone": phone})
    register = CloverRegister(store.aiq, store.account)
    first = register.open_ticket("CLV-ORDER-1", shopper, phone)
    first.ring_up(product_index=0, unit_price_cents=120_00)
    register.check_out(first)
    store.sync(Stream.CUSTOMERS)
    store.sync(Stream.SALES)
    assert store.aiq.wallet(phone)["loyaltyPoints"] == 132

    # when, step 1, the staff app redeems "$10 off" for the open order
    ticket = register.open_ticket("CLV-ORDER-2", shopper, phone)
    ticket.ring_up(product_index=0, unit_price_cents=50_00)
    redeemed = register.redeem_in_aiq(ticket, "$10 off")
    # and, step 2, the clerk types the discount into Clover and takes payment
    register.apply_manual_discount(ticket, "$10 off", 10_00)
    register.check_out(ticket)
    # and the order syncs
    store.sync(Stream.SALES)

    # then the points went once, at step 1, and stay gone
    assert (redeemed["pointsDeducted"], redeemed["loyaltyPoints"]) == (100, 32)
    redemption = Redemption.objects.get()
    assert redemption.status == RedemptionStatus.REDEEMED
    assert (redemption.deducts_on_apply, redemption.reconcile_by) == (False, None)
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()
    # and the synced order carries the hand-applied $10
    (second,) = Sale.objects.filter(source="clover", discount__gt=0)
    assert (second.discount, second.total) == (Decimal("10.00"), Decimal("44.00"))
    # and the balance is 132 - 100 + 44 (the $40 + 10% tax the shopper paid)
    assert store.aiq.wallet(phone)["loyaltyPoints"] == 76
    assert balance_of(contact["contactID"]) == Decimal("76.00")
    assert verify().drifts == []
