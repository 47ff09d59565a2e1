"""The card's "purchased after" date applied by the syncs themselves (loyalty hooks)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from aiq.personas.choices import EnrollmentRoute
from aiq.personas.models import Persona
from integrations.sync.choices import RunStatus, Stream
from tests.factories import IdentityFactory, PersonaFactory
from tests.sync.factories import T0, SandboxCredentialFactory, customer, run_once, sale
from tests.sync.fakes import FakeProvider

pytestmark = pytest.mark.django_db


def test_a_sales_sync_enrolls_the_shoppers_of_sales_after_the_date():
    # given a card with the date set a week before its shoppers' sales
    credential = SandboxCredentialFactory(
        integration__enroll_loyalty_after=(T0 - timedelta(days=7)).date()
    )
    buyer = PersonaFactory(company=credential.company)
    IdentityFactory(persona=buyer, source="cova", external_id="c1")
    early = PersonaFactory(company=credential.company)
    IdentityFactory(persona=early, source="cova", external_id="c2")
    sales = [
        sale("s1", customer_external_id="c1"),
        sale("s2", customer_external_id="c2", occurred_at=T0 - timedelta(days=9)),
    ]

    # when the sales sync runs
    run = run_once(credential, Stream.SALES, FakeProvider(sales=sales))

    # then the buyer after the date is a member from that sale; the earlier one is not
    assert run.status == RunStatus.OK
    buyer.refresh_from_db()
    early.refresh_from_db()
    assert (buyer.loyalty_enrolled_at, buyer.loyalty_enrollment_route) == (
        T0,
        EnrollmentRoute.PURCHASED_AFTER,
    )
    assert early.loyalty_enrolled_at is None


def test_a_sales_sync_without_the_date_enrolls_nobody():
    credential = SandboxCredentialFactory()
    buyer = PersonaFactory(company=credential.company)
    IdentityFactory(persona=buyer, source="cova", external_id="c1")

    run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1", customer_external_id="c1")]))

    buyer.refresh_from_db()
    assert buyer.loyalty_enrolled_at is None


def test_a_customers_sync_enrolls_a_new_shopper_whose_earlier_sales_it_links():
    # given an anonymous sale after the date, by a POS customer not yet a persona
    credential = SandboxCredentialFactory(
        integration__enroll_loyalty_after=date(2000, 1, 1), integration__sync_personas=False
    )
    run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1", customer_external_id="c9")]))
    assert Persona.objects.count() == 0

    # when the customers sync brings the shopper in (and links the sale)
    run = run_once(credential, Stream.CUSTOMERS, FakeProvider(customers=[customer("c9")]))

    # then they are enrolled from that sale
    assert run.status == RunStatus.OK
    persona = Persona.objects.get()
    assert (persona.loyalty_enrolled_at, persona.loyalty_enrollment_route) == (
        T0,
        EnrollmentRoute.PURCHASED_AFTER,
    )
