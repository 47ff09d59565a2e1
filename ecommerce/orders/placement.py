"""Placing an order: the lines priced from the menu, the inventory held at once.

Race-free: the products ordered are locked (SELECT ... FOR UPDATE, in id order so two
orders never wait on each other in a circle) before the active holds are summed, so two
shoppers ordering the last unit at the same moment are served one after the other and
the second is told it sold out. SQLite, which has no row locks, runs each write
transaction alone (``transaction_mode: IMMEDIATE`` in settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ecommerce.models import CovaEcommerceSettings, InventoryHold, MenuProduct, Order, OrderLine
from ecommerce.orders import limits
from ecommerce.orders.actors import SHOPPER, SYSTEM, record
from ecommerce.orders.availability import available, held_quantities
from ecommerce.orders.choices import Fulfillment, OrderEventKind, OrderStatus
from ecommerce.orders.transitions import transition_order

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CartItem:
    product_id: int
    quantity: int


@dataclass(frozen=True)
class Customer:
    """Who orders and how they get it; the phone is E.164 already."""

    first_name: str
    last_name: str
    phone: str
    date_of_birth: date
    fulfillment: str = Fulfillment.PICKUP
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    notes: str = ""


class OrderRefused(Exception):
    """The order cannot be placed as asked; ``problems`` are sentences for the shopper."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def sale_price_used(product: MenuProduct) -> Decimal | None:
    """The product-level sale price, when it is below the regular price."""
    sale, regular = product.sale_price, product.price
    if sale is not None and regular is not None and sale < regular:
        return sale
    return None


def place_order(
    settings: CovaEcommerceSettings,
    items: list[CartItem],
    customer: Customer,
    now: datetime | None = None,
) -> Order:
    """Create a pending order holding its inventory (confirmed at once when the store
    auto-confirms). Raises ``OrderRefused`` and writes nothing when it cannot."""
    now = now or timezone.now()
    _check_request(settings, items, customer, now)
    with transaction.atomic():
        wanted = {item.product_id: item.quantity for item in items}
        products = list(
            MenuProduct.objects.select_for_update()
            .filter(store_id=settings.store_id, pk__in=list(wanted))
            .order_by("pk")
        )
        # Summed after the locks: every order that held these products before us has
        # committed, and its holds are counted.
        held = held_quantities(wanted, now)
        _check_stock(products, wanted, held)
        order = _create(settings, products, wanted, customer, now)
        record(order, SHOPPER, OrderEventKind.PLACED, f"{len(products)} line(s), {order.total}")
        if settings.auto_confirm_orders:
            order = transition_order(
                order.pk,
                OrderStatus.CONFIRMED,
                SYSTEM,
                "The store auto-confirms online orders.",
                now,
            )
    return order


def _check_request(
    settings: CovaEcommerceSettings, items: list[CartItem], customer: Customer, now: datetime
) -> None:
    problems = []
    if not settings.enabled:
        problems.append("This store is not taking online orders right now.")
    if not items:
        problems.append("Your cart is empty.")
    if len(items) > limits.MAX_LINES_PER_ORDER:
        problems.append(f"One order can have at most {limits.MAX_LINES_PER_ORDER} products.")
    if any(not 1 <= item.quantity <= limits.MAX_UNITS_PER_LINE for item in items):
        problems.append(f"Order between 1 and {limits.MAX_UNITS_PER_LINE} of each product.")
    if age_on(customer.date_of_birth, timezone.localdate(now)) < settings.minimum_age:
        problems.append(f"You must be {settings.minimum_age} or older to order.")
    if not customer.phone.startswith("+"):
        problems.append("A valid phone number is required.")
    if customer.fulfillment == Fulfillment.DELIVERY and not (
        customer.address_line1 and customer.city and customer.postal_code
    ):
        problems.append("Delivery needs an address, city and ZIP code.")
    if problems:
        raise OrderRefused(problems)


def _check_stock(
    products: list[MenuProduct], wanted: dict[int, int], held: dict[int, Decimal]
) -> None:
    problems = []
    if len(products) != len(wanted):
        problems.append("A product in your cart is no longer on this menu.")
    for product in products:
        if product.is_archived or product.price is None:
            problems.append(f"{product.name} is no longer on the menu.")
            continue
        left = available(product.in_stock_quantity, held.get(product.pk))
        if wanted[product.pk] > left:
            problems.append(
                f"{product.name} sold out." if left == 0 else f"Only {left} {product.name} left."
            )
    if problems:
        raise OrderRefused(problems)


def _create(
    settings: CovaEcommerceSettings,
    products: list[MenuProduct],
    wanted: dict[int, int],
    customer: Customer,
    now: datetime,
) -> Order:
    order = Order.objects.create(
        company_id=settings.company_id,
        store_id=settings.store_id,
        placed_at=now,
        **customer.__dict__,
    )
    lines = []
    for product in products:
        quantity = wanted[product.pk]
        sale = sale_price_used(product)
        paid = sale if sale is not None else product.price
        lines.append(
            OrderLine(
                company_id=settings.company_id,
                order=order,
                product=product,
                product_name=product.name,
                cova_product_id=product.cova_product_id,
                sku=str((product.skus or [""])[0])[:100],
                quantity=quantity,
                unit_price=product.price,
                sale_price=sale,
                line_total=(paid * quantity).quantize(CENT),
            )
        )
    OrderLine.objects.bulk_create(lines)
    expires_at = now + limits.pending_hold()
    InventoryHold.objects.bulk_create(
        InventoryHold(
            company_id=settings.company_id,
            line=line,
            order=order,
            product_id=line.product_id,
            quantity=Decimal(line.quantity),
            expires_at=expires_at,
        )
        for line in lines
    )
    set_totals(order, lines)
    order.save(update_fields=["subtotal", "savings", "total"])
    return order


def set_totals(order: Order, lines: list[OrderLine]) -> None:
    """Subtotal at regular prices, savings from sale prices, total paid (before taxes)."""
    order.subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
    order.total = sum((line.line_total for line in lines), Decimal("0"))
    order.savings = order.subtotal - order.total
