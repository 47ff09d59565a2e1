"""Settings > Loyalty > Discounts: adding one with the seed's terms, its rules as form
errors on the field they concern, tenant scoping and roles."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest

from aiq.accounts.choices import Role
from loyalty.discounts.models import Discount
from tests.conftest import staff_client
from tests.factories import RetailStoreFactory
from tests.loyalty.factories import DiscountFactory, DiscountUseFactory

pytestmark = pytest.mark.django_db
LIST = "/admin/loyalty/discount/"
ADD = "/admin/loyalty/discount/add/"


def _form(**values: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "$40 off",
        "kind": "flat",
        "value": "40",
        "points_cost": "400",
        "pos_discount_id": "",
        "apply_before_tax": "True",
        "is_active": "on",
        "active_from": "",
        "active_until": "",
        "single_use": "False",
        "cooldown_hours": "",
        "minimum_spend": "",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def test_owner_adds_a_discount_for_one_store(owner_a, company_a):
    store = RetailStoreFactory(company=company_a, name="Capitol Hill")

    response = owner_a.post(
        ADD,
        _form(
            name="  $40   off ",
            pos_discount_id="AIQ-40",
            apply_before_tax="False",
            stores=[store.pk],
            single_use="True",
            cooldown_hours="24",
            minimum_spend="50",
            staff_only="on",
        ),
    )

    assert response.status_code == 302
    discount = Discount.objects.get()
    assert discount.company == company_a
    assert discount.name == "$40 off"
    assert (discount.value, discount.points_cost) == (Decimal("40"), Decimal("400"))
    assert discount.apply_before_tax is False and discount.single_use is True
    assert list(discount.stores.all()) == [store]
    assert (discount.cooldown_hours, discount.minimum_spend) == (24, Decimal("50"))
    assert discount.staff_only is True and discount.pos_discount_id == "AIQ-40"
    listing = _text(owner_a.get(LIST))
    assert "$40.00 off" in listing and "Capitol Hill" in listing


def test_the_add_form_speaks_the_seeds_terms(owner_a):
    page = _text(owner_a.get(ADD))

    for text in (
        "Flat $ off the cart",
        "% off the cart",
        "POS discount ID",
        "POSaBIT mirrors discounts by identical name",
        "Before taxes",
        "After taxes",
        "Single use per shopper",
        "Staff-only redemption",
        "Leave every box empty to offer it at all your stores.",
    ):
        assert text in page, text


def test_a_name_already_used_ignoring_capitals_is_a_form_error(owner_a, company_a, company_b):
    DiscountFactory(company=company_a, name="$40 Off")
    DiscountFactory(company=company_b, name="$10 off")  # another company's name is free

    refused = owner_a.post(ADD, _form(name="$40 OFF "))
    accepted = owner_a.post(ADD, _form(name="$10 off"))

    assert "You already have a discount named “$40 Off”" in _text(refused)
    assert accepted.status_code == 302
    assert sorted(Discount.objects.filter(company=company_a).values_list("name", flat=True)) == [
        "$10 off",
        "$40 Off",
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"kind": "percent", "value": "120"}, "A percentage discount is at most 100%."),
        ({"kind": "percent", "value": "0"}, "Enter an amount above zero."),
        ({"kind": "flat", "value": "-5"}, "Enter an amount above zero."),
        ({"points_cost": "0"}, "Enter the points it costs: more than zero."),
        ({"value": "ten"}, "Enter a number."),
        (
            {"active_from": "2026-06-01", "active_until": "2026-05-01"},
            "The end date is before the start date.",
        ),
        ({"minimum_spend": "-1"}, "Enter zero or more dollars, or leave it blank."),
    ],
)
def test_bad_values_are_form_errors_and_nothing_is_saved(owner_a, values, message):
    response = owner_a.post(ADD, _form(**values))

    assert response.status_code == 200
    assert message in _text(response)
    assert not Discount.objects.exists()


def test_a_percentage_of_100_is_allowed(owner_a):
    response = owner_a.post(ADD, _form(kind="percent", value="100"))

    assert response.status_code == 302
    assert Discount.objects.get().value_display == "100% off"


def test_another_companys_store_cannot_be_chosen(owner_a, company_b):
    theirs = RetailStoreFactory(company=company_b)

    response = owner_a.post(ADD, _form(stores=[theirs.pk]))

    assert "Select a valid choice." in _text(response)
    assert not Discount.objects.exists()


def test_another_companys_discount_is_a_404(owner_a, company_b):
    theirs = DiscountFactory(company=company_b)

    assert owner_a.get(f"/admin/loyalty/discount/{theirs.pk}/change/").status_code == 404
    assert theirs.name not in _text(owner_a.get(LIST))


def test_a_discount_with_uses_cannot_be_deleted_only_turned_off(owner_a, company_a):
    discount = DiscountFactory(company=company_a)
    DiscountUseFactory(discount=discount)

    response = owner_a.post(f"/admin/loyalty/discount/{discount.pk}/delete/", {"post": "yes"})

    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in _text(response)
    assert Discount.objects.filter(pk=discount.pk).exists()


def test_marketer_manages_discounts_but_does_not_delete_them(company_a):
    marketer = staff_client(company_a, Role.MARKETER)
    discount = DiscountFactory(company=company_a)

    added = marketer.post(ADD, _form(name="Birthday 10%", kind="percent", value="10"))
    deleted = marketer.post(f"/admin/loyalty/discount/{discount.pk}/delete/", {"post": "yes"})

    assert added.status_code == 302
    assert deleted.status_code == 403
    assert Discount.objects.filter(company=company_a).count() == 2


def test_budtender_has_no_discounts_screen(budtender_a, company_a):
    discount = DiscountFactory(company=company_a)

    assert budtender_a.get(LIST).status_code == 403
    assert budtender_a.post(ADD, _form(name="Sneaky")).status_code == 403
    assert budtender_a.get(f"/admin/loyalty/discount/{discount.pk}/change/").status_code == 403
    assert Discount.objects.count() == 1
