"""Moving an order through its statuses: the one service the admin, the shop, the
auto-confirm setting, the sweeper and the Cova status poll (cova_sync) all call.

pending -> confirmed -> checked in -> ready for pickup -> closed; cancelled from any
status before closed. The order row is locked while it moves, so two staff clicking at
once make one change and the second is told why not.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ecommerce.models import InventoryHold, Order
from ecommerce.orders import limits
from ecommerce.orders.actors import Actor, record
from ecommerce.orders.choices import (
    ALLOWED_TRANSITIONS,
    NEXT_STATUS,
    HoldReleaseReason,
    OrderEventKind,
    OrderStatus,
)

STAMPS = {
    OrderStatus.CONFIRMED: "confirmed_at",
    OrderStatus.CHECKED_IN: "checked_in_at",
    OrderStatus.READY_FOR_PICKUP: "ready_at",
    OrderStatus.CLOSED: "closed_at",
    OrderStatus.CANCELLED: "cancelled_at",
}


class TransitionRefused(Exception):
    """The order cannot make this move; the message says why, for staff or the shopper."""


def transition_order(
    order_id: int,
    to_status: str,
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
) -> Order:
    """Move order ``order_id`` to ``to_status``, adjust its holds and log it."""
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        _check(order, to_status, now)
        from_status = order.status
        order.status = to_status
        setattr(order, STAMPS[to_status], now)
        fields = ["status", STAMPS[to_status], "updated_at"]
        if to_status == OrderStatus.CANCELLED:
            order.cancel_reason = note[:200]
            fields.append("cancel_reason")
        order.save(update_fields=fields)
        _adjust_holds(order, to_status, now)
        if to_status == OrderStatus.CONFIRMED:
            # Sync Orders: pushed into Cova once this transaction commits.
            from ecommerce.orders.cova_sync import queue_push

            queue_push(order)
        elif to_status == OrderStatus.CANCELLED:
            # Sync Orders: an order Cova has is cancelled there too, once this commits.
            from ecommerce.orders.cova_cancel import queue_cancel

            queue_cancel(order)
        record(
            order,
            actor,
            OrderEventKind.STATUS,
            note,
            from_status=from_status,
            to_status=to_status,
        )
    return order


def _check(order: Order, to_status: str, now: datetime) -> None:
    if to_status not in ALLOWED_TRANSITIONS.get(order.status, ()):
        raise TransitionRefused(
            f"Order {order.reference} is {order.get_status_display().lower()}; it cannot "
            f"become {OrderStatus(to_status).label.lower()}."
        )
    if (
        order.status == OrderStatus.PENDING
        and to_status == OrderStatus.CONFIRMED
        and order.holds.filter(released_at__isnull=True, expires_at__lte=now).exists()
    ):
        # Its units went back on the menu when the hold lapsed: someone may have bought them.
        raise TransitionRefused(
            f"Order {order.reference} waited too long to be confirmed and its inventory is no "
            "longer held; it is being cancelled."
        )


def _adjust_holds(order: Order, to_status: str, now: datetime) -> None:
    holds = InventoryHold.objects.filter(order=order, released_at__isnull=True)
    if to_status == OrderStatus.CANCELLED:
        holds.update(released_at=now, release_reason=HoldReleaseReason.CANCELLED)
    elif to_status == OrderStatus.CONFIRMED:
        holds.update(expires_at=now + limits.open_hold())
    elif to_status == OrderStatus.CLOSED:
        # The sale is Cova's now, but its stock only drops at the next menu sync: keep the
        # units held until a sync that started after this moment has run (the sweeper),
        # or the time limit.
        holds.update(expires_at=now + limits.closed_hold())


def advance_order(order_id: int, actor: Actor, now: datetime | None = None) -> Order:
    """The usual next step (the admin's "advance" action)."""
    status = Order.objects.filter(pk=order_id).values_list("status", flat=True).first()
    if status not in NEXT_STATUS:
        raise TransitionRefused("A closed or cancelled order does not move on.")
    return transition_order(order_id, NEXT_STATUS[status], actor, now=now)


def confirm_order(order_id: int, actor: Actor, now: datetime | None = None) -> Order:
    return transition_order(order_id, OrderStatus.CONFIRMED, actor, now=now)


def cancel_order(order_id: int, actor: Actor, reason: str, now: datetime | None = None) -> Order:
    return transition_order(order_id, OrderStatus.CANCELLED, actor, reason, now=now)
