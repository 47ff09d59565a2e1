"""The POSaBIT sandbox through Django's test client."""

from __future__ import annotations

import pytest

from integrations.sandbox.models import SandboxRecord
from integrations.sandbox.people import customers_timeline, person
from integrations.sandbox.posabit import payloads
from integrations.sandbox.sales import sales_timeline
from integrations.sandbox.timeline import iso_z
from tests.sandbox.conftest import INTEGRATOR, VENUE, basic, posabit_account

pytestmark = pytest.mark.django_db
CUSTOMERS = "/sandbox/posabit/api/v3/venue/customers"
SALES = "/sandbox/posabit/api/v3/venue/sales_histories"
DATES = {"start_date": "2000-01-01", "end_date": "2100-01-01"}
AUTH = {"HTTP_AUTHORIZATION": basic(INTEGRATOR, VENUE)}


def test_v3_needs_basic_integrator_and_venue_tokens(client):
    for header in (
        {},
        {"HTTP_AUTHORIZATION": "Bearer " + VENUE},
        {"HTTP_AUTHORIZATION": basic("invalid-integrator", VENUE)},
        {"HTTP_AUTHORIZATION": basic(INTEGRATOR, "wrong-venue")},
        {"HTTP_AUTHORIZATION": "Basic not-base64!"},
    ):
        response = client.get(CUSTOMERS, DATES, **header)
        assert response.status_code == 401
        assert response.json()["code"] == 0


def test_info_with_a_blank_venue_lists_the_integrators_venues(client):
    listing = client.get(
        "/sandbox/posabit/api/v3/info", HTTP_AUTHORIZATION=basic(INTEGRATOR, "")
    ).json()
    assert listing["code"] == 1
    token = listing["venues"][0]["token"]
    venue = client.get(
        "/sandbox/posabit/api/v3/info", HTTP_AUTHORIZATION=basic(INTEGRATOR, token)
    ).json()
    assert venue["name"] == listing["venues"][0]["name"]
    assert {"license", "timezone", "tax_rates", "payment_methods"} <= set(venue)
    blank_elsewhere = client.get(CUSTOMERS, DATES, HTTP_AUTHORIZATION=basic(INTEGRATOR, ""))
    assert blank_elsewhere.status_code == 401


def test_customers_need_the_date_range(client):
    response = client.get(CUSTOMERS, **AUTH)
    assert response.status_code == 400
    assert response.json()["code"] == 0


def test_customers_come_wrapped_in_the_paged_envelope_and_cover_everyone_once(client):
    seen = []
    page = 1
    while True:
        body = client.get(CUSTOMERS, {**DATES, "page": page, "per_page": 37}, **AUTH).json()
        assert set(body) == {
            "code",
            "total_records",
            "current_page",
            "total_pages",
            "per_page",
            "customers",
        }
        seen += [item["customer"]["id"] for item in body["customers"]]
        if page >= body["total_pages"]:
            break
        page += 1
    assert body["total_records"] == 150
    assert body["total_pages"] == 5
    assert len(seen) == len(set(seen)) == 150
    first = client.get(CUSTOMERS, {**DATES, "per_page": 1}, **AUTH).json()["customers"][0]
    assert {
        "id",
        "first_name",
        "telephone",
        "email",
        "loyalty_member",
        "marketing_opt_in",
        "birthday",
        "updated_at",
        "loyalty_points",
    } <= set(first["customer"])


def test_updated_at_filters_select_by_time(client):
    account = posabit_account()
    moment = customers_timeline(account).at(100)
    body = client.get(CUSTOMERS, {**DATES, "q[updated_at_gt]": iso_z(moment)}, **AUTH).json()
    assert body["total_records"] == 49
    narrow = client.get(
        CUSTOMERS, {"start_date": iso_z(moment)[:10], "end_date": iso_z(moment)[:10]}, **AUTH
    ).json()
    assert all(c["customer"]["updated_at"][:10] == iso_z(moment)[:10] for c in narrow["customers"])
    assert narrow["total_records"] >= 1


def test_ransack_lookups_by_telephone_and_email(client):
    account = posabit_account()
    shopper = next(
        p for p in (person(account, i) for i in range(150)) if p.phone_digits and p.email
    )
    stored = payloads.customer(account, shopper.index)["telephone"]
    by_phone = client.get(CUSTOMERS, {**DATES, "q[telephone_eq]": stored}, **AUTH).json()
    by_email = client.get(CUSTOMERS, {**DATES, "q[email_eq]": shopper.email.upper()}, **AUTH).json()
    ids = {c["customer"]["id"] for c in by_phone["customers"]}
    assert payloads.customer_id(account, shopper.index) in ids
    assert payloads.customer_id(account, shopper.index) in {
        c["customer"]["id"] for c in by_email["customers"]
    }
    assert all(c["customer"]["telephone"] == stored for c in by_phone["customers"])


def test_created_customer_persists_and_is_found_by_phone(client):
    body = {
        "customer": {
            "first_name": "Grace",
            "last_name": "Hopper",
            "telephone": "5095550177",
            "email": "grace@example.com",
            "loyalty_member": True,
            "marketing_opt_in": True,
            "date_of_birth": "1986-12-09",
        }
    }
    created = client.post(CUSTOMERS, body, "application/json", **AUTH)

    assert created.status_code == 201
    customer = created.json()["customer"]
    assert customer["birthday"] == "1986-12-09"
    found = client.get(CUSTOMERS, {**DATES, "q[telephone_eq]": "5095550177"}, **AUTH).json()
    assert [c["customer"]["id"] for c in found["customers"]] == [customer["id"]]
    everyone = client.get(CUSTOMERS, {**DATES, "per_page": 1000}, **AUTH).json()
    assert everyone["total_records"] == 151
    fetched = client.get(f"{CUSTOMERS}/{customer['id']}", **AUTH).json()
    assert fetched == {"code": 1, "customer": customer}


def test_create_validates_like_rails(client):
    missing = client.post(CUSTOMERS, {"first_name": "No wrapper"}, "application/json", **AUTH)
    blank = client.post(CUSTOMERS, {"customer": {"last_name": "X"}}, "application/json", **AUTH)
    assert missing.status_code == 400
    assert blank.status_code == 422
    assert blank.json()["errors"] == {"first_name": ["can't be blank"]}


def test_updating_a_generated_customer_persists(client):
    account = posabit_account()
    customer_id = payloads.customer_id(account, 3)
    response = client.put(
        f"{CUSTOMERS}/{customer_id}",
        {"customer": {"loyalty_member": False, "email": "new@example.com"}},
        "application/json",
        **AUTH,
    )
    assert response.status_code == 200
    again = client.get(f"{CUSTOMERS}/{customer_id}", **AUTH).json()["customer"]
    assert again["email"] == "new@example.com"
    assert again["loyalty_member"] is False
    assert client.get(f"{CUSTOMERS}/999", **AUTH).status_code == 404


def test_sales_histories_page_and_filter_by_updated_at(client):
    account = posabit_account()
    seen = []
    for page in range(1, 8):
        body = client.get(SALES, {"page": page, "per_page": 80}, **AUTH).json()
        seen += [item["id"] for item in body["sales_histories"]]
    assert body["total_records"] == 500
    assert len(seen) == len(set(seen)) == 500

    timeline = sales_timeline(account)
    window = {
        "q[updated_at_gt]": iso_z(timeline.at(10)),
        "q[updated_at_lt]": iso_z(timeline.at(60)),
    }
    filtered = client.get(SALES, {**window, "per_page": 1000}, **AUTH).json()
    assert filtered["total_records"] == 49
    sale = filtered["sales_histories"][0]
    assert {
        "ordered_at",
        "items",
        "sales_tenders",
        "sub_total",
        "tax",
        "total",
        "customer_id",
    } <= set(sale)
    assert isinstance(sale["total"], int)


def test_legacy_bearer_paths_serve_the_same_venue(client):
    v2 = client.get(
        "/sandbox/posabit/api/v2/venue/sales_histories",
        {"per_page": 3},
        HTTP_AUTHORIZATION=f"Bearer {VENUE}",
    ).json()
    v3 = client.get(SALES, {"per_page": 3}, **AUTH).json()
    assert v2 == v3
    assert client.get("/sandbox/posabit/api/v2/venue/sales_histories", **AUTH).status_code == 401


def test_without_enhanced_customer_data_access_customers_are_forbidden(client):
    header = {"HTTP_AUTHORIZATION": basic(INTEGRATOR, f"{VENUE},fault=no-customer-access")}
    listing = client.get(CUSTOMERS, DATES, **header)
    created = client.post(
        CUSTOMERS, {"customer": {"first_name": "X"}}, "application/json", **header
    )
    sales = client.get(SALES, {"per_page": 100}, **header).json()["sales_histories"]

    assert listing.status_code == 403
    assert created.status_code == 403
    assert "Enhanced Customer Data Access" in listing.json()["message"]
    assert all(item["customer_id"] is None for item in sales)
    assert not SandboxRecord.objects.filter(provider="posabit").exists()


def test_menu_feed_and_inventories(client):
    feed = client.get(
        "/sandbox/posabit/api/v3/menu_feeds/9e9cbb53-348e-407c-a5cc-fca9a3e6c336",
        HTTP_AUTHORIZATION=f"Bearer {VENUE}",
    ).json()["menu_feed"]
    item = feed["menu_groups"][0]["menu_items"][0]
    assert {"price_cents", "quantity_on_hand", "id"} <= set(item["prices"][0])
    inventory = client.get("/sandbox/posabit/api/v3/venue/inventories", **AUTH).json()
    assert inventory["total_records"] == 40
    assert {"sku", "quantity_on_hand", "price", "brand"} <= set(inventory["inventory"][0])
