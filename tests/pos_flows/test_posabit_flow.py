"""POSaBIT end to end (seed 003): an in-checkout signup with "Customer Consent" and a
signature opts the shopper into SMS, with that provenance; a discount mirrored in POSaBIT
under the AIQ discount's name is redeemed with the transaction id, and the sale syncs."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from aiq.personas.choices import Consent, ConsentChannel, ConsentProvenance, EnrollmentRoute
from aiq.personas.models import ConsentEvent
from integrations.sandbox.terminals.posabit import PosabitRegister, SignupForm
from integrations.sandbox_credentials import SANDBOX_PLATFORM_VALUES
from integrations.sync.choices import Stream
from loyalty.api.redemption.models import Redemption
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry
from loyalty.ledger.verify import verify
from tests.loyalty.factories import DiscountFactory
from tests.pos_flows.conftest import balance_of, open_store, persona_of, regular_with_phone

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SIGNATURE = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"


def _posabit_sales(origin: str, store) -> list[dict]:
    """The venue's sales histories, read from the POSaBIT sandbox as POSaBIT serves them."""
    integrator = SANDBOX_PLATFORM_VALUES["posabit"]["integrator_token"]
    venue = store.values["key"]
    response = requests.get(
        f"{origin}/sandbox/posabit/api/v3/venue/sales_histories",
        auth=(integrator, venue),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["sales_histories"]


def test_a_consenting_signup_then_a_mirrored_discount_ends_in_the_right_balance(origin):
    # given a POSaBIT store with a "$10 off" (100 points) reward, mirrored in POSaBIT
    store = open_store(origin, "posabit", "POSaBIT counter")
    DiscountFactory(
        company=store.company, name="$10 off", value=Decimal("10"), points_cost=Decimal("100")
    )
    register = PosabitRegister(store.aiq, store.account, promotions={"$10 off": 10_00})
    shopper, phone = regular_with_phone(store.account)

    # when the shopper signs up at checkout, ticks "Customer Consent" and signs
    contact = register.sign_up(
        SignupForm("Jo", "Park", phone, customer_consent=True, signature=SIGNATURE)
    )

    # then they are a member, opted into SMS, with the consent event's provenance
    persona = persona_of(contact)
    assert contact["smsOptIn"] is True
    assert contact["membership"]["loyalty"] is True
    assert persona.loyalty_enrollment_route == EnrollmentRoute.POS
    assert persona.sms_consent == Consent.OPTED_IN
    event = ConsentEvent.objects.get(persona=persona)
    assert (
        event.channel,
        event.previous_status,
        event.status,
        event.provenance,
        event.source,
        event.api_key_label,
        event.evidence,
    ) == (
        ConsentChannel.SMS,
        Consent.UNKNOWN,
        Consent.OPTED_IN,
        ConsentProvenance.POS_SIGNUP,
        "api:posabit signup",
        "POSaBIT counter",
        "Customer Consent + signature",
    )

    # when their $120 first visit syncs (132 points with the 10% tax)
    first = register.open_ticket("PB-5001", shopper, phone)
    first.ring_up(product_index=0, unit_price_cents=120_00)
    register.check_out(first)
    store.sync(Stream.CUSTOMERS)
    store.sync(Stream.SALES)
    assert store.aiq.wallet(phone)["loyaltyPoints"] == 132
    # and on the next visit the budtender applies the POSaBIT promotion named "$10 off"
    ticket = register.open_ticket("PB-5002", shopper, phone)
    ticket.ring_up(product_index=0, unit_price_cents=50_00)
    register.apply_promotion(ticket, "$10 off")
    sale, redeemed = register.check_out(ticket)
    store.sync(Stream.SALES)

    # then the wallet's discount of that name was redeemed once with the transaction id
    assert (redeemed["name"], redeemed["transactionID"], redeemed["pointsDeducted"]) == (
        "$10 off",
        "PB-5002",
        100,
    )
    # and the sale in POSaBIT carries the mirrored promotion by the same name
    (in_posabit,) = [s for s in _posabit_sales(origin, store) if s["local_order_id"] == "PB-5002"]
    assert in_posabit["discount"] == sale.discount_cents == 10_00
    assert [d["coupon_name"] for d in in_posabit["items"][0]["discount_list"]] == ["$10 off"]
    # and the balance is 132 - 100 + 44 (the $40 + 10% tax the shopper paid)
    assert store.aiq.wallet(phone)["loyaltyPoints"] == 76
    assert balance_of(persona.pk) == Decimal("76.00")
    assert list(
        LedgerEntry.objects.filter(account__persona=persona)
        .order_by("pk")
        .values_list("kind", "points")
    ) == [
        (EntryKind.EARN, Decimal("132.00")),
        (EntryKind.REDEEM, Decimal("-100.00")),
        (EntryKind.EARN, Decimal("44.00")),
    ]
    # POSaBIT redeems at checkout, so nothing waits for reconciliation
    assert Redemption.objects.get().reconcile_by is None
    assert verify().drifts == []


def test_a_signup_without_customer_consent_opts_nobody_in(origin):
    store = open_store(origin, "posabit", "POSaBIT counter")
    register = PosabitRegister(store.aiq, store.account, promotions={})
    _shopper, phone = regular_with_phone(store.account)

    # a form whose box was ticked but not signed is not accepted by the register
    with pytest.raises(ValueError, match="signature"):
        register.sign_up(SignupForm("Jo", "Park", phone, customer_consent=True))
    contact = register.sign_up(SignupForm("Jo", "Park", phone))

    persona = persona_of(contact)
    assert (contact["membership"]["loyalty"], contact["smsOptIn"]) == (True, False)
    assert persona.sms_consent != Consent.OPTED_IN
    assert not ConsentEvent.objects.filter(persona=persona, status=Consent.OPTED_IN).exists()
