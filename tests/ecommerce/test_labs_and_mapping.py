"""COA link, the 20 supported labs, unsupported names, and malformed products (no HTTP)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecommerce.menu.labs import SUPPORTED_LABS, read_specifications
from ecommerce.menu.mapping import product_from

LOCATION = "200017"


def _raw(**overrides):  # type: ignore[no-untyped-def]
    raw = {
        "ProductId": "ABC-1",
        "Name": "Blue Dream 3.5g",
        "ClassificationName": "Flower",
        "Pricing": [{"LocationId": int(LOCATION), "Price": 35.0, "SalePrice": 28.0}],
        "Availability": [{"LocationId": int(LOCATION), "InStockQuantity": 4}],
        "Specifications": [],
    }
    raw.update(overrides)
    return raw


def _number(name: str, value: str, unit: str = "%") -> dict[str, str]:
    return {"DisplayName": name, "Value": value, "Unit": unit, "DataType": "Number"}


def test_there_are_exactly_the_twenty_labs_of_seed_002():
    assert len(SUPPORTED_LABS) == 20
    assert len(set(SUPPORTED_LABS)) == 20


@pytest.mark.parametrize("lab", SUPPORTED_LABS)
def test_each_supported_lab_is_kept_with_its_name_and_unit(lab):
    reading = read_specifications([_number(lab, "0.42", "mg/g")])
    assert reading.labs == {lab: {"value": "0.42", "unit": "mg/g"}}
    assert reading.unsupported == []


@pytest.mark.parametrize("typed", ["3 carene", "ALPHA-PINENE", "trans nerolidol", "thca"])
def test_a_lab_name_matches_without_case_spaces_or_hyphens(typed):
    assert len(read_specifications([_number(typed, "1")]).labs) == 1


def test_an_unsupported_lab_is_ignored_and_named():
    reading = read_specifications([_number("Myrcene", "0.3"), _number("THCa", "21.5")])
    assert reading.labs == {"THCa": {"value": "21.5", "unit": "%"}}
    assert reading.unsupported == ["Myrcene"]


def test_a_text_specification_with_a_lab_name_is_not_a_lab():
    spec = {"DisplayName": "THCa", "Value": "high", "DataType": "Text"}
    assert read_specifications([spec]).labs == {}


def test_the_highest_value_wins_when_two_specifications_disagree():
    reading = read_specifications(
        [_number("CBN", "0.5"), _number("cbn", "1.25"), _number("CBN", "0.9")]
    )
    assert reading.labs == {"CBN": {"value": "1.25", "unit": "%"}}


@pytest.mark.parametrize("name", ["COA Link", "COA", "coa link"])
def test_the_coa_link_comes_from_a_coa_link_or_coa_specification(name):
    spec = {"DisplayName": name, "Value": "https://labs.example/coa/1.pdf", "DataType": "Text"}
    assert read_specifications([spec]).coa_url == "https://labs.example/coa/1.pdf"


def test_a_coa_value_that_is_not_a_link_is_ignored():
    spec = {"DisplayName": "COA", "Value": "javascript:alert(1)", "DataType": "Text"}
    assert read_specifications([spec]).coa_url == ""


def test_a_product_maps_price_sale_price_stock_and_labs():
    product = product_from(_raw(Specifications=[_number("Limonene", "0.8")]), LOCATION)
    assert (product.price, product.sale_price, product.in_stock_quantity) == (
        Decimal("35.00"),
        Decimal("28.00"),
        Decimal(4),
    )
    assert product.labs == {"Limonene": {"value": "0.8", "unit": "%"}}
    assert product.cova_product_id == "abc-1"


def test_a_sale_price_not_below_the_price_is_no_sale():
    raw = _raw(Pricing=[{"LocationId": int(LOCATION), "Price": 35.0, "SalePrice": 35.0}])
    assert product_from(raw, LOCATION).sale_price is None


def test_stock_of_several_rooms_adds_up_and_other_locations_are_kept_apart():
    raw = _raw(
        Availability=[
            {"LocationId": int(LOCATION), "InStockQuantity": 2},
            {"LocationId": int(LOCATION), "InStockQuantity": 3},
            {"LocationId": 999, "InStockQuantity": 7},
        ]
    )
    product = product_from(raw, LOCATION)
    assert product.in_stock_quantity == 5
    assert product.stock_by_location == {LOCATION: "5", "999": "7"}


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"ProductId": None}, "the product has no ProductId"),
        ({"Name": ""}, "the product has no Name"),
        (
            {"Pricing": [{"LocationId": 200017, "Price": "call us"}]},
            "Price is not a number: 'call us'",
        ),
        ({"Availability": {"LocationId": 1}}, "Availability is not a list"),
        ({"Pricing": [{"LocationId": 200017, "Price": -1}]}, "Price is not a usable amount: -1"),
    ],
)
def test_a_malformed_product_says_why(overrides, reason):
    with pytest.raises(ValueError) as error:
        product_from(_raw(**overrides), LOCATION)
    assert str(error.value) == reason
