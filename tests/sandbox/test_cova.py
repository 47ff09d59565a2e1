"""The Cova sandbox through Django's test client: token grant, auth, shapes, paging, CRM."""

from __future__ import annotations

import json

import pytest

from integrations.sandbox.cova import payloads
from integrations.sandbox.models import SandboxRecord
from integrations.sandbox.people import person
from integrations.sandbox.sales import sales_timeline
from integrations.sandbox.timeline import iso_z
from tests.sandbox.conftest import COVA, Cova, cova_account, cova_token, post_form

pytestmark = pytest.mark.django_db
TOKEN_URL = "/sandbox/cova/v1/oauth2/token"
WHOLE_HISTORY = "Date ge datetime'2000-01-01T00:00:00' and Date le datetime'2100-01-01T00:00:00'"


def test_password_grant_returns_the_iqmetrix_token_shape(client):
    body = cova_token(client)
    assert set(body) == {"access_token", "expires_in", "refresh_token"}
    assert body["expires_in"] == 43199


def test_token_endpoint_refuses_json_bodies_like_iqmetrix(client):
    response = client.post(TOKEN_URL, {"grant_type": "password", **COVA}, "application/json")
    assert response.status_code == 400
    assert response.json() == {
        "error": "unsupported_grant_type",
        "error_description": (
            "The authorization grant type ' ' is not supported by the authorization server"
        ),
    }


@pytest.mark.parametrize(
    ("field", "error"),
    [
        ("client_secret", "invalid_client"),
        ("client_id", "invalid_client"),
        ("password", "invalid_grant"),
        ("username", "invalid_grant"),
    ],
)
def test_wrong_credentials_are_refused_with_oauth_errors(client, field, error):
    form = {"grant_type": "password", **COVA, field: "wrong-value"}
    response = post_form(client, TOKEN_URL, form)
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert "access_token" not in response.json()


def test_refresh_grant_revokes_the_old_access_token(client):
    first = cova_token(client)
    old = {"HTTP_AUTHORIZATION": f"Bearer {first['access_token']}"}
    assert client.get("/sandbox/cova/v1/me", **old).status_code == 200

    refreshed = post_form(
        client,
        TOKEN_URL,
        {
            "grant_type": "refresh_token",
            "client_id": COVA["client_id"],
            "client_secret": COVA["client_secret"],
            "refresh_token": first["refresh_token"],
        },
    )

    assert refreshed.status_code == 200
    new = {"HTTP_AUTHORIZATION": f"Bearer {refreshed.json()['access_token']}"}
    assert client.get("/sandbox/cova/v1/me", **new).status_code == 200
    assert client.get("/sandbox/cova/v1/me", **old).status_code == 401


def test_data_calls_need_a_token_this_sandbox_issued(client):
    cova = Cova(client)
    url = cova.url("entitymanager", "Locations")
    for header in ({}, {"HTTP_AUTHORIZATION": "Bearer not-a-real-token"}):
        response = client.get(url, **header)
        assert response.status_code == 401
        assert response.json() == {"Message": "Authorization has been denied for this request."}


def test_another_companys_id_is_forbidden(client):
    cova = Cova(client)
    response = cova.get(f"/sandbox/cova/entitymanager/v1/Companies({cova.company + 1})/Locations")
    assert response.status_code == 403
    assert "Message" in response.json()


def test_every_api_response_carries_the_apim_rate_limit_headers(client):
    cova = Cova(client)
    first = cova.get(cova.url("entitymanager", "Locations"))
    second = cova.get(cova.url("entitymanager", "Locations"))
    assert first["COVA-APIM-RateLimit-Limit"] == "1000"
    # Counted per service and minute: another test may have used this window already.
    remaining = int(first["COVA-APIM-RateLimit-Remaining"])
    assert 0 < remaining <= 999
    assert int(second["COVA-APIM-RateLimit-Remaining"]) == remaining - 1
    assert int(first["COVA-APIM-RateLimit-ResetSeconds"]) <= 60
    assert first["COVA-APIM-RateLimit-Reset"].endswith("GMT")


def test_unlimited_account_sends_no_rate_limit_headers(client):
    cova = Cova(client, client_id="GREENLEAF.AIQ,ratelimit=0")
    answer = cova.get(cova.url("entitymanager", "Locations"))

    assert answer.status_code == 200
    assert "COVA-APIM-RateLimit-Remaining" not in answer


def test_rate_limit_per_service_answers_429_over_the_limit(client):
    cova = Cova(client, client_id="GREENLEAF.AIQ,ratelimit=2")
    assert cova.get(cova.url("entitymanager", "Locations")).status_code == 200
    assert cova.get(cova.url("entitymanager", "Locations")).status_code == 200
    refused = cova.get(cova.url("entitymanager", "Locations"))
    # Another service has its own window.
    other = cova.get(cova.url("crm", "Customers"))

    assert refused.status_code == 429
    assert refused.json()["statusCode"] == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused["COVA-APIM-RateLimit-Remaining"] == "0"
    assert other.status_code == 200


def test_locations_have_the_entitymanager_fields(client):
    cova = Cova(client)
    locations = cova.get(cova.url("entitymanager", "Locations")).json()
    assert len(locations) == 3
    assert [item["Id"] for item in locations] == payloads.location_ids(cova.account)
    assert {"Id", "Name", "Address", "TimeZone", "LocationStatus"} <= set(locations[0])


def test_customer_list_pages_cover_every_customer_once(client):
    cova = Cova(client)
    seen = []
    for skip in range(0, 200, 40):
        page = cova.get(cova.url("crm", "Customers"), {"$top": 40, "$skip": skip}).json()
        seen += [item["Id"] for item in page]
    assert len(seen) == 150
    assert len(set(seen)) == 150
    first = cova.get(cova.url("crm", "Customers"), {"$top": 1}).json()[0]
    assert "ContactMethods" not in first


def test_customer_full_has_contacts_addresses_and_pricing_group(client):
    cova = Cova(client)
    index = next(i for i in range(150) if person(cova.account, i).phone)
    customer_id = payloads.customer_id(cova.account, index)
    full = cova.get(cova.url("crm", f"CustomerFull({customer_id})")).json()
    shopper = person(cova.account, index)
    assert full["PrimaryName"] == shopper.first_name
    assert full["PricingGroupId"] == shopper.pricing_group
    assert full["ContactMethods"][0]["Value"] == shopper.phone
    assert full["ContactMethods"][0]["ContactMethodCategory"] == "Phone"
    assert full["Addresses"][0]["StateCode"] == shopper.state
    missing = cova.get(cova.url("crm", "CustomerFull(00000000-0000-4000-a000-000000000000)"))
    assert missing.status_code == 404


def test_search_by_phone_finds_every_differently_typed_duplicate(client):
    cova = Cova(client, client_id="GREENLEAF.AIQ,customers=600")
    people = [person(cova.account, i) for i in range(600)]
    digits = next(
        p.phone_digits
        for p in people
        if p.phone_digits and sum(q.phone_digits == p.phone_digits for q in people) > 1
    )
    expected = {
        payloads.customer_id(cova.account, p.index) for p in people if p.phone_digits == digits
    }
    formatted = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"

    body = {"Criteria": [{"Field": "Phone", "Operation": "Equals", "Criteria": formatted}]}
    response = cova.send("post", cova.url("crm", "Search"), body)

    assert response.status_code == 200
    assert {item["Id"] for item in response.json()["Results"]} == expected
    assert response.json()["Criteria"] == body["Criteria"]


def test_search_criteria_are_anded_and_unknown_fields_refused(client):
    cova = Cova(client)
    shopper = next(person(cova.account, i) for i in range(150) if person(cova.account, i).email)
    both = {
        "Criteria": [
            {"Field": "Contact", "Operation": "Equals", "Criteria": shopper.email.upper()},
            {"Field": "LastName", "Operation": "Equals", "Criteria": "Nobody-Has-This-Name"},
        ]
    }
    assert cova.send("post", cova.url("crm", "Search"), both).json()["Results"] == []
    bad = {"Criteria": [{"Field": "ShoeSize", "Operation": "Equals", "Criteria": "9"}]}
    assert cova.send("post", cova.url("crm", "Search"), bad).status_code == 400


def test_created_customer_persists_and_shows_up_in_list_and_searches(client):
    cova = Cova(client)
    body = {
        "CustomerTypeId": 2,
        "PrimaryName": "Ada",
        "FamilyName": "Lovelace",
        "DateOfBirth": "1990-12-10",
        "PricingGroupId": 3,
        "ContactMethods": [
            {"ContactMethodCategoryId": 1, "ContactMethodTypeId": 3, "Value": "2065550111"},
            {"ContactMethodCategoryId": 2, "ContactMethodTypeId": 9, "Value": "ada@example.com"},
        ],
        "Addresses": [{"AddressLine1": "1 Analytical Way", "City": "Seattle", "StateCode": "WA"}],
    }

    created = cova.send("post", cova.url("crm", "CustomerFull"), body)

    assert created.status_code == 201
    customer_id = created.json()["Id"]
    assert SandboxRecord.objects.filter(provider="cova", external_id=customer_id).count() == 1
    listed = cova.get(cova.url("crm", "Customers"), {"$top": 1000}).json()
    assert [item["Id"] for item in listed][-1] == customer_id
    assert len(listed) == 151
    for field, value in (("Phone", "+1 206-555-0111"), ("Contact", "ADA@example.com")):
        search = {"Criteria": [{"Field": field, "Operation": "Equals", "Criteria": value}]}
        results = cova.send("post", cova.url("crm", "Search"), search).json()["Results"]
        assert [item["Id"] for item in results] == [customer_id]
    fetched = cova.get(cova.url("crm", f"CustomerFull({customer_id})")).json()
    assert fetched["PricingGroupId"] == 3
    assert fetched["ContactMethods"][1]["ContactMethodCategory"] == "Email"


def test_updating_a_generated_customer_overrides_it_in_place(client):
    cova = Cova(client)
    customer_id = payloads.customer_id(cova.account, 7)
    current = cova.get(cova.url("crm", f"CustomerFull({customer_id})")).json()

    response = cova.send(
        "put",
        cova.url("crm", f"CustomerFull({customer_id})"),
        {**current, "FamilyName": "Renamed", "PricingGroupId": 4},
    )

    assert response.status_code == 200
    assert response.json()["Version"] == current["Version"] + 1
    listed = cova.get(cova.url("crm", "Customers"), {"$top": 10}).json()
    assert listed[7]["FamilyName"] == "Renamed"
    assert len(cova.get(cova.url("crm", "Customers"), {"$top": 1000}).json()) == 150
    mismatch = cova.send(
        "put",
        cova.url("crm", f"Customers({customer_id})"),
        {"Id": payloads.customer_id(cova.account, 8)},
    )
    assert mismatch.status_code == 400


def test_invoices_page_per_location_and_cover_every_sale_once(client):
    cova = Cova(client)
    seen: list[str] = []
    for location in payloads.location_ids(cova.account):
        url = cova.url("posreports", f"Entities({location})/ByInvoiceWithProducts")
        for skip in range(0, 500, 64):
            page = cova.get(url, {"DateRange": WHOLE_HISTORY, "$top": 64, "$skip": skip}).json()
            assert all(item["SoldAtEntityId"] == location for item in page)
            seen += [item["Id"] for item in page]
    assert len(seen) == 500
    assert set(seen) == {payloads.sale_id(cova.account, i) for i in range(500)}


def test_invoice_shape_carries_customer_payments_and_product_lines(client):
    cova = Cova(client)
    location = payloads.location_ids(cova.account)[0]
    url = cova.url("posreports", f"Entities({location})/ByInvoiceWithProducts")
    invoices = cova.get(url, {"DateRange": WHOLE_HISTORY, "$top": 500}).json()
    named = next(item for item in invoices if item["CustomerId"])
    assert {"Id", "CreatedDateUtc", "ReceiptNumber", "Type", "Taxes", "Payments", "Total"} <= set(
        named
    )
    assert {"Sku", "ProductName", "Quantity", "Classification"} <= set(named["Products"][0])
    assert {item["Type"] for item in invoices} == {"Sale", "Return"}
    assert "" in {p["PaymentType"] for item in invoices for p in item["Payments"]}


def test_report_date_range_is_required_and_selects_by_time(client):
    cova = Cova(client)
    location = payloads.location_ids(cova.account)[0]
    url = cova.url("posreports", f"Entities({location})/ByInvoiceWithProducts")
    assert cova.get(url).status_code == 400

    timeline = sales_timeline(cova.account)
    start, end = timeline.at(100), timeline.at(299)
    window = f"Date ge datetime'{iso_z(start)}' and Date le datetime'{iso_z(end)}'"
    total = 0
    for location in payloads.location_ids(cova.account):
        url = cova.url("posreports", f"Entities({location})/ByInvoiceWithProducts")
        page = cova.get(url, {"DateRange": window, "$top": 5000}).json()
        assert all(iso_z(start) <= item["CreatedDateUtc"] <= iso_z(end) for item in page)
        total += len(page)
    assert total == 200


def test_completed_orders_filter_by_created_and_fulfillment(client):
    cova = Cova(client)
    location = payloads.location_ids(cova.account)[1]
    url = cova.url("pointofsale", f"Locations({location})/CompletedOrders")
    assert cova.get(url).status_code == 400
    window = (
        "Created ge datetimeoffset'2000-01-01T00:00:00Z' and "
        "Created le datetimeoffset'2100-01-01T00:00:00Z'"
    )
    everything = cova.get(url, {"$filter": window, "$top": 1000}).json()
    deliveries = cova.get(
        url, {"$filter": f"{window} and FulfillmentMethod eq 'Delivery'", "$top": 1000}
    ).json()
    assert {item["FulfillmentMethod"] for item in everything} == {"InStore", "Pickup", "Delivery"}
    assert deliveries
    assert all(item["FulfillmentMethod"] == "Delivery" for item in deliveries)
    assert all(item["DeliveryAddress"] for item in deliveries if item["CustomerId"])


def test_sale_detail_and_loyalty_read_the_same_sale(client):
    cova = Cova(client)
    location = payloads.location_ids(cova.account)[0]
    url = cova.url("posreports", f"Entities({location})/ByInvoiceWithProducts")
    invoice = next(
        item
        for item in cova.get(url, {"DateRange": WHOLE_HISTORY, "$top": 500}).json()
        if item["CustomerId"] and item["Type"] == "Sale"
    )
    detail = cova.get(f"/sandbox/cova/pointofsale/Companies({cova.company})/Sales({invoice['Id']})")
    points = cova.get(
        cova.url("iqloyalty", f"Entities({location})/Invoices({invoice['Id']})")
    ).json()
    summary = cova.get(
        cova.url("iqloyalty", f"Entities({location})/customers({invoice['CustomerId']})/summary")
    ).json()

    assert detail.status_code == 200
    assert detail.json()["Total"] == invoice["Total"]
    assert detail.json()["Customer"]["Id"] == invoice["CustomerId"]
    assert points["PointsEarned"] == int(invoice["SubTotal"])
    assert points["PointsBalance"] == summary["PointsBalance"]
    assert summary["LifetimePointsBalance"] >= summary["PointsBalance"]
    rewards = cova.get(cova.url("iqloyalty", f"Entities({location})/Rewards")).json()
    assert {"Id", "Name", "PointsRequired", "DiscountId"} <= set(rewards[0])


def test_detailed_product_data_includes_what_is_asked(client):
    cova = Cova(client)
    location = payloads.location_ids(cova.account)[2]
    body = {
        "LocationId": location,
        "IncludeProductSpecifications": True,
        "IncludeAvailability": True,
        "IncludePricing": True,
        "InStockOnly": True,
        "Skip": 0,
        "Top": 100,
    }
    url = cova.url("dataplatform", "DetailedProductData")
    products = cova.send("post", url, body).json()["Products"]
    bare = cova.send("post", url, {"Top": 5}).json()["Products"]

    assert 0 < len(products) < 40
    assert all(p["Availability"][0]["InStockQuantity"] > 0 for p in products)
    assert all(p["Availability"][0]["LocationId"] == location for p in products)
    specs = {spec["Name"] for p in products for spec in p["Specifications"]}
    assert {"COA Link", "THCa"} <= specs
    assert len(bare) == 5
    assert "Availability" not in bare[0]


def test_unknown_paths_answer_the_aspnet_404(client):
    response = client.get("/sandbox/cova/crm/v1/Nothing/Here")
    assert response.status_code == 404
    assert json.loads(response.content)["Message"].startswith("No HTTP resource")


def test_same_credentials_see_the_same_customers_in_a_new_session(client):
    first = Cova(client).get(Cova(client).url("crm", "Customers"), {"$top": 5}).json()
    other = Cova(client, username="AIQ.COVA.APIUser.OTHERCO")
    again = Cova(client).get(Cova(client).url("crm", "Customers"), {"$top": 5}).json()
    assert first == again
    assert cova_account().key != other.account.key
    assert other.get(other.url("crm", "Customers"), {"$top": 5}).json() != first
