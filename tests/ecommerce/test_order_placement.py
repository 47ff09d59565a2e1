"""Placing an online order: priced from the menu, inventory held at once, refused whole."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ecommerce.models import InventoryHold, Order, OrderEvent
from ecommerce.orders.availability import available, held_quantities
from ecommerce.orders.choices import Fulfillment, OrderEventKind, OrderStatus
from ecommerce.orders.placement import OrderRefused, place_order
from tests.ecommerce.conftest import enabled_settings
from tests.ecommerce.shop_helpers import cart, make_product, shopper

pytestmark = pytest.mark.django_db


def test_an_order_is_pending_priced_and_holds_its_inventory(settings):
    settings.ORDER_PENDING_HOLD_MINUTES = 30
    shop = enabled_settings()
    flower = make_product(shop, price=Decimal("40.00"), sale_price=Decimal("32.50"))
    vape = make_product(shop, price=Decimal("25.00"), in_stock_quantity=Decimal("3"))
    now = timezone.now()

    # When Ada orders 2 flower (on sale) and 1 vape
    order = place_order(shop, cart((flower, 2), (vape, 1)), shopper(), now=now)

    # Then the order is pending, with exact totals at the sale price
    assert order.status == OrderStatus.PENDING
    assert (order.subtotal, order.savings, order.total) == (
        Decimal("105.00"),
        Decimal("15.00"),
        Decimal("90.00"),
    )
    lines = {line.product_id: line for line in order.lines.all()}
    assert lines[flower.pk].sale_price == Decimal("32.50")
    assert lines[flower.pk].unit_price == Decimal("40.00")
    assert lines[flower.pk].line_total == Decimal("65.00")
    assert lines[vape.pk].sale_price is None
    assert lines[flower.pk].cova_product_id == flower.cova_product_id
    # and the units are held for 30 minutes: availability drops at once
    holds = InventoryHold.objects.filter(order=order)
    assert {hold.expires_at for hold in holds} == {now + timedelta(minutes=30)}
    held = held_quantities([flower.pk, vape.pk], now)
    assert held == {flower.pk: Decimal("2"), vape.pk: Decimal("1")}
    assert available(flower.in_stock_quantity, held[flower.pk]) == 3
    # and the timeline says who placed it
    event = OrderEvent.objects.get(order=order)
    assert (event.kind, event.actor) == (OrderEventKind.PLACED, "shopper")
    assert order.uuid and len(order.access_token) >= 32


def test_a_sale_price_above_the_price_is_ignored():
    shop = enabled_settings()
    product = make_product(shop, price=Decimal("20.00"), sale_price=Decimal("22.00"))

    order = place_order(shop, cart((product, 1)), shopper())

    assert order.total == Decimal("20.00") and order.savings == Decimal("0")
    assert order.lines.get().sale_price is None


def test_more_than_is_available_is_refused_and_nothing_is_written():
    shop = enabled_settings()
    product = make_product(shop, name="Blue Dream", in_stock_quantity=Decimal("3"))
    place_order(shop, cart((product, 2)), shopper())

    with pytest.raises(OrderRefused) as refused:
        place_order(shop, cart((product, 2)), shopper(phone="+12065550199"))

    assert refused.value.problems == ["Only 1 Blue Dream left."]
    assert Order.objects.count() == 1
    assert InventoryHold.objects.count() == 1


def test_a_sold_out_product_is_named():
    shop = enabled_settings()
    product = make_product(shop, name="Gelato", in_stock_quantity=Decimal("0"))

    with pytest.raises(OrderRefused) as refused:
        place_order(shop, cart((product, 1)), shopper())

    assert refused.value.problems == ["Gelato sold out."]
    assert not Order.objects.exists()


def test_an_expired_hold_no_longer_counts():
    shop = enabled_settings()
    product = make_product(shop, in_stock_quantity=Decimal("1"))
    then = timezone.now() - timedelta(hours=2)
    place_order(shop, cart((product, 1)), shopper(), now=then)

    # Two hours later (the hold lasted 30 minutes) the unit can be ordered again
    order = place_order(shop, cart((product, 1)), shopper(phone="+12065550111"))

    assert order.lines.get().quantity == 1


def test_underage_shoppers_archived_products_and_other_stores_products_are_refused():
    shop = enabled_settings(minimum_age=21)
    other_shop = enabled_settings()
    mine = make_product(shop)
    archived = make_product(shop, name="Old OG", is_archived=True)
    theirs = make_product(other_shop)
    today = timezone.localdate()
    twenty = date(today.year - 20, today.month, 1)

    with pytest.raises(OrderRefused) as young:
        place_order(shop, cart((mine, 1)), shopper(date_of_birth=twenty))
    with pytest.raises(OrderRefused) as gone:
        place_order(shop, cart((archived, 1)), shopper())
    with pytest.raises(OrderRefused) as elsewhere:
        place_order(shop, cart((theirs, 1)), shopper())

    assert young.value.problems == ["You must be 21 or older to order."]
    assert gone.value.problems == ["Old OG is no longer on the menu."]
    assert elsewhere.value.problems == ["A product in your cart is no longer on this menu."]
    assert not Order.objects.exists()


def test_quantities_empty_carts_delivery_without_address_and_disabled_stores_are_refused():
    shop = enabled_settings()
    product = make_product(shop, in_stock_quantity=Decimal("100"))

    with pytest.raises(OrderRefused) as too_many:
        place_order(shop, cart((product, 21)), shopper())
    with pytest.raises(OrderRefused) as empty:
        place_order(shop, [], shopper())
    with pytest.raises(OrderRefused) as delivery:
        place_order(shop, cart((product, 1)), shopper(fulfillment=Fulfillment.DELIVERY))
    shop.enabled = False
    with pytest.raises(OrderRefused) as closed:
        place_order(shop, cart((product, 1)), shopper())

    assert too_many.value.problems == ["Order between 1 and 20 of each product."]
    assert empty.value.problems == ["Your cart is empty."]
    assert delivery.value.problems == ["Delivery needs an address, city and ZIP code."]
    assert closed.value.problems == ["This store is not taking online orders right now."]
    assert not Order.objects.exists()


def test_a_delivery_order_keeps_its_address():
    shop = enabled_settings()
    product = make_product(shop)
    customer = shopper(
        fulfillment=Fulfillment.DELIVERY,
        address_line1="1 Pine St",
        city="Seattle",
        state="WA",
        postal_code="98101",
    )

    order = place_order(shop, cart((product, 1)), customer)

    order.refresh_from_db()
    assert order.is_delivery
    assert (order.address_line1, order.city, order.postal_code) == ("1 Pine St", "Seattle", "98101")


def test_a_store_that_auto_confirms_confirms_at_once():
    shop = enabled_settings(auto_confirm_orders=True)
    product = make_product(shop)

    order = place_order(shop, cart((product, 1)), shopper())

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and order.confirmed_at is not None
    kinds = list(order.events.values_list("kind", "actor", "to_status"))
    assert kinds == [
        (OrderEventKind.PLACED, "shopper", ""),
        (OrderEventKind.STATUS, "system", OrderStatus.CONFIRMED),
    ]
    # Confirmed: held for the open-order limit, not the pending one
    assert InventoryHold.objects.get().expires_at > timezone.now() + timedelta(hours=1)
