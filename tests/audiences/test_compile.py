"""Each condition type, all/any, and the one-query promise: an audience's members are the
personas a direct ORM query finds."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aiq.audiences.compile import members_of
from aiq.personas.choices import Consent, Source
from loyalty.ledger.models import LoyaltyAccount
from tests.audiences.helpers import sale
from tests.factories import IdentityFactory, PersonaFactory, RetailStoreFactory

pytestmark = pytest.mark.django_db


def _ids(company, conditions, match="all"):
    return set(members_of(company, match, conditions).values_list("pk", flat=True))


def test_fulfillment_contains_finds_delivery_buyers_only(company_a, company_b):
    delivered = PersonaFactory(company=company_a)
    sale(delivered, fulfillment="delivery")
    in_store = PersonaFactory(company=company_a)
    sale(in_store, fulfillment="in_store")
    refunded_delivery = PersonaFactory(company=company_a)
    sale(refunded_delivery, "-20", fulfillment="delivery", refund=True)
    elsewhere = PersonaFactory(company=company_b)
    sale(elsewhere, fulfillment="delivery")

    assert _ids(company_a, [{"type": "fulfillment", "value": "DELIV"}]) == {delivered.pk}
    old = PersonaFactory(company=company_a)
    sale(old, fulfillment="delivery", days_ago=200)
    assert _ids(company_a, [{"type": "fulfillment", "value": "delivery", "days": 90}]) == {
        delivered.pk
    }


def test_brand_trait_equals_a_value_or_has_the_key(company_a):
    vip = PersonaFactory(company=company_a, brand_traits={"CovaPricingGroup": "VIP"})
    staff = PersonaFactory(company=company_a, brand_traits={"CovaPricingGroup": "Staff"})
    numeric = PersonaFactory(company=company_a, brand_traits={"Pricing Group ID": 3})
    PersonaFactory(company=company_a)

    assert _ids(
        company_a, [{"type": "brand_trait", "key": "CovaPricingGroup", "value": "VIP"}]
    ) == {vip.pk}
    assert _ids(company_a, [{"type": "brand_trait", "key": "CovaPricingGroup"}]) == {
        vip.pk,
        staff.pk,
    }
    assert _ids(company_a, [{"type": "brand_trait", "key": "Pricing Group ID", "value": "3"}]) == {
        numeric.pk
    }


def test_spend_and_purchase_count_are_per_shopper_aggregates(company_a):
    big = PersonaFactory(company=company_a)
    sale(big, "300")
    sale(big, "250")
    refunded = PersonaFactory(company=company_a)
    sale(refunded, "600")
    sale(refunded, "-200", refund=True)
    small = PersonaFactory(company=company_a)
    sale(small, "20")

    assert _ids(company_a, [{"type": "total_spend", "amount": "500"}]) == {big.pk}
    assert _ids(company_a, [{"type": "purchase_count", "count": 2}]) == {big.pk}
    assert _ids(company_a, [{"type": "purchase_count", "count": 1, "days": 30}]) == {
        big.pk,
        refunded.pk,
        small.pk,
    }


def test_contact_conditions(company_a):
    store = RetailStoreFactory(company=company_a)
    today = timezone.localdate()
    member = PersonaFactory(
        company=company_a,
        loyalty_enrolled_at=timezone.now(),
        favorite_store=store,
        sms_consent=Consent.OPTED_IN,
        state="WA",
        birth_date=today.replace(year=today.year - 30),
    )
    IdentityFactory(persona=member, source=Source.POSABIT)
    other = PersonaFactory(company=company_a, state="OR", birth_date=date(1950, 1, 1))

    assert _ids(company_a, [{"type": "loyalty_member", "value": "yes"}]) == {member.pk}
    assert _ids(company_a, [{"type": "loyalty_member", "value": "no"}]) == {other.pk}
    assert _ids(company_a, [{"type": "favorite_store", "store": store.pk}]) == {member.pk}
    assert _ids(company_a, [{"type": "sms_opted_in", "value": "yes"}]) == {member.pk}
    assert _ids(company_a, [{"type": "source", "value": "posabit"}]) == {member.pk}
    assert _ids(company_a, [{"type": "state", "value": "wa"}]) == {member.pk}
    assert _ids(company_a, [{"type": "age", "min": 30, "max": 30}]) == {member.pk}
    assert _ids(company_a, [{"type": "age", "min": 31, "max": 60}]) == set()


def test_category_last_purchase_and_points(company_a):
    flower = PersonaFactory(company=company_a)
    sale(flower, category="Flower", days_ago=5)
    lapsed = PersonaFactory(company=company_a)
    sale(lapsed, category="Edibles", days_ago=120)
    LoyaltyAccount.objects.create(company=company_a, persona=lapsed, balance=Decimal("750"))

    assert _ids(company_a, [{"type": "category", "value": "flower"}]) == {flower.pk}
    assert _ids(company_a, [{"type": "last_purchase", "days": 30}]) == {flower.pk}
    assert _ids(company_a, [{"type": "points", "points": "750"}]) == {lapsed.pk}
    assert _ids(company_a, [{"type": "points", "points": "750.01"}]) == set()


def test_bought_brand_matches_the_brand_in_any_case_within_the_window(company_a, company_b):
    # given shoppers who bought brands, at different times, and one elsewhere
    recent = PersonaFactory(company=company_a)
    sale(recent, category="Flower", brand="Acme Farms", days_ago=5)
    lapsed = PersonaFactory(company=company_a)
    sale(lapsed, category="Flower", brand="ACME FARMS", days_ago=120)
    other_brand = PersonaFactory(company=company_a)
    sale(other_brand, category="Flower", brand="Greenleaf", days_ago=5)
    no_brand = PersonaFactory(company=company_a)
    sale(no_brand, category="Flower", days_ago=5)
    theirs = PersonaFactory(company=company_b)
    sale(theirs, brand="Acme Farms", days_ago=5)

    # then the condition selects the brand's buyers only (it is not ignored: the
    # company's other shoppers are left out), case-insensitively, in the window
    assert _ids(company_a, [{"type": "brand", "value": "acme farms"}]) == {recent.pk, lapsed.pk}
    assert _ids(company_a, [{"type": "brand", "value": "Acme Farms", "days": 30}]) == {recent.pk}
    assert _ids(company_a, [{"type": "brand", "value": "Nobody's brand"}]) == set()
    # and it combines like any other condition
    both = [{"type": "brand", "value": "greenleaf"}, {"type": "last_purchase", "days": 30}]
    assert _ids(company_a, both) == {other_brand.pk}
    assert _ids(company_a, both, match="any") == {recent.pk, other_brand.pk, no_brand.pk}


def test_bought_brand_or_category_counts_what_was_kept_after_refunds(company_a):
    # given a shopper who returned all they bought, one who returned one of two (the
    # sales API's refund: negative quantity), one who returned another brand, and one
    # refunded as Clover does it (the lines repeated with positive quantities)
    returned_all = PersonaFactory(company=company_a)
    sale(returned_all, category="Flower", brand="Acme Farms", days_ago=10)
    sale(returned_all, "-20", refund=True, category="flower", brand="ACME FARMS", days_ago=9)
    kept_one = PersonaFactory(company=company_a)
    sale(kept_one, "40", category="Flower", brand="Acme Farms", quantity="2", days_ago=10)
    sale(kept_one, "-20", refund=True, category="Flower", brand="Acme Farms", quantity="-1")
    other_refund = PersonaFactory(company=company_a)
    sale(other_refund, category="Flower", brand="Acme Farms", days_ago=10)
    sale(other_refund, "-20", refund=True, category="Edibles", brand="Greenleaf", days_ago=9)
    clover_refund = PersonaFactory(company=company_a)
    sale(clover_refund, category="Vapes", brand="Greenleaf", days_ago=10)
    sale(clover_refund, "20", refund=True, category="Vapes", brand="Greenleaf", days_ago=9)

    # then only the shoppers who kept some of it are buyers of that brand or category
    kept = {kept_one.pk, other_refund.pk}
    assert _ids(company_a, [{"type": "brand", "value": "acme farms"}]) == kept
    assert _ids(company_a, [{"type": "category", "value": "flower"}]) == kept
    assert _ids(company_a, [{"type": "brand", "value": "Greenleaf"}]) == set()
    assert _ids(company_a, [{"type": "category", "value": "vapes"}]) == set()
    assert _ids(company_a, [{"type": "category", "value": "edibles"}]) == set()
    # and in any combination, the same rule (a refund alone makes no "any" member)
    either = [{"type": "brand", "value": "greenleaf"}, {"type": "category", "value": "flower"}]
    assert _ids(company_a, either, match="any") == kept
    both = [{"type": "brand", "value": "acme farms"}, {"type": "category", "value": "flower"}]
    assert _ids(company_a, both) == kept


def test_bought_brand_in_a_window_nets_the_window_s_purchases_and_returns(company_a):
    # a return inside the window of a purchase made before it: nothing bought in the window
    old_purchase = PersonaFactory(company=company_a)
    sale(old_purchase, brand="Acme Farms", days_ago=60)
    sale(old_purchase, "-20", refund=True, brand="Acme Farms", quantity="-1", days_ago=5)
    # two bought in the window, one returned in it: one kept
    recent = PersonaFactory(company=company_a)
    sale(recent, "40", brand="Acme Farms", quantity="2", days_ago=5)
    sale(recent, "-20", refund=True, brand="acme farms", quantity="-1", days_ago=3)

    in_30_days = [{"type": "brand", "value": "Acme Farms", "days": 30}]
    assert _ids(company_a, in_30_days) == {recent.pk}
    assert _ids(company_a, [{"type": "brand", "value": "Acme Farms"}]) == {recent.pk}
    assert _ids(company_a, [{"type": "brand", "value": "Acme Farms", "days": 90}]) == {recent.pk}


def test_bought_brand_requires_a_brand(company_a):
    from django.core.exceptions import ValidationError

    from aiq.audiences.conditions import clean_conditions

    with pytest.raises(ValidationError, match=r"Condition 1 \(Bought brand\), brand: this field"):
        clean_conditions([{"type": "brand", "value": "  "}])
    assert clean_conditions([{"type": "brand", "value": " Acme ", "days": "30"}]) == [
        {"type": "brand", "value": "Acme", "days": 30}
    ]


def test_all_and_any_give_the_same_members_as_a_direct_query_in_one_query(company_a):
    from aiq.personas.models import Persona

    for index in range(12):
        persona = PersonaFactory(
            company=company_a,
            loyalty_enrolled_at=timezone.now() if index % 2 else None,
            brand_traits={"CovaPricingGroup": "VIP"} if index % 3 == 0 else {},
        )
        sale(
            persona,
            str(100 * index),
            fulfillment="delivery" if index % 4 == 1 else "pickup",
            days_ago=index * 7,
        )
    conditions = [
        {"type": "loyalty_member", "value": "yes"},
        {"type": "fulfillment", "value": "delivery", "days": 90},
        {"type": "total_spend", "amount": "500"},
    ]
    since = timezone.now() - timedelta(days=91)
    direct_all = {
        p.pk
        for p in Persona.objects.filter(company=company_a, loyalty_enrolled_at__isnull=False)
        if p.sales.filter(fulfillment="delivery", is_refund=False, occurred_at__gte=since).exists()
        and sum(s.total for s in p.sales.all()) >= 500
    }
    direct_any = {
        p.pk
        for p in Persona.objects.filter(company=company_a)
        if p.loyalty_enrolled_at is not None
        or p.sales.filter(fulfillment="delivery", is_refund=False, occurred_at__gte=since).exists()
        or sum(s.total for s in p.sales.all()) >= 500
    }

    with CaptureQueriesContext(connection) as queries:
        assert _ids(company_a, conditions) == direct_all
        assert _ids(company_a, conditions, match="any") == direct_any
    assert len(queries) == 2
    assert direct_all and direct_any != direct_all
