"""The Clover sandbox through Django's test client."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from integrations.sandbox import faults
from integrations.sandbox.clover import payloads
from integrations.sandbox.models import SandboxRecord
from integrations.sandbox.options import hash_text
from integrations.sandbox.people import customers_timeline, person
from integrations.sandbox.sales import sale, sales_timeline
from tests.sandbox.conftest import CLOVER_TOKEN, MERCHANT, clover_account

pytestmark = pytest.mark.django_db
BASE = f"/sandbox/clover/v3/merchants/{MERCHANT}"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {CLOVER_TOKEN}"}


def test_user_agent_is_required(client):
    from django.test import Client

    response = Client().get(f"{BASE}/customers", **AUTH)
    assert response.status_code == 400
    assert "User-Agent" in response.json()["message"]


@pytest.mark.parametrize(
    "header",
    [{}, {"HTTP_AUTHORIZATION": "Bearer invalid-token"}, {"HTTP_AUTHORIZATION": "Basic x"}],
)
def test_missing_or_wrong_token_is_401(client, header):
    response = client.get(f"{BASE}/customers", **header)
    assert response.status_code == 401
    assert response.json() == {"message": "401 Unauthorized"}


def test_merchant_and_its_address(client):
    body = client.get(BASE, {"expand": "address"}, **AUTH).json()
    assert body["id"] == MERCHANT
    assert {"address1", "city", "state", "zip", "country"} <= set(body["address"])


def test_customers_expand_only_what_is_asked(client):
    bare = client.get(f"{BASE}/customers", {"limit": 1}, **AUTH)
    expanded = client.get(
        f"{BASE}/customers",
        [("limit", 1), ("expand", "phoneNumbers,emailAddresses"), ("expand", "metadata")],
        **AUTH,
    ).json()["elements"][0]
    assert bare["X-Clover-Allowed-Filter-Fields"].startswith("customerSince,")
    assert "phoneNumbers" not in bare.json()["elements"][0]
    assert set(expanded["phoneNumbers"]) == {"elements"}
    assert {"dobYear", "dobMonth", "dobDay"} <= set(expanded["metadata"])
    assert "addresses" not in expanded
    assert isinstance(expanded["customerSince"], int)


def test_unknown_filter_fields_are_refused(client):
    response = client.get(f"{BASE}/customers", {"filter": "shoeSize=9"}, **AUTH)
    assert response.status_code == 400
    assert client.get(f"{BASE}/orders", {"filter": "bogus>1"}, **AUTH).status_code == 400


@pytest.mark.parametrize("order", [None, "customerSince DESC"])
def test_customer_pages_cover_everyone_once(client, order):
    seen = []
    for offset in range(0, 200, 70):
        params = {"limit": 70, "offset": offset, **({"orderBy": order} if order else {})}
        seen += [
            c["id"] for c in client.get(f"{BASE}/customers", params, **AUTH).json()["elements"]
        ]
    assert len(seen) == len(set(seen)) == 150


def test_customer_since_filter_is_arithmetic(client):
    account = clover_account()
    moment = customers_timeline(account).at(40)
    body = client.get(
        f"{BASE}/customers", {"filter": f"customerSince>={moment}", "limit": 1000}, **AUTH
    ).json()
    assert len(body["elements"]) == 110


def test_phone_and_email_filters_find_duplicates_whatever_the_formatting(client):
    account = clover_account(token=f"{CLOVER_TOKEN},customers=800")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {CLOVER_TOKEN},customers=800"}
    people = [person(account, i) for i in range(800)]
    digits = next(
        p.phone_digits
        for p in people
        if p.phone_digits and sum(q.phone_digits == p.phone_digits for q in people) > 1
    )
    expected = {payloads.customer_id(account, p.index) for p in people if p.phone_digits == digits}
    found = client.get(f"{BASE}/customers", {"filter": f"phoneNumber={digits}"}, **auth).json()
    assert {c["id"] for c in found["elements"]} == expected
    email = next(p.email for p in people if p.email)
    by_email = client.get(
        f"{BASE}/customers", {"filter": f"emailAddress={email.upper()}"}, **auth
    ).json()
    assert by_email["elements"]


def test_created_customer_persists_and_is_found(client):
    body = {
        "firstName": "Katherine",
        "lastName": "Johnson",
        "marketingAllowed": True,
        "phoneNumbers": [{"phoneNumber": "3035550142"}],
        "emailAddresses": [{"emailAddress": "kj@example.com"}],
        "metadata": {"dobYear": 1990, "dobMonth": 8, "dobDay": 26},
    }
    created = client.post(f"{BASE}/customers", body, "application/json", **AUTH)

    assert created.status_code == 200
    customer = created.json()
    assert len(customer["id"]) == 13
    assert customer["phoneNumbers"]["elements"][0]["phoneNumber"] == "3035550142"
    found = client.get(f"{BASE}/customers", {"filter": "phoneNumber=+1 (303) 555-0142"}, **AUTH)
    assert [c["id"] for c in found.json()["elements"]] == [customer["id"]]
    listing = client.get(f"{BASE}/customers", {"limit": 1000}, **AUTH).json()["elements"]
    assert len(listing) == 151
    assert listing[-1]["id"] == customer["id"]


def test_update_and_delete_a_generated_customer(client):
    account = clover_account()
    customer_id = payloads.customer_id(account, 5)
    updated = client.post(
        f"{BASE}/customers/{customer_id}", {"lastName": "Updated"}, "application/json", **AUTH
    )
    assert updated.status_code == 200
    fetched = client.get(f"{BASE}/customers/{customer_id}", **AUTH).json()
    assert fetched["lastName"] == "Updated"

    assert client.delete(f"{BASE}/customers/{customer_id}", **AUTH).status_code == 200
    assert client.get(f"{BASE}/customers/{customer_id}", **AUTH).status_code == 404
    listing = client.get(f"{BASE}/customers", {"limit": 1000}, **AUTH).json()["elements"]
    assert len(listing) == 149
    assert customer_id not in {c["id"] for c in listing}


def test_last_name_over_64_characters_is_refused(client):
    response = client.post(f"{BASE}/customers", {"lastName": "x" * 65}, "application/json", **AUTH)
    assert response.status_code == 400
    assert not SandboxRecord.objects.exists()


def test_orders_are_cents_and_epoch_ms_with_expansions(client):
    body = client.get(
        f"{BASE}/orders", {"limit": 500, "expand": "lineItems,payments,customers,refunds"}, **AUTH
    ).json()
    orders = body["elements"]
    assert len(orders) == 500
    assert orders[0]["createdTime"] > orders[-1]["createdTime"], "newest first by default"
    order = orders[0]
    assert isinstance(order["total"], int)
    assert {"elements"} == set(order["lineItems"])
    assert order["payments"]["elements"][0]["tender"]["label"]
    refunded = [o for o in orders if o["paymentState"] == "REFUNDED"]
    assert refunded
    assert all(o["refunds"]["elements"][0]["amount"] == o["total"] for o in refunded)
    labels = {o["orderType"]["label"] for o in orders}
    assert labels == {"In Store", "Pickup", "Delivery"}


@pytest.mark.parametrize("order_by", ["createdTime ASC", "createdTime DESC"])
def test_order_pages_cover_every_order_once(client, order_by):
    seen = []
    for offset in range(0, 600, 111):
        params = {"limit": 111, "offset": offset, "orderBy": order_by}
        seen += [o["id"] for o in client.get(f"{BASE}/orders", params, **AUTH).json()["elements"]]
    assert len(seen) == len(set(seen)) == 500


def test_modified_time_filters_select_by_time(client):
    account = clover_account()
    timeline = sales_timeline(account)
    low = timeline.at(120) + payloads.MODIFIED_SHIFT
    high = timeline.at(219) + payloads.MODIFIED_SHIFT
    params = [
        ("filter", f"modifiedTime>={low}"),
        ("filter", f"modifiedTime<={high}"),
        ("limit", 1000),
    ]
    orders = client.get(f"{BASE}/orders", params, **AUTH).json()["elements"]
    assert len(orders) == 100
    assert all(low <= o["modifiedTime"] <= high for o in orders)
    paid = client.get(f"{BASE}/orders", [*params, ("filter", "paymentState=PAID")], **AUTH)
    assert paid.status_code == 400, "paymentState is not an allowed filter field"


def test_a_million_sale_account_serves_its_last_page_quickly(client):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {CLOVER_TOKEN},sales=1000000"}
    params = {"limit": 1000, "offset": 999_000, "orderBy": "createdTime ASC", "expand": "lineItems"}
    client.get(f"{BASE}/orders", {"limit": 1}, **auth)  # warm caches

    started = time.perf_counter()
    response = client.get(f"{BASE}/orders", params, **auth)
    elapsed = time.perf_counter() - started

    tracemalloc.start()
    client.get(f"{BASE}/orders", {**params, "offset": 0}, **auth)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    orders = response.json()["elements"]
    account = clover_account(token=f"{CLOVER_TOKEN},sales=1000000")
    assert len(orders) == 1000
    assert orders[-1]["createdTime"] == sale(account, 999_999).created_ms
    assert elapsed < 1.0
    assert peak < 40_000_000


def test_payments_items_and_stock(client):
    payments = client.get(f"{BASE}/payments", {"limit": 3, "expand": "tender"}, **AUTH).json()
    assert {"amount", "taxAmount", "tender", "order", "createdTime"} <= set(payments["elements"][0])

    items = client.get(f"{BASE}/items", {"expand": "itemStock,categories", "limit": 100}, **AUTH)
    item = items.json()["elements"][0]
    assert len(items.json()["elements"]) == 40
    assert {"quantity", "stockCount"} <= set(item["itemStock"])
    stock = client.post(
        f"{BASE}/item_stocks/{item['id']}", {"quantity": 0}, "application/json", **AUTH
    )
    assert stock.json()["quantity"] == 0
    again = client.get(f"{BASE}/items/{item['id']}", **AUTH).json()
    assert again["stockCount"] == 0
    assert again["available"] is False
    low = client.get(f"{BASE}/items", {"filter": "itemStock.quantity<=0"}, **AUTH).json()
    assert item["id"] in {i["id"] for i in low["elements"]}


def test_no_write_customers_forbids_writes_but_not_reads(client):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {CLOVER_TOKEN},fault=no-write-customers"}
    created = client.post(f"{BASE}/customers", {"firstName": "X"}, "application/json", **auth)
    account = clover_account(token=f"{CLOVER_TOKEN},fault=no-write-customers")
    customer_id = payloads.customer_id(account, 1)
    updated = client.post(
        f"{BASE}/customers/{customer_id}", {"firstName": "Y"}, "application/json", **auth
    )

    assert created.status_code == 403
    assert updated.status_code == 403
    assert client.get(f"{BASE}/customers", **auth).status_code == 200
    assert not SandboxRecord.objects.exists()


def test_token_rate_limit_is_16_a_second(client, fake_clock):
    answers = [client.get(BASE, **AUTH).status_code for _ in range(17)]
    assert answers == [200] * 16 + [429]
    refused = client.get(BASE, **AUTH)
    assert refused["X-RateLimit-tokenLimit"] == "16"
    fake_clock.advance(1.0)
    assert client.get(BASE, **AUTH).status_code == 200


def test_a_sixth_concurrent_request_is_refused_and_recorded(client):
    token_hash = hash_text(CLOVER_TOKEN)
    # Given five requests already in flight for the token
    with (
        faults.in_flight(token_hash),
        faults.in_flight(token_hash),
        faults.in_flight(token_hash),
        faults.in_flight(token_hash),
        faults.in_flight(token_hash),
    ):
        response = client.get(BASE, **AUTH)

    assert response.status_code == 429
    assert response["X-RateLimit-tokenConcurrentLimit"] == "5"
    assert response["Retry-After"] == "1"
    stats = client.get("/sandbox/_stats/", {"token_hash": token_hash}).json()
    assert stats["max_in_flight"] == 6
    assert stats["in_flight"] == 0
