"""A discount limited to an audience: shoppers outside it see why, members redeem it, and
the wallet reads audiences only when such a discount exists."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aiq.accounts.choices import Role
from aiq.audiences.models import Audience
from loyalty.discounts.services import discount_options
from tests.audiences.helpers import sale
from tests.conftest import staff_client
from tests.factories import PersonaFactory
from tests.loyalty.factories import DiscountFactory, LoyaltyProgramFactory

pytestmark = pytest.mark.django_db
PLENTY = Decimal("10000")


def _member(company, **kwargs):
    return PersonaFactory(
        company=company, loyalty_enrolled_at=timezone.now() - timedelta(days=3), **kwargs
    )


def _reasons(persona):
    return {o.discount.name: o.reason for o in discount_options(persona, balance=PLENTY)}


def test_only_the_audience_may_redeem_and_others_are_told_why(company_a):
    LoyaltyProgramFactory(company=company_a, enabled=True)
    vips = Audience.objects.create(
        company=company_a,
        name="VIP pricing",
        conditions=[{"type": "brand_trait", "key": "CovaPricingGroup", "value": "VIP"}],
    )
    DiscountFactory(company=company_a, name="VIP $20", audience=vips)
    DiscountFactory(company=company_a, name="Everyone $5")
    vip = _member(company_a, brand_traits={"CovaPricingGroup": "VIP"})
    regular = _member(company_a)

    assert _reasons(vip) == {"VIP $20": "", "Everyone $5": ""}
    assert _reasons(regular) == {"VIP $20": "Only for VIP pricing", "Everyone $5": ""}


def test_membership_is_read_now_and_costs_two_queries_only_when_needed(company_a):
    LoyaltyProgramFactory(company=company_a, enabled=True)
    shopper = _member(company_a)
    DiscountFactory(company=company_a, name="Everyone $5")
    with CaptureQueriesContext(connection) as plain:
        discount_options(shopper, balance=PLENTY)

    delivery = Audience.objects.create(
        company=company_a,
        name="Delivery",
        conditions=[{"type": "fulfillment", "value": "delivery"}],
    )
    DiscountFactory(company=company_a, name="Delivery $10", audience=delivery)
    DiscountFactory(company=company_a, name="Delivery $15", audience=delivery)
    vips = Audience.objects.create(
        company=company_a,
        name="VIP",
        conditions=[{"type": "brand_trait", "key": "CovaPricingGroup", "value": "VIP"}],
    )
    DiscountFactory(company=company_a, name="VIP $20", audience=vips)
    with CaptureQueriesContext(connection) as limited:
        reasons = _reasons(shopper)
    assert (reasons["Delivery $10"], reasons["VIP $20"]) == ("Only for Delivery", "Only for VIP")
    # the audiences in one query, then one membership query for both audiences
    assert len(limited) == len(plain) + 2

    sale(shopper, fulfillment="delivery")  # a sync brings a delivery: in at once
    assert _reasons(shopper)["Delivery $10"] == ""


def test_discount_form_offers_only_the_companys_audiences(company_a, company_b):
    LoyaltyProgramFactory(company=company_a, enabled=True)
    theirs = Audience.objects.create(company=company_b, name="Theirs")
    ours = Audience.objects.create(company=company_a, name="Ours")
    client = staff_client(company_a, Role.MARKETER)
    page = client.get(reverse("admin:loyalty_discount_add"))
    choices = {str(a) for a in page.context["adminform"].form.fields["audience"].queryset}
    assert choices == {"Ours"}
    response = client.post(
        reverse("admin:loyalty_discount_add"),
        {
            "name": "Ours only",
            "kind": "flat",
            "value": "10",
            "points_cost": "100",
            "apply_before_tax": "True",
            "single_use": "False",
            "is_active": "on",
            "audience": str(theirs.pk),
        },
    )
    assert response.status_code == 200
    assert "audience" in response.context["adminform"].form.errors
    assert ours.discounts.count() == 0
