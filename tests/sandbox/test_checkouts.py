"""Sales rung up at a simulated register: stored in the sandbox's data and listed after
the generated history by each POS's sales listing, inside its time filters."""

from __future__ import annotations

import pytest

from integrations.sandbox.checkouts import checkouts, record_checkout
from integrations.sandbox.cova import payloads as cova_payloads
from integrations.sandbox.sales import Line
from integrations.sandbox.timeline import iso_z
from tests.sandbox.conftest import (
    CLOVER_TOKEN,
    INTEGRATOR,
    MERCHANT,
    VENUE,
    Cova,
    basic,
    clover_account,
    posabit_account,
)

pytestmark = pytest.mark.django_db

WHOLE_HISTORY = "Date ge datetime'2000-01-01T00:00:00' and Date le datetime'2100-01-01T00:00:00'"
DISCOUNTED = (Line(0, 1, 50_00, 20_00, "$20 off"), Line(1, 2, 5_00, 0))


def test_a_cova_checkout_follows_the_history_at_its_location_and_in_its_range(client):
    cova = Cova(client)
    rung = record_checkout(
        cova.account, lines=DISCOUNTED, receipt_number="INV-1002", customer=3, location=1
    )
    seattle, spokane, _portland = cova_payloads.location_ids(cova.account)
    url = cova.url("posreports", f"Entities({spokane})/ByInvoiceWithProducts")

    invoices = cova.get(url, {"DateRange": WHOLE_HISTORY, "$top": 5000}).json()
    last_page = cova.get(
        url, {"DateRange": WHOLE_HISTORY, "$top": 1, "$skip": len(invoices) - 1}
    ).json()
    just_before = iso_z(rung.created_ms - 1000)
    before = f"Date ge datetime'2000-01-01T00:00:00' and Date le datetime'{just_before}'"
    earlier = cova.get(url, {"DateRange": before, "$top": 5000}).json()
    elsewhere = cova.get(
        cova.url("posreports", f"Entities({seattle})/ByInvoiceWithProducts"),
        {"DateRange": WHOLE_HISTORY, "$top": 5000},
    ).json()

    assert last_page == [invoices[-1]]
    assert invoices[-1]["ReceiptNumber"] == "INV-1002"
    assert invoices[-1]["Id"] == cova_payloads.sale_id(cova.account, cova.account.sales)
    assert (invoices[-1]["SubTotal"], invoices[-1]["TotalDiscount"]) == (40.0, 20.0)
    assert invoices[-1]["CustomerId"] == cova_payloads.customer_id(cova.account, 3)
    assert "INV-1002" not in {row["ReceiptNumber"] for row in earlier + elsewhere}
    assert len(invoices) == len(earlier) + 1


def test_a_posabit_checkout_is_counted_and_names_its_promotion(client):
    account = posabit_account()
    record_checkout(account, lines=DISCOUNTED, receipt_number="PB-5002", customer=None)
    auth = {"HTTP_AUTHORIZATION": basic(INTEGRATOR, VENUE)}
    url = "/sandbox/posabit/api/v3/venue/sales_histories"

    body = client.get(url, {"page": 6, "per_page": 100}, **auth).json()

    assert body["total_records"] == account.sales + 1
    (rung,) = body["sales_histories"][-1:]
    assert (rung["local_order_id"], rung["discount"]) == ("PB-5002", 20_00)
    assert rung["items"][0]["discount_list"][0]["coupon_name"] == "$20 off"


def test_a_clover_checkout_lists_newest_first_and_honours_time_filters(client):
    account = clover_account()
    rung = record_checkout(account, lines=DISCOUNTED, receipt_number="CLV-2", customer=None)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {CLOVER_TOKEN}"}
    url = f"/sandbox/clover/v3/merchants/{MERCHANT}/orders"

    newest = client.get(url, {"limit": 1, "expand": "lineItems"}, **auth).json()["elements"]
    after = client.get(
        url,
        {"filter": f"modifiedTime>={rung.created_ms}", "orderBy": "modifiedTime ASC"},
        **auth,
    ).json()["elements"]
    before = client.get(
        url, {"filter": f"modifiedTime<{rung.created_ms}", "limit": 1000}, **auth
    ).json()["elements"]

    assert [order["createdTime"] for order in newest] == [rung.created_ms]
    assert newest[0]["lineItems"]["elements"][0]["discounts"]["elements"][0]["name"] == "$20 off"
    assert [order["createdTime"] for order in after] == [rung.created_ms]
    assert rung.created_ms not in {order["createdTime"] for order in before}
    assert len(before) == account.sales


def test_checkouts_are_kept_per_account_oldest_first():
    account, other = clover_account(), posabit_account()
    first = record_checkout(account, lines=DISCOUNTED, receipt_number="A", customer=None)
    second = record_checkout(account, lines=DISCOUNTED, receipt_number="B", customer=None)

    assert [sale.receipt_number for sale in checkouts(account)] == ["A", "B"]
    assert second.index == first.index + 1 == account.sales + 1
    assert checkouts(other) == []
    assert checkouts(account, low_ms=first.created_ms, low_inclusive=False) == []
