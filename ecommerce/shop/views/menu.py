"""The menu: what is in stock, by category or search, with prices, sale prices, COA links
and lab values; sold-out products stay listed, labelled, so a regular's favourite does not
simply vanish."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from aiq.validators import first_control_character
from ecommerce.choices import MenuCategory
from ecommerce.models import CovaEcommerceSettings, MenuProduct
from ecommerce.orders.availability import available, with_held_quantity
from ecommerce.orders.limits import MAX_UNITS_PER_LINE
from ecommerce.orders.placement import sale_price_used
from ecommerce.shop.access import behind_age_gate
from ecommerce.shop.session_cart import SessionCart
from ecommerce.shop.views.order import last_order_token

# "Only 3 left" below this many units.
FEW_LEFT = 5


@dataclass
class MenuItem:
    product: MenuProduct
    available: int
    sale_price: Decimal | None

    @property
    def sold_out(self) -> bool:
        return self.available == 0

    @property
    def few_left(self) -> bool:
        return 0 < self.available <= FEW_LEFT

    @property
    def quantity_choices(self) -> range:
        return range(1, min(self.available, MAX_UNITS_PER_LINE) + 1)

    @property
    def labs(self) -> list[tuple[str, str, str]]:
        return [
            (name, str(value.get("value", "")), str(value.get("unit", "")))
            for name, value in sorted((self.product.labs or {}).items())
            if isinstance(value, dict)
        ]


def listed_products(settings: CovaEcommerceSettings) -> Any:
    """What the menu may list: this store's products with a price, not archived."""
    return MenuProduct.objects.filter(
        store_id=settings.store_id, is_archived=False, price__isnull=False
    )


def menu_items(products: Any) -> list[MenuItem]:
    rows = with_held_quantity(products, timezone.now())
    return [
        MenuItem(
            product,
            available(product.in_stock_quantity, product.held_quantity),
            sale_price_used(product),
        )
        for product in rows
    ]


@never_cache
@behind_age_gate
def menu(request: HttpRequest, settings: CovaEcommerceSettings) -> HttpResponse:
    products = listed_products(settings)
    present = set(products.values_list("category", flat=True).distinct())
    categories = [(value, label) for value, label in MenuCategory.choices if value in present]
    category = request.GET.get("category", "")
    search = request.GET.get("q", "").strip()[:100]
    if first_control_character(search):
        search = ""  # a NUL byte would make PostgreSQL raise
    if category in present:
        products = products.filter(category=category)
    else:
        category = ""
    if search:
        products = products.filter(Q(name__icontains=search) | Q(brand__icontains=search))
    items = menu_items(products.order_by("category", "name"))
    # In stock first; sold out at the end of the list, labelled.
    items.sort(key=lambda item: item.sold_out)
    context = {
        "shop": settings,
        "store": settings.store,
        "items": items,
        "categories": categories,
        "category": category,
        "search": search,
        "cart_count": SessionCart(request, settings).count(),
        "last_order_token": last_order_token(request, settings.store_id),
    }
    return render(request, "shop/menu.html", context)
