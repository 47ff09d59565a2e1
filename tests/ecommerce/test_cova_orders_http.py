"""The Cova order layer at the HTTP seam (``responses``): every call it makes, and each
class of error, against Cova's documented shapes."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

import pytest
import requests
import responses
from django.core.cache import cache

from aiq.http import HttpClient, RetryPolicy
from ecommerce.cova_orders import assumptions as a
from ecommerce.cova_orders.client import (
    cancel_order,
    link_customer,
    push_order,
    read_status,
    send_order,
    status_from,
    tax_pricing,
)
from ecommerce.cova_orders.errors import (
    CovaOrderMissing,
    CovaOrderRejected,
    CovaOrderRetryable,
)
from ecommerce.cova_orders.values import (
    Address,
    Fulfillment,
    OrderLine,
    OrderToPush,
    Shopper,
    TaxPricing,
)
from integrations.providers.cova.auth import clear_token_cache
from integrations.providers.cova.provider import CovaProvider

ACCOUNTS = "https://accounts.test"
API = "https://api.test"
COMPANY = "14146"
LOCATION = "300017"
TAXES = f"{API}/taxes/v1/Companies({COMPANY})/TaxPricingConfiguration"
CRM = f"{API}/crm/v1/Companies({COMPANY})"
ORDER_ID = uuid.UUID("0b6f2c1e-3d4a-4b5c-8d9e-0f1a2b3c4d5e")
TEP_URL = f"{API}/covaorderintake/v1/TEPCovaOrder({ORDER_ID})"
TIP_URL = f"{API}/covaorderintake/v1/TIPCovaOrder({ORDER_ID})"
STATUS_URL = f"{API}/covaorderintake/v2/Companies({COMPANY})/CovaOrder({ORDER_ID})/Status"
CANCEL_URL = f"{API}/pointofsale/Companies({COMPANY})/CovaOrder({ORDER_ID})"
INTEGRATOR = "5a1e0c2b-7d3f-4e6a-9b8c-0aa1c0de0014"
CUSTOMER_ID = "c0ffee00-0000-4000-8000-000000000001"
SHOPPER = Shopper("Ada", "Lovelace", "(206) 555-0142", birth_date=date(1990, 12, 10))
HOME = Address("12 Pine St", "Seattle", "WA", "98101", line2="Apt 4")


def order(fulfillment: Fulfillment = Fulfillment.PICKUP, **fields) -> OrderToPush:  # type: ignore[no-untyped-def]
    return OrderToPush(
        order_id=ORDER_ID,
        location_id=LOCATION,
        shopper=SHOPPER,
        fulfillment=fulfillment,
        lines=(
            OrderLine("prod-1", Decimal("2"), Decimal("12.50"), Decimal("1.25"), "cat-1"),
            OrderLine("prod-2", Decimal("1"), Decimal("30.00"), Decimal("3.00")),
        ),
        delivery_address=HOME if fulfillment == Fulfillment.DELIVERY else None,
        external_order_id="A-1001",
        **fields,
    )


class NoSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> NoSleep:
    return NoSleep()


@pytest.fixture
def cova(sleeps: NoSleep) -> CovaProvider:
    clear_token_cache()
    cache.clear()
    http = HttpClient(sleep=sleeps, rand=lambda: 0.5, retry=RetryPolicy(max_attempts=3))
    credentials = {
        "client_id": "GREENLEAF.AIQ",
        "client_secret": "secret-1234",
        "username": "AIQ.COVA.APIUser.GREENLEAF",
        "password": "Permanent-Pa55",
        "company_id": COMPANY,
    }
    yield CovaProvider(credentials, base_urls={"accounts": ACCOUNTS, "api": API}, http=http)
    clear_token_cache()
    cache.clear()


@pytest.fixture
def mocked() -> responses.RequestsMock:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(
            responses.POST,
            f"{ACCOUNTS}/v1/oauth2/token",
            json={"access_token": "tok", "expires_in": 43199, "refresh_token": "r"},
        )
        yield mock


def calls_to(mocked: responses.RequestsMock, url: str) -> list[responses.Call]:
    return [call for call in mocked.calls if call.request.url.split("?")[0] == url]


def tax_config(inclusive: bool) -> list[dict]:
    return [
        {"EntityId": int(LOCATION), "IsTaxInclusive": inclusive},
        {"EntityId": 999, "IsTaxInclusive": not inclusive},
    ]


# Tax pricing ------------------------------------------------------------------------------


def test_tax_pricing_is_read_for_the_location_and_kept(cova, mocked):
    mocked.add(responses.GET, TAXES, json=tax_config(inclusive=True))

    assert tax_pricing(cova, LOCATION) == TaxPricing.TAX_INCLUSIVE
    assert tax_pricing(cova, LOCATION) == TaxPricing.TAX_INCLUSIVE

    # read once: the second answer came from the cache
    assert len(calls_to(mocked, TAXES)) == 1
    assert calls_to(mocked, TAXES)[0].request.headers["Authorization"] == "Bearer tok"


def test_tax_pricing_refresh_reads_again_and_text_types_are_understood(cova, mocked):
    mocked.add(responses.GET, TAXES, json=tax_config(inclusive=True))
    mocked.add(
        responses.GET, TAXES, json=[{"LocationId": LOCATION, "TaxPricingType": "TaxExclusive"}]
    )
    assert tax_pricing(cova, LOCATION) == TaxPricing.TAX_INCLUSIVE
    assert tax_pricing(cova, LOCATION, refresh=True) == TaxPricing.TAX_EXCLUSIVE


def test_a_configuration_that_does_not_name_the_location_is_refused_not_guessed(cova, mocked):
    mocked.add(responses.GET, TAXES, json=[{"EntityId": 999, "Whatever": 1}])
    with pytest.raises(CovaOrderRejected) as caught:
        tax_pricing(cova, LOCATION)
    assert LOCATION in caught.value.user_message


# Customers --------------------------------------------------------------------------------


def customer(address: dict | None = None, **fields) -> dict:  # type: ignore[no-untyped-def]
    return {
        "Id": CUSTOMER_ID,
        "PrimaryName": "Ada",
        "FamilyName": "Lovelace",
        "Version": 3,
        "ContactMethods": [{"ContactMethodCategory": "Phone", "Value": "2065550142", "Id": "cm-1"}],
        "Addresses": [address] if address else [],
        "LastModifiedDateUtc": "2026-01-01T00:00:00Z",
        **fields,
    }


def test_a_shopper_unknown_by_phone_is_created_with_the_delivery_address(cova, mocked):
    mocked.add(responses.POST, f"{CRM}/Search", json={"Id": 1, "Criteria": [], "Results": []})
    mocked.add(responses.POST, f"{CRM}/CustomerFull", json=customer(), status=201)

    link = link_customer(cova, SHOPPER, HOME)

    assert (link.customer_id, link.created, link.address_written) == (CUSTOMER_ID, True, True)
    search = json.loads(calls_to(mocked, f"{CRM}/Search")[0].request.body)
    assert search["Criteria"] == [
        {"Criteria": "2065550142", "Field": "Phone", "Operation": "Equals"}
    ]
    created = json.loads(calls_to(mocked, f"{CRM}/CustomerFull")[0].request.body)
    assert created["PrimaryName"] == "Ada" and created["DateOfBirth"] == "1990-12-10"
    assert created["Addresses"][0]["AddressLine1"] == "12 Pine St"
    assert created["Addresses"][0]["Zip"] == "98101"


def test_a_found_customer_with_the_same_address_is_left_alone(cova, mocked):
    same = {"AddressLine1": "12 PINE ST", "AddressLine2": "apt 4", "City": "Seattle",
            "StateCode": "WA", "Zip": "98101", "Default": True}  # fmt: skip
    mocked.add(responses.POST, f"{CRM}/Search", json={"Results": [customer(same)]})

    link = link_customer(cova, SHOPPER, HOME)

    assert (link.customer_id, link.created, link.address_written) == (CUSTOMER_ID, False, False)
    assert not calls_to(mocked, f"{CRM}/CustomerFull({CUSTOMER_ID})")


def test_a_found_customer_without_an_address_gets_it_and_an_old_one_is_overwritten(cova, mocked):
    old = {"Id": "ad-1", "AddressLine1": "1 Old Rd", "AddressLine2": "Unit 9", "City": "Tacoma",
           "StateCode": "WA", "Zip": "98402", "Default": True}  # fmt: skip
    full_url = f"{CRM}/CustomerFull({CUSTOMER_ID})"
    for current in (customer(), customer(old)):
        mocked.add(responses.POST, f"{CRM}/Search", json={"Results": [current]})
        mocked.add(responses.GET, full_url, json=current)
        mocked.add(responses.PUT, full_url, json=current)

    first = link_customer(cova, SHOPPER, Address("12 Pine St", "Seattle", "WA", "98101"))
    second = link_customer(cova, SHOPPER, Address("12 Pine St", "Seattle", "WA", "98101"))

    assert first.address_written and second.address_written
    puts = [
        json.loads(c.request.body) for c in calls_to(mocked, full_url) if c.request.method == "PUT"
    ]
    assert [len(body["Addresses"]) for body in puts] == [1, 1]
    # the old address was overwritten in place, its stale line 2 cleared, its Id kept
    overwritten = puts[1]["Addresses"][0]
    assert (overwritten["Id"], overwritten["AddressLine1"], overwritten["AddressLine2"]) == (
        "ad-1",
        "12 Pine St",
        "",
    )
    assert overwritten["City"] == "Seattle" and puts[1]["Version"] == 3


def test_pickup_with_a_known_phone_writes_nothing(cova, mocked):
    mocked.add(responses.POST, f"{CRM}/Search", json={"Results": [customer()]})
    link = link_customer(cova, SHOPPER, None)
    assert link.customer_id == CUSTOMER_ID and not link.address_written
    assert [c.request.method for c in mocked.calls if "/crm/" in c.request.url] == ["POST"]


def test_no_phone_is_refused_before_any_call(cova, mocked):
    with pytest.raises(CovaOrderRejected) as caught:
        link_customer(cova, Shopper("Ada", "Lovelace", ""), None)
    assert "phone" in caught.value.user_message
    assert not mocked.calls


def test_the_most_recently_modified_of_several_customers_with_the_phone_is_used(cova, mocked):
    older = customer(Id="11111111-0000-4000-8000-000000000000")
    newer = customer(LastModifiedDateUtc="2026-06-01T00:00:00Z")
    mocked.add(responses.POST, f"{CRM}/Search", json={"Results": [older, newer]})
    assert link_customer(cova, SHOPPER).customer_id == CUSTOMER_ID


# Push -------------------------------------------------------------------------------------


def test_a_tep_order_is_put_once_with_our_guid_in_url_and_body_and_prices_without_tax(cova, mocked):
    mocked.add(responses.GET, TAXES, json=tax_config(inclusive=False))
    mocked.add(responses.PUT, TEP_URL, json={"Id": str(ORDER_ID)}, status=202)

    result = push_order(cova, order(), integrator_id=INTEGRATOR, customer_id=CUSTOMER_ID)

    assert result.created and result.tax_pricing == TaxPricing.TAX_EXCLUSIVE
    (call,) = calls_to(mocked, TEP_URL)
    body = json.loads(call.request.body)
    assert body["Id"] == str(ORDER_ID)
    assert (body["CompanyId"], body["EntityId"], body["IntegratorId"]) == (
        14146,
        300017,
        INTEGRATOR,
    )
    assert (body["CustomerId"], body["OrderReference"], body["IsDelivery"]) == (
        CUSTOMER_ID,
        "Ada Lovelace",
        False,
    )
    assert body["ExternalOrderId"] == "A-1001"
    assert body["Lines"] == [
        {"LineNumber": 1, "ProductId": "prod-1", "Quantity": "2", "Price": "12.50",
         "CatalogItemId": "cat-1"},
        {"LineNumber": 2, "ProductId": "prod-2", "Quantity": "1", "Price": "30.00"},
    ]  # fmt: skip


def test_a_tip_location_gets_tip_order_with_tax_in_the_price(cova, mocked):
    mocked.add(responses.GET, TAXES, json=tax_config(inclusive=True))
    mocked.add(responses.PUT, TIP_URL, status=202)

    result = push_order(cova, order(), integrator_id=INTEGRATOR)

    assert result.tax_pricing == TaxPricing.TAX_INCLUSIVE
    body = json.loads(calls_to(mocked, TIP_URL)[0].request.body)
    assert [line["Price"] for line in body["Lines"]] == ["13.75", "33.00"]
    assert not calls_to(mocked, TEP_URL)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (409, "An order with Id '0b6f2c1e' already exists."),
        (400, "This order has already been submitted."),
    ],
)
def test_cova_already_having_the_guid_is_success_not_a_second_order(cova, mocked, status, message):
    mocked.add(responses.PUT, TEP_URL, json={"Message": message}, status=status)

    result = push_order(cova, order(), integrator_id=INTEGRATOR, pricing=TaxPricing.TAX_EXCLUSIVE)

    assert result.created is False
    assert len(calls_to(mocked, TEP_URL)) == 1


@pytest.mark.parametrize(
    ("answers", "retries"),
    [
        ([500, 500, 500], 2),
        ([503, 503, 503], 2),
        ([429, 429, 429], 2),
    ],
)
def test_transient_answers_are_retried_then_raise_retryable(cova, mocked, sleeps, answers, retries):
    for status in answers:
        headers = {"Retry-After": "1"} if status == 429 else {}
        mocked.add(responses.PUT, TEP_URL, json={"Message": "busy"}, status=status, headers=headers)

    with pytest.raises(CovaOrderRetryable) as caught:
        push_order(cova, order(), integrator_id=INTEGRATOR, pricing=TaxPricing.TAX_EXCLUSIVE)

    assert caught.value.permanent is False
    # the PUT is idempotent (our GUID), so the seam retried it before giving up
    assert len(calls_to(mocked, TEP_URL)) == retries + 1
    assert len(sleeps.waits) == retries


def test_a_timeout_is_retryable(cova, mocked):
    mocked.add(responses.PUT, TEP_URL, body=requests.ReadTimeout("slow"))
    with pytest.raises(CovaOrderRetryable):
        push_order(cova, order(), integrator_id=INTEGRATOR, pricing=TaxPricing.TAX_EXCLUSIVE)


def test_a_retry_after_a_5xx_that_lands_is_one_order(cova, mocked):
    mocked.add(responses.PUT, TEP_URL, status=500)
    mocked.add(responses.PUT, TEP_URL, status=202)
    result = push_order(cova, order(), integrator_id=INTEGRATOR, pricing=TaxPricing.TAX_EXCLUSIVE)
    bodies = [json.loads(c.request.body)["Id"] for c in calls_to(mocked, TEP_URL)]
    assert result.created and bodies == [str(ORDER_ID), str(ORDER_ID)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"OrderMessage": "Product 'prod-2' is not sold here.", "Message": "x"},
         "Product 'prod-2' is not sold here."),
        ({"Message": "The integrator id is not valid, please provide a valid one."},
         "The integrator id is not valid, please provide a valid one."),
    ],
)  # fmt: skip
def test_a_refusal_raises_rejected_with_covas_words(cova, mocked, body, expected):
    mocked.add(responses.PUT, TEP_URL, json=body, status=400)

    with pytest.raises(CovaOrderRejected) as caught:
        push_order(cova, order(), integrator_id=INTEGRATOR, pricing=TaxPricing.TAX_EXCLUSIVE)

    assert caught.value.permanent is True
    assert caught.value.order_message == expected
    assert caught.value.user_message == f"Cova refused the order: {expected}"
    assert len(calls_to(mocked, TEP_URL)) == 1


def test_a_forbidden_push_is_rejected_not_retried(cova, mocked):
    mocked.add(responses.PUT, TEP_URL, json={"Message": "denied"}, status=403)
    with pytest.raises(CovaOrderRejected):
        push_order(cova, order(), integrator_id=INTEGRATOR, pricing=TaxPricing.TAX_EXCLUSIVE)
    assert len(calls_to(mocked, TEP_URL)) == 1


def test_send_order_reads_pricing_links_the_customer_then_pushes_for_delivery(cova, mocked):
    mocked.add(responses.GET, TAXES, json=tax_config(inclusive=False))
    mocked.add(responses.POST, f"{CRM}/Search", json={"Results": []})
    mocked.add(responses.POST, f"{CRM}/CustomerFull", json=customer(), status=201)
    mocked.add(responses.PUT, TEP_URL, status=202)

    result = send_order(cova, order(Fulfillment.DELIVERY), integrator_id=INTEGRATOR)

    assert result.customer is not None and result.customer.created
    body = json.loads(calls_to(mocked, TEP_URL)[0].request.body)
    assert (body["CustomerId"], body["IsDelivery"]) == (CUSTOMER_ID, True)
    urls = [c.request.url.split("?")[0] for c in mocked.calls if "oauth2" not in c.request.url]
    assert urls == [TAXES, f"{CRM}/Search", f"{CRM}/CustomerFull", TEP_URL]


def test_a_delivery_order_needs_an_address_and_lines_need_positive_quantities():
    with pytest.raises(ValueError, match="delivery address"):
        OrderToPush(ORDER_ID, LOCATION, SHOPPER, Fulfillment.DELIVERY, order().lines)
    with pytest.raises(ValueError, match="quantity"):
        OrderToPush(
            ORDER_ID,
            LOCATION,
            SHOPPER,
            Fulfillment.PICKUP,
            (OrderLine("p", Decimal("0"), Decimal("1")),),
        )


# Status -----------------------------------------------------------------------------------


def status_body(number: int, **fields) -> dict:  # type: ignore[no-untyped-def]
    return {"CompanyId": 14146, "OrderId": str(ORDER_ID), "OrderStatus": number,
            "OrderMessage": "", "OrderFulfillmentMethod": "Pickup",
            "OrderFulfillmentStatus": "OrderPlaced", **fields}  # fmt: skip


@pytest.mark.parametrize(
    ("body", "ours"),
    [
        (status_body(0), a.PENDING),
        (status_body(3), a.CONFIRMED),
        (status_body(4, OrderFulfillmentStatus="InProgress", SaleTotal=67.5), a.CONFIRMED),
        (status_body(4, OrderFulfillmentStatus="ReadyForPickup"), a.READY_FOR_PICKUP),
        (status_body(7), a.CANCELLED_STATUS),
        (status_body(8, OrderFulfillmentStatus="ReadyForPickup"), a.CLOSED),
        (status_body(5), None),
    ],
)
def test_cova_statuses_map_onto_ours(cova, mocked, body, ours):
    mocked.add(responses.GET, STATUS_URL, json=body)
    reading = read_status(cova, str(ORDER_ID))
    assert (reading.cova_status, reading.status) == (body["OrderStatus"], ours)
    assert reading.is_final == (body["OrderStatus"] in (7, 8))


def test_the_sale_total_is_exact():
    reading = status_from(status_body(4, SaleTotal=67.5), str(ORDER_ID))
    assert reading.sale_total == Decimal("67.5")


def test_status_1_is_retryable_and_2_is_rejected_with_the_order_message(cova, mocked):
    mocked.add(responses.GET, STATUS_URL, json=status_body(1, OrderMessage="try again"))
    mocked.add(responses.GET, STATUS_URL, json=status_body(2, OrderMessage="Bad product"))

    with pytest.raises(CovaOrderRetryable) as transient:
        read_status(cova, str(ORDER_ID))
    with pytest.raises(CovaOrderRejected) as refused:
        read_status(cova, str(ORDER_ID))

    assert transient.value.order_message == "try again"
    assert refused.value.order_message == "Bad product"
    assert refused.value.user_message == "Cova refused the order: Bad product"


def test_an_order_cova_does_not_have_is_missing(cova, mocked):
    mocked.add(responses.GET, STATUS_URL, json={"Message": "Resource cannot be found"}, status=404)
    with pytest.raises(CovaOrderMissing):
        read_status(cova, str(ORDER_ID))


def test_a_5xx_on_status_is_retryable(cova, mocked):
    for _ in range(3):
        mocked.add(responses.GET, STATUS_URL, status=502)
    with pytest.raises(CovaOrderRetryable):
        read_status(cova, str(ORDER_ID))


def test_the_errors_survive_pickling_for_celery():
    import pickle

    error = CovaOrderRejected("x", order_message="Bad product")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (type(copy), copy.order_message, copy.user_message) == (
        CovaOrderRejected,
        "Bad product",
        "Cova refused the order: Bad product",
    )


# Cancelling (path and method: an inference, kept in assumptions) -------------------------


def test_cancel_sends_the_inferred_method_and_path_with_the_token(cova, mocked):
    mocked.add(responses.DELETE, CANCEL_URL, json={"OrderId": str(ORDER_ID), "OrderStatus": 7})

    cancel_order(cova, str(ORDER_ID))

    (call,) = calls_to(mocked, CANCEL_URL)
    assert call.request.method == a.CANCEL_ORDER_METHOD == "DELETE"
    assert call.request.headers["Authorization"] == "Bearer tok"
    assert a.CANCEL_ORDER_PATH.format(company_id=COMPANY, order_id=ORDER_ID) in CANCEL_URL


def test_an_empty_2xx_is_a_cancellation(cova, mocked):
    mocked.add(responses.DELETE, CANCEL_URL, status=204)
    cancel_order(cova, str(ORDER_ID))  # no error
    assert len(calls_to(mocked, CANCEL_URL)) == 1


def test_a_refused_cancel_is_rejected_in_covas_words_and_not_retried(cova, mocked):
    mocked.add(
        responses.DELETE,
        CANCEL_URL,
        json={"Message": "Paid orders cannot be modified or cancelled."},
        status=400,
    )
    with pytest.raises(CovaOrderRejected) as refused:
        cancel_order(cova, str(ORDER_ID))
    assert refused.value.user_message == (
        "Cova refused the cancellation: Paid orders cannot be modified or cancelled."
    )
    assert len(calls_to(mocked, CANCEL_URL)) == 1


def test_a_cancel_of_an_order_cova_does_not_have_is_missing(cova, mocked):
    mocked.add(
        responses.DELETE, CANCEL_URL, json={"Message": "Resource cannot be found"}, status=404
    )
    with pytest.raises(CovaOrderMissing) as missing:
        cancel_order(cova, str(ORDER_ID))
    assert "has no order with this id (Resource cannot be found)" in missing.value.user_message


def test_a_cancel_that_keeps_failing_with_5xx_is_retryable_after_the_seams_retries(
    cova, mocked, sleeps
):
    for _ in range(3):
        mocked.add(responses.DELETE, CANCEL_URL, status=503)
    with pytest.raises(CovaOrderRetryable):
        cancel_order(cova, str(ORDER_ID))
    assert len(calls_to(mocked, CANCEL_URL)) == 3  # a DELETE is safe to repeat
    assert len(sleeps.waits) == 2
