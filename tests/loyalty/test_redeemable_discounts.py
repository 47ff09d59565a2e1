"""Which discounts a shopper can redeem now, and why each other one is not: enough points,
in date (the store's local day), at this store, not used up, not cooling down, the minimum
spend, staff-only, loyalty on and the shopper a member."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from loyalty.discounts.services import (
    discount_option,
    discount_options,
    redeemable_discounts,
    unavailable_discounts,
)
from tests.factories import PersonaFactory, RetailStoreFactory
from tests.loyalty.factories import DiscountFactory, DiscountUseFactory, LoyaltyProgramFactory

pytestmark = pytest.mark.django_db
# 2026-05-04 20:00 in Seattle (PDT) is already May 5 in UTC.
AT = datetime(2026, 5, 5, 3, 0, tzinfo=UTC)
PLENTY = Decimal("10000")


@pytest.fixture
def member(company_a):
    LoyaltyProgramFactory(company=company_a, enabled=True)
    return PersonaFactory(company=company_a, loyalty_enrolled_at=AT - timedelta(days=30))


def _why(member, discount, **kwargs) -> str:
    """The reason the list gives, checked against the one-discount path a redemption
    takes (``discount_option``): every rule test below runs both."""
    kwargs.setdefault("balance", PLENTY)
    kwargs.setdefault("at", AT)
    options = {o.discount.pk: o for o in discount_options(member, **kwargs)}
    alone = discount_option(member, discount, **kwargs)
    assert alone is not None and alone.reasons == options[discount.pk].reasons
    return options[discount.pk].reason


def test_enough_points_is_redeemable_and_fewer_says_how_many_are_missing(member, company_a):
    discount = DiscountFactory(company=company_a, name="$40 off", points_cost=Decimal("400"))

    assert redeemable_discounts(member, balance=Decimal("400"), at=AT) == [discount]
    assert unavailable_discounts(member, balance=Decimal("399.5"), at=AT) == [
        (discount, "Needs 400 points; has 399.5")
    ]


def test_dates_are_inclusive_and_read_in_the_stores_local_day(member, company_a):
    # given a discount that ends on May 4 and one that starts on May 5
    ending = DiscountFactory(company=company_a, active_until=date(2026, 5, 4))
    starting = DiscountFactory(company=company_a, active_from=date(2026, 5, 5))
    seattle = RetailStoreFactory(company=company_a, time_zone="America/Los_Angeles")

    # then at 8 PM on May 4 in Seattle, the first is still on and the second not yet
    assert _why(member, ending, store=seattle) == ""
    assert _why(member, starting, store=seattle) == "Starts May 5, 2026"
    # and by UTC's day (no store given) it is May 5 already
    assert _why(member, ending) == "Ended May 4, 2026"
    assert _why(member, starting) == ""


def test_a_discount_for_some_stores_only_is_not_offered_elsewhere(member, company_a):
    capitol_hill = RetailStoreFactory(company=company_a, name="Capitol Hill")
    ballard = RetailStoreFactory(company=company_a, name="Ballard")
    only_capitol_hill = DiscountFactory(company=company_a)
    only_capitol_hill.stores.set([capitol_hill])
    everywhere = DiscountFactory(company=company_a)

    assert _why(member, only_capitol_hill, store=capitol_hill) == ""
    assert _why(member, only_capitol_hill, store=ballard) == "Not offered at Ballard"
    # the wallet, before a store is known, offers it
    assert _why(member, only_capitol_hill) == ""
    assert _why(member, everywhere, store=ballard) == ""


def test_single_use_is_used_up_after_one_use_and_multi_use_is_not(member, company_a):
    single = DiscountFactory(company=company_a, single_use=True)
    multi = DiscountFactory(company=company_a, single_use=False)
    for discount in (single, multi):
        DiscountUseFactory(discount=discount, persona=member, used_at=AT - timedelta(days=90))

    assert _why(member, single) == "Already used (single use per shopper)"
    assert _why(member, multi) == ""


def test_another_shoppers_use_does_not_use_it_up(member, company_a):
    single = DiscountFactory(company=company_a, single_use=True)
    DiscountUseFactory(discount=single, persona=PersonaFactory(company=company_a), used_at=AT)

    assert _why(member, single) == ""


def test_cooldown_says_when_it_is_available_again(member, company_a):
    # given a 24-hour cooldown and a use 2 hours ago
    discount = DiscountFactory(company=company_a, cooldown_hours=24)
    DiscountUseFactory(discount=discount, persona=member, used_at=AT - timedelta(hours=2))
    seattle = RetailStoreFactory(company=company_a, time_zone="America/Los_Angeles")

    # then it is available again 22 hours from now, said in the store's time
    assert _why(member, discount, store=seattle) == (
        "Used recently: available again May 5, 2026 at 6:00 PM"
    )
    # and once the cooldown is over it is redeemable
    assert _why(member, discount, at=AT + timedelta(hours=22)) == ""


def test_minimum_spend_is_checked_only_when_the_cart_is_known(member, company_a):
    discount = DiscountFactory(company=company_a, minimum_spend=Decimal("50"))

    assert _why(member, discount, spend=Decimal("30")) == "Minimum spend $50.00 (cart $30.00)"
    assert _why(member, discount, spend=Decimal("50")) == ""
    assert _why(member, discount) == ""


def test_staff_only_discounts_are_for_staff_to_redeem(member, company_a):
    discount = DiscountFactory(company=company_a, staff_only=True)

    assert _why(member, discount) == "Staff-only: a staff member redeems it at the counter"
    assert _why(member, discount, staff=True) == ""


def test_every_reason_is_given_not_just_the_first(member, company_a):
    discount = DiscountFactory(
        company=company_a, points_cost=Decimal("500"), active_from=date(2026, 6, 1)
    )

    assert _why(member, discount, balance=Decimal("100")) == (
        "Starts Jun 1, 2026; Needs 500 points; has 100"
    )


def test_turned_off_discounts_and_other_companies_discounts_are_not_listed(
    member, company_a, company_b
):
    turned_off = DiscountFactory(company=company_a, is_active=False)
    DiscountFactory(company=company_b)
    offered = DiscountFactory(company=company_a)

    options = discount_options(member, balance=PLENTY, at=AT)

    assert [option.discount for option in options] == [offered]
    assert discount_option(member, turned_off, balance=PLENTY, at=AT) is None


def test_nothing_is_redeemable_while_loyalty_is_off(member, company_a):
    discount = DiscountFactory(company=company_a)
    member.company.loyalty_program.enabled = False
    member.company.loyalty_program.save()

    assert redeemable_discounts(member, balance=PLENTY, at=AT) == []
    assert _why(member, discount) == "Loyalty is turned off"


def test_a_shopper_who_is_not_a_member_redeems_nothing(member, company_a):
    discount = DiscountFactory(company=company_a)
    member.loyalty_enrolled_at = None

    assert redeemable_discounts(member, balance=PLENTY, at=AT) == []
    assert _why(member, discount) == "Not a loyalty member"


def test_queries_do_not_grow_with_the_number_of_discounts(
    member, company_a, django_assert_max_num_queries
):
    store = RetailStoreFactory(company=company_a)
    for _ in range(15):
        discount = DiscountFactory(company=company_a, cooldown_hours=1)
        discount.stores.set([store])
        DiscountUseFactory(discount=discount, persona=member, used_at=AT - timedelta(days=1))

    with django_assert_max_num_queries(4):
        options = discount_options(member, balance=PLENTY, store=store, at=AT)

    assert len(options) == 15 and all(option.redeemable for option in options)
