"""The Cova order layer end to end against the Cova sandbox served on a real socket: tax
pricing, the customer found or created by phone, the delivery address written, the push
(once per GUID), polls moving 0 -> 3 -> 4 -> 8, a cancellation at the store, and each
fault mode surfacing as the right error class."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command

from aiq.http import HttpClient, RetryPolicy
from ecommerce.cova_client import provider_for
from ecommerce.cova_orders import assumptions as a
from ecommerce.cova_orders.client import link_customer, read_status, send_order
from ecommerce.cova_orders.errors import CovaOrderRejected, CovaOrderRetryable
from ecommerce.cova_orders.integrator import integrator_id_for
from ecommerce.cova_orders.values import (
    Address,
    Fulfillment,
    OrderLine,
    OrderToPush,
    Shopper,
    TaxPricing,
)
from integrations.providers.cova.auth import clear_token_cache
from integrations.sandbox import faults, records, server
from integrations.sandbox.cova import orders as sandbox_orders
from integrations.sandbox.cova import payloads
from integrations.sandbox.cova.menu_edits import cova_account
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox_credentials import DEMO_SANDBOX_CREDENTIALS, issue_sandbox_credentials
from tests.ecommerce.conftest import enabled_settings

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ISSUED = issue_sandbox_credentials("cova", DEMO_SANDBOX_CREDENTIALS["cova"])
PHONE = "(509) 555-0917"
FIRST_HOME = Address("400 Broadway E", "Seattle", "WA", "98102", line2="Unit 3")
SECOND_HOME = Address("18 Sprague Ave", "Spokane Valley", "WA", "99216")


@pytest.fixture
def origin(monkeypatch, settings) -> Iterator[str]:
    monkeypatch.setattr(server, "get_wsgi_application", WSGIHandler)
    clear_token_cache()
    cache.clear()
    faults.reset()
    with server.running_sandbox() as served:
        settings.POS_SANDBOX_ORIGIN = served
        yield served
    clear_token_cache()
    cache.clear()
    faults.reset()


def account() -> SandboxAccount:
    return cova_account(ISSUED)


def store_settings(option: str = "", location: int = 0, credentials: dict | None = None):  # type: ignore[no-untyped-def]
    values = dict(credentials or ISSUED)
    if option:
        values["password"] = f"{values['password']},{option}"
    return enabled_settings(
        credentials=values, location_id=str(payloads.location_ids(account())[location])
    )


def client(settings, origin: str, attempts: int = 4):  # type: ignore[no-untyped-def]
    http = HttpClient(sleep=lambda _s: None, retry=RetryPolicy(max_attempts=attempts))
    return provider_for(settings, sandbox_origin=origin, http=http)


def an_order(
    settings,  # type: ignore[no-untyped-def]
    fulfillment: Fulfillment = Fulfillment.PICKUP,
    address: Address | None = None,
    order_id: uuid.UUID | None = None,
) -> OrderToPush:
    return OrderToPush(
        order_id=order_id or uuid.uuid4(),
        location_id=settings.location_id,
        shopper=Shopper("Octavia", "Butler", PHONE),
        fulfillment=fulfillment,
        lines=(
            OrderLine(
                payloads.product_id(account(), 3), Decimal("2"), Decimal("10.00"), Decimal("1.00")
            ),
            OrderLine(
                payloads.product_id(account(), 8), Decimal("1"), Decimal("24.50"), Decimal("2.45")
            ),
        ),
        delivery_address=address,
    )


def sandbox_orders_count() -> int:
    return len(records.load(account(), sandbox_orders.KIND))


def test_push_customer_address_polls_and_a_second_push_creating_nothing(origin):
    settings = store_settings()
    cova = client(settings, origin)
    order = an_order(settings, Fulfillment.DELIVERY, FIRST_HOME)
    assert cova.find_customers(phone=PHONE) == []

    # When the order is sent (pricing, customer by phone, push)
    result = send_order(cova, order, integrator_id=integrator_id_for(settings))

    # Then the customer was created with the delivery address, and the order is at Cova
    assert result.created and result.tax_pricing == TaxPricing.TAX_EXCLUSIVE
    assert result.customer is not None and result.customer.created
    (customer,) = cova.find_customers(phone=PHONE)
    assert customer.external_id == result.customer.customer_id
    assert (customer.line1, customer.line2, customer.postal_code) == (
        "400 Broadway E",
        "Unit 3",
        "98102",
    )
    stored = sandbox_orders.find_order(account(), str(order.order_id))
    assert stored is not None and stored["CustomerId"] == customer.external_id
    assert stored["TaxPricing"] == "TEP" and stored["IsDelivery"] is True
    assert [line["Price"] for line in stored["Lines"]] == ["10.00", "24.50"]

    # When the same GUID is sent again (a retry)
    again = send_order(cova, order, integrator_id=integrator_id_for(settings))

    # Then nothing new: the same customer found by phone, no second order
    assert again.created is False and again.customer is not None
    assert (again.customer.customer_id, again.customer.created) == (customer.external_id, False)
    assert again.customer.address_written is False
    assert sandbox_orders_count() == 1
    assert len(cova.find_customers(phone=PHONE)) == 1

    # And polls move 0 -> 3 -> 4 -> 8
    readings = [read_status(cova, str(order.order_id)) for _ in range(5)]
    assert [r.cova_status for r in readings] == [0, 3, 4, 8, 8]
    assert [r.status for r in readings] == [
        a.PENDING,
        a.CONFIRMED,
        a.CONFIRMED,  # a delivery is InProgress, not ReadyForPickup
        a.CLOSED,
        a.CLOSED,
    ]
    assert readings[2].sale_total == Decimal("48.95")  # (2 x 10.00 + 24.50) + 10 % tax


def test_a_new_delivery_address_overwrites_the_old_one(origin):
    settings = store_settings()
    cova = client(settings, origin)
    integrator = integrator_id_for(settings)
    send_order(cova, an_order(settings, Fulfillment.DELIVERY, FIRST_HOME), integrator_id=integrator)

    second = send_order(
        cova, an_order(settings, Fulfillment.DELIVERY, SECOND_HOME), integrator_id=integrator
    )

    assert second.customer is not None and second.customer.address_written
    (customer,) = cova.find_customers(phone=PHONE)
    # the old "Unit 3" is gone, not kept under the new street
    assert (customer.line1, customer.line2, customer.city) == (
        "18 Sprague Ave",
        None,
        "Spokane Valley",
    )
    full = cova.client.call("GET", "api", cova._customer_path(customer.external_id))
    assert len(full["Addresses"]) == 1
    # a pickup for the same shopper writes no address
    assert link_customer(cova, Shopper("Octavia", "Butler", PHONE)).address_written is False


def test_a_pickup_ready_for_pickup_then_cancelled_at_the_store(origin):
    settings = store_settings()
    cova = client(settings, origin)
    order = an_order(settings)
    send_order(cova, order, integrator_id=integrator_id_for(settings))
    assert [read_status(cova, str(order.order_id)).status for _ in range(3)] == [
        a.PENDING,
        a.CONFIRMED,
        a.READY_FOR_PICKUP,
    ]

    call_command(
        "cova_sandbox_order", store=settings.store_id, order=str(order.order_id), cancel=True
    )

    reading = read_status(cova, str(order.order_id))
    assert (reading.cova_status, reading.status, reading.is_final) == (7, a.CANCELLED_STATUS, True)


def test_a_completed_order_cannot_be_cancelled_in_the_sandbox(origin):
    settings = store_settings()
    cova = client(settings, origin)
    order = an_order(settings)
    send_order(cova, order, integrator_id=integrator_id_for(settings))
    for _ in range(4):
        read_status(cova, str(order.order_id))
    with pytest.raises(ValueError, match="completed"):
        sandbox_orders.cancel_order(account(), str(order.order_id))


def test_a_tax_inclusive_location_gets_tip_prices(origin):
    settings = store_settings(location=sandbox_orders.TAX_INCLUSIVE_LOCATION)
    cova = client(settings, origin)
    order = an_order(settings)

    result = send_order(cova, order, integrator_id=integrator_id_for(settings))

    assert result.tax_pricing == TaxPricing.TAX_INCLUSIVE
    stored = sandbox_orders.find_order(account(), str(order.order_id))
    assert stored["TaxPricing"] == "TIP"
    assert [line["Price"] for line in stored["Lines"]] == ["11.00", "26.95"]


def test_fault_order_transient_is_retryable_and_a_clean_resend_of_the_guid_goes_through(origin):
    faulty = store_settings("fault=order-transient")
    cova = client(faulty, origin)
    order = an_order(faulty)
    send_order(cova, order, integrator_id=integrator_id_for(faulty))

    with pytest.raises(CovaOrderRetryable) as caught:
        read_status(cova, str(order.order_id))
    assert "Submit it again" in caught.value.order_message

    # Cova asks for the order again: the same GUID is accepted (not "already exists")
    faulty.delete()
    clean = store_settings()
    resent = send_order(client(clean, origin), order, integrator_id=integrator_id_for(clean))
    assert resent.created is True and sandbox_orders_count() == 1
    assert read_status(client(clean, origin), str(order.order_id)).cova_status == 0


def test_fault_order_rejected_raises_rejected_with_covas_order_message(origin):
    settings = store_settings("fault=order-rejected")
    cova = client(settings, origin)
    order = an_order(settings)
    send_order(cova, order, integrator_id=integrator_id_for(settings))

    with pytest.raises(CovaOrderRejected) as caught:
        read_status(cova, str(order.order_id))

    assert "is not available for sale at" in caught.value.order_message
    assert caught.value.user_message.startswith("Cova refused the order: Product")


def test_a_product_the_catalog_lacks_is_refused_the_same_way(origin):
    settings = store_settings()
    cova = client(settings, origin)
    order = OrderToPush(
        order_id=uuid.uuid4(),
        location_id=settings.location_id,
        shopper=Shopper("Octavia", "Butler", PHONE),
        fulfillment=Fulfillment.PICKUP,
        lines=(OrderLine(str(uuid.uuid4()), Decimal("1"), Decimal("5.00")),),
    )
    send_order(cova, order, integrator_id=integrator_id_for(settings))
    with pytest.raises(CovaOrderRejected) as caught:
        read_status(cova, str(order.order_id))
    assert order.lines[0].product_id in caught.value.order_message


def test_fault_order_cancelled_goes_from_0_to_7(origin):
    settings = store_settings("fault=order-cancelled")
    cova = client(settings, origin)
    order = an_order(settings)
    send_order(cova, order, integrator_id=integrator_id_for(settings))
    assert [read_status(cova, str(order.order_id)).status for _ in range(3)] == [
        a.PENDING,
        a.CANCELLED_STATUS,
        a.CANCELLED_STATUS,
    ]


def test_fault_server_error_beyond_the_retry_budget_is_retryable(origin):
    settings = store_settings("fault=server-error")
    # one attempt only: the sandbox's second request of four fails (the CRM search here)
    cova = client(settings, origin, attempts=1)
    with pytest.raises(CovaOrderRetryable):
        send_order(cova, an_order(settings), integrator_id=integrator_id_for(settings))
    assert sandbox_orders_count() == 0


def test_a_wrong_integrator_id_is_rejected_in_covas_words(origin):
    settings = store_settings()
    cova = client(settings, origin)
    with pytest.raises(CovaOrderRejected) as caught:
        send_order(cova, an_order(settings), integrator_id=str(uuid.uuid4()))
    assert caught.value.order_message == sandbox_orders.INVALID_INTEGRATOR
    assert sandbox_orders_count() == 0


def test_credentials_the_sandbox_did_not_issue_cannot_push(origin):
    settings = store_settings(credentials=DEMO_SANDBOX_CREDENTIALS["cova"])
    cova = client(settings, origin)
    with pytest.raises(CovaOrderRejected):
        send_order(cova, an_order(settings), integrator_id=integrator_id_for(settings))
    assert sandbox_orders_count() == 0
