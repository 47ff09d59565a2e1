"""Order statuses move through one service; holds follow; the timeline records each move."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from ecommerce.choices import MenuSyncMode, MenuSyncStatus, MenuSyncTrigger
from ecommerce.models import InventoryHold, MenuSyncRun, Order, OrderEvent
from ecommerce.orders.actors import SYSTEM, Actor
from ecommerce.orders.availability import held_quantities
from ecommerce.orders.choices import HoldReleaseReason, OrderStatus
from ecommerce.orders.edits import change_line_quantity
from ecommerce.orders.expiry import sweep
from ecommerce.orders.placement import place_order
from ecommerce.orders.transitions import (
    TransitionRefused,
    advance_order,
    cancel_order,
    confirm_order,
    transition_order,
)
from tests.ecommerce.conftest import enabled_settings
from tests.ecommerce.shop_helpers import cart, make_product, shopper
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return enabled_settings()


@pytest.fixture
def staff():
    return Actor.staff(UserFactory(username="maria"))


def test_the_usual_path_to_closed_with_the_timeline(shop, staff):
    product = make_product(shop)
    order = place_order(shop, cart((product, 1)), shopper())

    for _ in range(4):
        advance_order(order.pk, staff)

    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    assert all([order.confirmed_at, order.checked_in_at, order.ready_at, order.closed_at])
    moves = list(
        OrderEvent.objects.filter(order=order, kind="status").values_list(
            "from_status", "to_status", "actor"
        )
    )
    assert moves == [
        ("pending", "confirmed", "maria"),
        ("confirmed", "checked_in", "maria"),
        ("checked_in", "ready_for_pickup", "maria"),
        ("ready_for_pickup", "closed", "maria"),
    ]
    with pytest.raises(TransitionRefused):
        advance_order(order.pk, staff)


def test_moves_the_reference_does_not_allow_are_refused_and_change_nothing(shop, staff):
    product = make_product(shop)
    order = place_order(shop, cart((product, 1)), shopper())

    with pytest.raises(TransitionRefused, match="pending; it cannot become closed"):
        transition_order(order.pk, OrderStatus.CLOSED, staff)
    with pytest.raises(TransitionRefused):
        transition_order(order.pk, OrderStatus.READY_FOR_PICKUP, staff)
    cancel_order(order.pk, staff, "Out of stock at the counter")
    with pytest.raises(TransitionRefused):
        confirm_order(order.pk, staff)

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "Out of stock at the counter"
    assert OrderEvent.objects.filter(order=order, kind="status").count() == 1


def test_cancelling_releases_the_hold_at_once(shop, staff):
    product = make_product(shop, in_stock_quantity=Decimal("2"))
    order = place_order(shop, cart((product, 2)), shopper())
    assert held_quantities([product.pk], timezone.now()) == {product.pk: Decimal("2")}

    confirm_order(order.pk, staff)
    cancel_order(order.pk, staff, "Shopper called")

    assert held_quantities([product.pk], timezone.now()) == {}
    hold = InventoryHold.objects.get()
    assert hold.release_reason == HoldReleaseReason.CANCELLED


def test_confirming_extends_the_hold_and_closing_keeps_it_until_a_sync_counts_it(
    settings, shop, staff
):
    settings.ORDER_OPEN_HOLD_HOURS = 24
    settings.ORDER_CLOSED_HOLD_MINUTES = 30
    product = make_product(shop)
    placed = timezone.now()
    order = place_order(shop, cart((product, 1)), shopper(), now=placed)

    confirm_order(order.pk, staff, now=placed)
    assert InventoryHold.objects.get().expires_at == placed + timedelta(hours=24)

    closed_at = placed + timedelta(minutes=5)
    transition_order(order.pk, OrderStatus.CLOSED, staff, now=closed_at)
    hold = InventoryHold.objects.get()
    assert hold.expires_at == closed_at + timedelta(minutes=30)
    # A sync that started before the close has not counted the sale: still held
    MenuSyncRun.objects.create(
        company=shop.company,
        settings=shop,
        mode=MenuSyncMode.INCREMENTAL,
        trigger=MenuSyncTrigger.SCHEDULE,
        status=MenuSyncStatus.OK,
        started_at=closed_at - timedelta(minutes=1),
    )
    assert sweep(now=closed_at + timedelta(minutes=2)).counted == 0
    assert held_quantities([product.pk], closed_at + timedelta(minutes=2)) == {
        product.pk: Decimal("1")
    }
    # A successful sync that started after it has: released
    MenuSyncRun.objects.create(
        company=shop.company,
        settings=shop,
        mode=MenuSyncMode.INCREMENTAL,
        trigger=MenuSyncTrigger.SCHEDULE,
        status=MenuSyncStatus.OK,
        started_at=closed_at + timedelta(minutes=3),
    )
    result = sweep(now=closed_at + timedelta(minutes=4))
    assert result.counted == 1
    hold.refresh_from_db()
    assert hold.release_reason == HoldReleaseReason.COUNTED_BY_SYNC


def test_an_unconfirmed_order_is_cancelled_when_its_hold_runs_out(settings, shop, staff):
    settings.ORDER_PENDING_HOLD_MINUTES = 30
    product = make_product(shop, in_stock_quantity=Decimal("1"))
    placed = timezone.now() - timedelta(minutes=31)
    late = place_order(shop, cart((product, 1)), shopper(), now=placed)
    # A shopper whose order is still within its time (another product)
    fresh = place_order(shop, cart((make_product(shop), 1)), shopper(phone="+12065550111"))

    # Staff cannot confirm the late one: its unit went back on the menu
    with pytest.raises(TransitionRefused, match="waited too long"):
        confirm_order(late.pk, staff)

    result = sweep()

    assert result.cancelled == 1
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.status == OrderStatus.CANCELLED
    assert late.cancel_reason == "Not confirmed within 30 minutes."
    assert late.events.last().actor == SYSTEM.label
    assert fresh.status == OrderStatus.PENDING
    assert InventoryHold.objects.get(order=late).release_reason == HoldReleaseReason.CANCELLED
    assert InventoryHold.objects.get(order=fresh).released_at is None


def test_a_confirmed_order_never_holds_forever(settings, shop, staff):
    settings.ORDER_OPEN_HOLD_HOURS = 24
    product = make_product(shop)
    placed = timezone.now() - timedelta(hours=30)
    order = place_order(shop, cart((product, 1)), shopper(), now=placed)
    confirm_order(order.pk, staff, now=placed)

    result = sweep()

    assert (result.cancelled, result.expired) == (0, 1)
    assert Order.objects.get().status == OrderStatus.CONFIRMED  # staff still see it
    assert InventoryHold.objects.get().release_reason == HoldReleaseReason.EXPIRED


def test_the_command_twin_sweeps(settings, shop, capsys):
    settings.ORDER_PENDING_HOLD_MINUTES = 30
    product = make_product(shop)
    place_order(shop, cart((product, 1)), shopper(), now=timezone.now() - timedelta(hours=1))

    call_command("expire_order_holds")

    assert "1 unconfirmed orders cancelled" in capsys.readouterr().out
    assert Order.objects.get().status == OrderStatus.CANCELLED


def test_staff_change_a_pending_line_within_stock(shop, staff):
    product = make_product(shop, name="Gelato", in_stock_quantity=Decimal("4"))
    other = make_product(shop, price=Decimal("10.00"))
    order = place_order(shop, cart((product, 1), (other, 1)), shopper())
    line = order.lines.get(product=product)

    change_line_quantity(line.pk, 4, staff)  # its own hold does not count against it
    order.refresh_from_db()
    assert order.total == Decimal("130.00")
    assert InventoryHold.objects.get(line=line).quantity == Decimal("4")
    with pytest.raises(TransitionRefused, match="Only 4 Gelato available"):
        change_line_quantity(line.pk, 5, staff)

    change_line_quantity(line.pk, 0, staff)  # removes the line and its hold
    order.refresh_from_db()
    assert order.total == Decimal("10.00")
    assert held_quantities([product.pk], timezone.now()) == {}
    with pytest.raises(TransitionRefused, match="last line"):
        change_line_quantity(order.lines.get().pk, 0, staff)
    assert order.events.filter(kind="edited").count() == 2

    confirm_order(order.pk, staff)
    with pytest.raises(TransitionRefused, match="Only a pending order"):
        change_line_quantity(order.lines.get().pk, 2, staff)
