"""The menu: what is in stock, by category or search, with prices, sale prices, COA links
and lab values; sold-out products stay listed, labelled, so a regular's favourite does not
simply vanish."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, F, Q
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
# Products per menu page: a phone-sized scroll, and a page rendered well under 200 ms.
PER_PAGE = 24
CATEGORIES_SECONDS = 60


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


def listed_categories(settings: CovaEcommerceSettings) -> set[str]:
    """The categories the menu lists, kept for a minute per store: reading them is a pass
    over every listed product (60 ms of a 20,000-product menu page), and they change
    only with a menu sync (every 10 minutes) or a staff edit, which shows within the
    minute."""
    key = f"shop:categories:{settings.store_id}"
    categories = cache.get(key)
    if categories is None:
        categories = set(
            listed_products(settings).order_by().values_list("category", flat=True).distinct()
        )
        cache.set(key, categories, CATEGORIES_SECONDS)
    return categories


def menu_items(products: Any) -> list[MenuItem]:
    return [_item(product) for product in with_held_quantity(products, timezone.now())]


def _item(product: MenuProduct) -> MenuItem:
    """A product read with ``with_held_quantity``, as the menu shows it."""
    return MenuItem(
        product,
        available(product.in_stock_quantity, product.held_quantity),
        sale_price_used(product),
    )


@never_cache
@behind_age_gate
def menu(request: HttpRequest, settings: CovaEcommerceSettings) -> HttpResponse:
    products = listed_products(settings)
    present = listed_categories(settings)
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
    # In stock first, sold out at the end of the list (labelled), ordered by the database
    # and read a page at a time: a 20,000-product menu rendered whole took a minute.
    rows = with_held_quantity(products, timezone.now()).annotate(
        sold_out=ExpressionWrapper(
            Q(in_stock_quantity__lt=F("held_quantity") + 1), output_field=BooleanField()
        )
    )
    page = Paginator(rows.order_by("sold_out", "category", "name", "pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    items = [_item(product) for product in page.object_list]
    context = {
        "shop": settings,
        "store": settings.store,
        "items": items,
        "page": page,
        "categories": categories,
        "category": category,
        "search": search,
        "cart_count": SessionCart(request, settings).count(),
        "last_order_token": last_order_token(request, settings.store_id),
    }
    return render(request, "shop/menu.html", context)
