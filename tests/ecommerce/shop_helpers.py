"""Menu products and shoppers for the online-order tests (no Cova calls)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from ecommerce.choices import MenuCategory
from ecommerce.models import CovaEcommerceSettings, MenuProduct
from ecommerce.orders.choices import Fulfillment
from ecommerce.orders.placement import CartItem, Customer

_ids = itertools.count(1)


def make_product(settings: CovaEcommerceSettings, **fields: Any) -> MenuProduct:
    number = next(_ids)
    values: dict[str, Any] = {
        "company": settings.company,
        "store": settings.store,
        "cova_product_id": f"prod-{number:05d}",
        "name": f"Product {number}",
        "category": MenuCategory.FLOWER,
        "price": Decimal("30.00"),
        "in_stock_quantity": Decimal("5"),
        "skus": [f"SKU-{number}"],
    }
    values.update(fields)
    return MenuProduct.objects.create(**values)


def shopper(**fields: Any) -> Customer:
    values: dict[str, Any] = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "phone": "+12065550134",
        "date_of_birth": date(1990, 5, 17),
        "fulfillment": Fulfillment.PICKUP,
    }
    values.update(fields)
    return Customer(**values)


def cart(*pairs: tuple[MenuProduct, int]) -> list[CartItem]:
    return [CartItem(product.pk, quantity) for product, quantity in pairs]
