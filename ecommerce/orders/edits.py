"""Staff edit a pending order: change a line's quantity (its hold follows) or drop it.

Like placement, the product row is locked before availability is read, and the line's own
hold does not count against it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ecommerce.models import InventoryHold, MenuProduct, Order, OrderLine
from ecommerce.orders import limits
from ecommerce.orders.actors import Actor, record
from ecommerce.orders.availability import available, held_quantities
from ecommerce.orders.choices import OrderEventKind, OrderStatus
from ecommerce.orders.placement import CENT, set_totals
from ecommerce.orders.transitions import TransitionRefused


def change_line_quantity(line_id: int, quantity: int, actor: Actor) -> Order:
    """Set a pending order's line to ``quantity`` (0 removes the line)."""
    now = timezone.now()
    with transaction.atomic():
        order_id = OrderLine.objects.values_list("order_id", flat=True).get(pk=line_id)
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status != OrderStatus.PENDING:
            raise TransitionRefused("Only a pending order can be edited.")
        line = OrderLine.objects.get(pk=line_id)
        if quantity == line.quantity:
            return order
        if not 0 <= quantity <= limits.MAX_UNITS_PER_LINE:
            raise TransitionRefused(f"A line holds between 1 and {limits.MAX_UNITS_PER_LINE}.")
        lines = list(order.lines.all())
        if quantity == 0 and len(lines) == 1:
            raise TransitionRefused("This is the order's last line: cancel the order instead.")
        before = line.quantity
        if quantity > before and line.product_id is not None:
            product = MenuProduct.objects.select_for_update().get(pk=line.product_id)
            held = held_quantities([product.pk], now).get(product.pk, Decimal("0"))
            own = InventoryHold.objects.active(now).filter(line=line).first()
            left = available(product.in_stock_quantity, held - (own.quantity if own else 0))
            if quantity > left:
                raise TransitionRefused(f"Only {left} {line.product_name} available.")
        if quantity == 0:
            line.delete()  # its hold goes with it
            lines = [kept for kept in lines if kept.pk != line_id]
        else:
            line.quantity = quantity
            line.line_total = (line.price_paid * quantity).quantize(CENT)
            line.save(update_fields=["quantity", "line_total"])
            InventoryHold.objects.filter(line=line, released_at__isnull=True).update(
                quantity=Decimal(quantity)
            )
            lines = [line if kept.pk == line_id else kept for kept in lines]
        set_totals(order, lines)
        order.save(update_fields=["subtotal", "savings", "total", "updated_at"])
        record(
            order,
            actor,
            OrderEventKind.EDITED,
            f"{line.product_name}: {before} -> {quantity}",
        )
    return order
