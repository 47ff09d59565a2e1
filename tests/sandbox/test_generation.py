"""The deterministic data behind every sandbox: options, ids, timelines, shoppers, sales."""

from __future__ import annotations

from collections import Counter

import phonenumbers
import pytest

from integrations.sandbox import ids
from integrations.sandbox.catalog import catalog
from integrations.sandbox.options import (
    DEFAULT_CUSTOMERS,
    DEFAULT_SALES,
    account_for,
    is_refused,
    strip_options,
)
from integrations.sandbox.people import customers_timeline, digits_of, person
from integrations.sandbox.sales import LocationSales, location_of, sale, sales_timeline
from integrations.sandbox.timeline import DAY_MS, anchor_ms, parse_moment


def test_options_are_read_from_every_value_and_stripped_from_the_identity():
    # Given a password carrying two faults and a client id carrying a size
    account = account_for(
        "cova",
        ("ACME.AIQ,sales=1000000", "user"),
        ("ACME.AIQ,sales=1000000", "secret", "user", "pw-fault=rate-limit,fault=malformed"),
    )
    clean = account_for("cova", ("ACME.AIQ", "user"), ("ACME.AIQ", "secret", "user", "pw"))

    # Then the options apply, but the data identity is the same as without them
    assert account.faults == {"rate-limit", "malformed"}
    assert account.sales == 1_000_000
    assert account.customers == DEFAULT_CUSTOMERS
    assert account.key == clean.key
    assert account.seed == clean.seed
    assert account.state_key != clean.state_key
    assert clean.faults == frozenset()
    assert clean.sales == DEFAULT_SALES


def test_unknown_fault_names_are_ignored_and_options_strip_cleanly():
    account = account_for("clover", ("M", "tok,fault=nonsense"), ("M", "tok,fault=nonsense"))
    assert account.faults == frozenset()
    assert strip_options("abc,fault=malformed;customers=10") == "abc"


@pytest.mark.parametrize(
    ("value", "refused"),
    [("", True), ("  ", True), ("invalid-token", True), ("WRONG", True), ("good", False)],
)
def test_refused_credential_values(value, refused):
    assert is_refused(value) is refused


def test_ids_round_trip_and_never_cross_kinds():
    key = "k" * 64
    for index in (0, 1, 499, 999_999):
        assert ids.guid_index(key, "sale", ids.guid(key, "sale", index)) == index
        assert ids.clover_index(key, "order", ids.clover_id(key, "order", index)) == index
        assert ids.int_index(key, "customer", ids.int_id(key, "customer", index)) == index
    assert ids.guid_index(key, "customer", ids.guid(key, "sale", 5)) is None
    assert ids.clover_index(key, "customer", ids.clover_id(key, "order", 5)) is None
    assert len(ids.clover_id(key, "order", 5)) == 13


def test_timelines_increase_and_end_before_today():
    account = account_for("clover", ("M", "t,sales=100000"), ("M", "t,sales=100000"))
    timeline = sales_timeline(account)
    moments = [timeline.at(index) for index in range(0, 100_000, 997)]
    assert moments == sorted(set(moments))
    assert timeline.at(0) >= anchor_ms() - 90 * DAY_MS
    assert timeline.at(99_999) < anchor_ms()


def test_time_ranges_are_exact_index_ranges():
    account = account_for("posabit", ("v",), ("i", "v"))
    timeline = sales_timeline(account)
    low, high = timeline.at(100), timeline.at(200)
    assert timeline.between(low, high) == range(100, 201)
    assert timeline.between(low, high, low_inclusive=False, high_inclusive=False) == range(101, 200)
    assert timeline.between(None, low) == range(0, 101)
    assert parse_moment("2024-05-01") == parse_moment("2024-05-01T00:00:00Z")


def test_same_credentials_same_data_different_credentials_different_data():
    first = account_for("posabit", ("venue-a",), ("i", "venue-a"))
    again = account_for("posabit", ("venue-a",), ("other-integrator", "venue-a"))
    other = account_for("posabit", ("venue-b",), ("i", "venue-b"))

    assert [person(first, i) for i in range(20)] == [person(again, i) for i in range(20)]
    assert [sale(first, i) for i in range(20)] == [sale(again, i) for i in range(20)]
    assert [person(first, i).full_name for i in range(20)] != [
        person(other, i).full_name for i in range(20)
    ]


def test_shoppers_are_messy_like_real_pos_data():
    account = account_for("clover", ("M", "t,customers=2000"), ("M", "t,customers=2000"))
    people = [person(account, index) for index in range(account.customers)]

    by_digits = Counter(p.phone_digits for p in people if p.phone_digits)
    shared = [digits for digits, count in by_digits.items() if count > 1]
    formats_of_shared = {p.phone for p in people if p.phone_digits in set(shared)}
    emails = Counter((p.email or "").lower() for p in people if p.email)

    assert shared, "some shoppers share a phone"
    assert len(formats_of_shared) > len(shared), "a shared phone is typed differently"
    assert any(count > 1 for count in emails.values()), "some shoppers share an email"
    assert sum(p.email is None for p in people) > 100
    assert sum(p.phone is None for p in people) > 50
    invalid = [p for p in people if p.phone and not p.phone_digits]
    assert invalid
    assert len({p.state for p in people}) == 2
    assert {p.pricing_group for p in people} >= {None, 1, 2}
    valid = [p for p in people if p.phone_digits][:200]
    good = sum(phonenumbers.is_valid_number(phonenumbers.parse(p.phone, "US")) for p in valid)
    assert good / len(valid) > 0.95
    assert customers_timeline(account).at(0) < customers_timeline(account).at(1999)
    assert digits_of("+1 (206) 555-0134") == "2065550134"


def test_sales_look_like_a_dispensarys():
    account = account_for("cova", ("C", "u,sales=4000"), ("C", "s", "u,sales=4000", "p"))
    sales = [sale(account, index) for index in range(account.sales)]

    line_counts = Counter(len(s.lines) for s in sales)
    assert set(line_counts) == {1, 2, 3, 4, 5}
    assert 2.6 < sum(len(s.lines) for s in sales) / len(sales) < 3.4
    assert 0.03 < sum(s.is_refund for s in sales) / len(sales) < 0.07
    assert all(s.total_cents < 0 for s in sales if s.is_refund)
    assert {s.fulfillment for s in sales} == {"in_store", "pickup", "delivery"}
    assert sum(s.customer is None for s in sales) > 0
    assert "" in {s.payment_method for s in sales}
    assert {s.location for s in sales} == {0, 1, 2}
    # A shopper is only on sales made after they became a customer.
    timeline = customers_timeline(account)
    assert all(timeline.at(s.customer) <= s.created_ms for s in sales if s.customer is not None)


def test_location_positions_are_arithmetic():
    account = account_for("cova", ("C", "u"), ("C", "s", "u", "p"))
    indices = range(37, 460)
    for location in range(3):
        expected = [i for i in indices if location_of(account, i) == location]
        arithmetic = LocationSales(account, location, indices)
        assert len(arithmetic) == len(expected)
        assert arithmetic.slice(0, 10_000) == expected
        assert arithmetic.slice(5, 7) == expected[5:12]


def test_products_carry_stock_and_lab_specifications():
    account = account_for("cova", ("C", "u"), ("C", "s", "u", "p"))
    products = catalog(account)
    names = {spec.name for product in products for spec in product.specifications}
    assert len(products) == 40
    assert {"COA Link", "THCa"} <= names
    assert names & {"Limonene", "Beta Myrcene", "Linalool"}
    assert all(len(product.stock) == 3 for product in products)
    assert any(0 in product.stock for product in products)
