"""The overselling test: two shoppers order the last unit at the same moment; exactly one
order gets it (PostgreSQL, real concurrent connections)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from ecommerce.models import InventoryHold, Order
from ecommerce.orders.placement import OrderRefused, place_order
from tests.ecommerce.conftest import enabled_settings
from tests.ecommerce.shop_helpers import cart, make_product, shopper

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def _race(shop, items_per_shopper) -> tuple[list[Order], list[str]]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(items_per_shopper))
    placed: list[Order] = []
    refused: list[str] = []

    def shop_once(index: int, items) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            placed.append(place_order(shop, items, shopper(phone=f"+1206555{index:04d}")))
        except OrderRefused as error:
            refused.append(str(error))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=shop_once, args=(index, items))
        for index, items in enumerate(items_per_shopper)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return placed, refused


def test_two_shoppers_order_the_last_unit_at_the_same_moment_exactly_one_gets_it():
    shop = enabled_settings()
    last = make_product(shop, name="Last Gelato", in_stock_quantity=Decimal("1"))

    placed, refused = _race(shop, [cart((last, 1)), cart((last, 1))])

    assert len(placed) == 1
    assert refused == ["Last Gelato sold out."]
    assert Order.objects.count() == 1
    assert InventoryHold.objects.filter(product=last).count() == 1


def test_eight_shoppers_for_three_units_never_oversell_and_never_deadlock():
    shop = enabled_settings()
    scarce = make_product(shop, in_stock_quantity=Decimal("3"))
    plenty = make_product(shop, in_stock_quantity=Decimal("100"))
    # Half list the products in the other order: the locks are taken in id order anyway.
    baskets = [
        cart((scarce, 1), (plenty, 1)) if index % 2 else cart((plenty, 1), (scarce, 1))
        for index in range(8)
    ]

    placed, refused = _race(shop, baskets)

    assert len(placed) == 3 and len(refused) == 5
    held = sum(hold.quantity for hold in InventoryHold.objects.filter(product=scarce))
    assert held == Decimal("3")
