"""Must-show, end to end against the Cova sandbox served on a real socket, with Celery
tasks run eagerly: the first menu sync of a store just enabled with the demo credentials,
a stock change in the sandbox seen by the next sync, an order's hold lowering what the menu
offers, staff confirming it, the push made once (a retried task sends nothing new), the
customer created then found by phone with the delivery address written, polls moving the
order to closed, and a cancellation in the sandbox cancelling it here and freeing its hold;
and staff cancelling here cancelling it at Cova, read back by the poll."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.utils import timezone

from aiq.celery import app
from ecommerce import tasks
from ecommerce.choices import MenuSyncStatus
from ecommerce.cova_client import provider_for
from ecommerce.cova_orders import assumptions as a
from ecommerce.models import MenuProduct, Order
from ecommerce.orders.actors import Actor
from ecommerce.orders.availability import available, held_quantities
from ecommerce.orders.choices import (
    CovaCancelState,
    CovaPushState,
    Fulfillment,
    OrderEventKind,
    OrderStatus,
)
from ecommerce.orders.cova_sync import PushOutcome
from ecommerce.orders.placement import place_order
from ecommerce.orders.transitions import cancel_order, confirm_order
from integrations.providers.cova.auth import clear_token_cache
from integrations.sandbox import faults, records, server
from integrations.sandbox.cova import orders as sandbox_orders
from integrations.sandbox.cova import payloads
from integrations.sandbox.cova.menu_edits import cova_account, edit_product
from integrations.sandbox_credentials import DEMO_SANDBOX_CREDENTIALS, issue_sandbox_credentials
from tests.ecommerce.conftest import enabled_settings
from tests.ecommerce.shop_helpers import cart, make_product, shopper
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ISSUED = issue_sandbox_credentials("cova", DEMO_SANDBOX_CREDENTIALS["cova"])
PRODUCT = 5  # the sandbox product whose stock the test changes


@pytest.fixture
def origin(monkeypatch, settings) -> Iterator[str]:
    monkeypatch.setattr(server, "get_wsgi_application", WSGIHandler)
    clear_token_cache()
    cache.clear()
    faults.reset()
    eager = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    with server.running_sandbox() as served:
        settings.POS_SANDBOX_ORIGIN = served
        yield served
    app.conf.task_always_eager, app.conf.task_eager_propagates = eager
    clear_token_cache()
    cache.clear()
    faults.reset()


def account():  # type: ignore[no-untyped-def]
    return cova_account(ISSUED)


def sync_when_due(settings) -> None:  # type: ignore[no-untyped-def]
    """Beat's dispatcher (eager: the claimed store's sync runs here)."""
    assert tasks.dispatch_menu_syncs.apply().get() == 1
    assert settings.runs.order_by("-pk").first().status in (
        MenuSyncStatus.OK,
        MenuSyncStatus.PARTIAL,
    )


def offered(product: MenuProduct) -> int:
    product.refresh_from_db()
    return available(
        product.in_stock_quantity, held_quantities([product.pk], timezone.now()).get(product.pk)
    )


def poll_when_due(order: Order) -> Order:
    """The 2-minute job, with the order's poll made due (eager: it polls here)."""
    Order.objects.filter(pk=order.pk).update(
        cova_next_poll_at=timezone.now() - timedelta(seconds=1)
    )
    assert tasks.poll_cova_order_statuses.apply().get() == 1
    order.refresh_from_db()
    return order


def test_enable_sync_order_push_once_polls_to_closed_and_a_cancellation_frees_the_hold(origin):
    settings = enabled_settings(
        credentials=ISSUED,
        sync_orders=True,
        location_id=str(payloads.location_ids(account())[0]),
    )
    staff = Actor.staff(UserFactory())

    # The first menu sync: a store just enabled is due at beat's next minute
    sync_when_due(settings)
    product = MenuProduct.objects.get(
        store=settings.store, cova_product_id=payloads.product_id(account(), PRODUCT)
    )

    # A stock change in the sandbox is on the menu after the next sync
    edit_product(account(), PRODUCT, stock={0: 6})
    settings.refresh_from_db()
    type(settings).objects.filter(pk=settings.pk).update(next_sync_at=timezone.now())
    sync_when_due(settings)
    assert offered(product) == 6

    # A delivery order holds its units: the menu offers fewer
    delivery = place_order(
        settings,
        cart((product, 2)),
        shopper(
            phone="+15095550917",
            fulfillment=Fulfillment.DELIVERY,
            address_line1="400 Broadway E",
            address_line2="Unit 3",
            city="Seattle",
            state="WA",
            postal_code="98102",
        ),
    )
    assert offered(product) == 4
    assert records.load(account(), sandbox_orders.KIND) == []  # pending: not sent

    # Staff confirm: pushed on commit, then the quick polls (eager: at once, 0 then 3)
    confirm_order(delivery.pk, staff)
    delivery.refresh_from_db()
    assert delivery.cova_push_state == CovaPushState.PUSHED
    assert delivery.cova_status == a.SUBMITTED_FOR_FINAL_PROCESSING
    stored = sandbox_orders.find_order(account(), str(delivery.uuid))
    assert stored["Id"] == str(delivery.uuid) and stored["IsDelivery"] is True

    # A retried task sends nothing new
    assert tasks.push_order_to_cova.apply((delivery.pk,)).get() == PushOutcome.SKIPPED
    assert len(records.load(account(), sandbox_orders.KIND)) == 1
    assert sandbox_orders.find_order(account(), str(delivery.uuid))["Submissions"] == 1

    # The customer was created by phone, with the delivery address
    cova = provider_for(settings)
    (customer,) = cova.find_customers(phone="5095550917")
    assert customer.external_id == delivery.cova_customer_id
    assert (customer.line1, customer.line2, customer.postal_code) == (
        "400 Broadway E",
        "Unit 3",
        "98102",
    )

    # Status polls move it to closed; the timeline shows each Cova status and when
    assert poll_when_due(delivery).status == OrderStatus.CONFIRMED  # 4, a delivery in progress
    delivery = poll_when_due(delivery)
    assert (delivery.status, delivery.cova_status) == (OrderStatus.CLOSED, a.COMPLETED)
    assert delivery.cova_next_poll_at is None
    notes = list(
        delivery.events.filter(kind=OrderEventKind.COVA, note__startswith="Cova:").values_list(
            "note", flat=True
        )
    )
    assert [note.split(" (")[0] for note in notes] == [
        "Cova: SubmittedForProcessing",
        "Cova: SubmittedForFinalProcessing",
        "Cova: ReadyForPayment",
        "Cova: Completed",
    ]

    # A second order by the same shopper (pickup): found by phone, then cancelled at Cova
    pickup = place_order(settings, cart((product, 1)), shopper(phone="+15095550917"))
    confirm_order(pickup.pk, staff)
    pickup.refresh_from_db()
    assert pickup.cova_customer_id == customer.external_id
    assert len(cova.find_customers(phone="5095550917")) == 1
    held_before = offered(product)

    call_command("cova_sandbox_order", store=settings.store_id, order=str(pickup.uuid), cancel=True)
    pickup = poll_when_due(pickup)

    assert (pickup.status, pickup.cova_status) == (OrderStatus.CANCELLED, a.CANCELLED)
    assert offered(product) == held_before + 1  # its hold is freed
    assert not pickup.holds.filter(released_at__isnull=True).exists()
    assert pickup.cova_next_poll_at is None
    assert Decimal(product.in_stock_quantity) == 6


def test_staff_cancelling_a_pushed_order_cancels_it_at_cova_and_the_poll_reads_7(origin):
    # Given a store syncing orders and an order staff confirmed (pushed at once: eager)
    settings = enabled_settings(
        credentials=ISSUED,
        sync_orders=True,
        location_id=str(payloads.location_ids(account())[0]),
    )
    staff = Actor.staff(UserFactory())
    product = make_product(settings, cova_product_id=payloads.product_id(account(), PRODUCT))
    order = place_order(settings, cart((product, 1)), shopper(phone="+15095550918"))
    confirm_order(order.pk, staff)
    order.refresh_from_db()
    assert order.cova_push_state == CovaPushState.PUSHED

    # When staff cancel it here (the cancel task and its quick poll run on the commit)
    cancel_order(order.pk, staff, "Cancelled by the store.")

    # Then Cova has it cancelled, and the status read back from Cova says 7
    assert sandbox_orders.find_order(account(), str(order.uuid))["Cancelled"] is True
    order.refresh_from_db()
    assert order.cova_cancel_state == CovaCancelState.SENT
    assert (order.status, order.cova_status) == (OrderStatus.CANCELLED, a.CANCELLED)
    assert order.cova_next_poll_at is None
    notes = list(order.events.filter(kind=OrderEventKind.COVA).values_list("note", flat=True))
    assert notes[-2:] == ["Cancelled at Cova.", "Cova: Cancelled (7)"]
