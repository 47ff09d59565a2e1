"""Order statuses (pos-apis.md section 1.8 and the issue), fulfillment and timeline kinds."""

from __future__ import annotations

from django.db import models


class OrderStatus(models.TextChoices):
    """The online order's life, in order; closed and cancelled are final."""

    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    CHECKED_IN = "checked_in", "Checked in"
    READY_FOR_PICKUP = "ready_for_pickup", "Ready for pickup"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


FINAL_STATUSES = frozenset({OrderStatus.CLOSED, OrderStatus.CANCELLED})
# Statuses whose order still holds its inventory.
OPEN_STATUSES = frozenset(set(OrderStatus) - FINAL_STATUSES)

# Where each status may go. Forward only; cancelling is possible until the order closes.
# Staff may skip "checked in" (a delivery, or a shopper who walks straight to the counter).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset(
        {
            OrderStatus.CHECKED_IN,
            OrderStatus.READY_FOR_PICKUP,
            OrderStatus.CLOSED,
            OrderStatus.CANCELLED,
        }
    ),
    OrderStatus.CHECKED_IN: frozenset(
        {OrderStatus.READY_FOR_PICKUP, OrderStatus.CLOSED, OrderStatus.CANCELLED}
    ),
    OrderStatus.READY_FOR_PICKUP: frozenset({OrderStatus.CLOSED, OrderStatus.CANCELLED}),
    OrderStatus.CLOSED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

# The admin's "advance" action: the next step of the usual path.
NEXT_STATUS: dict[str, str] = {
    OrderStatus.PENDING: OrderStatus.CONFIRMED,
    OrderStatus.CONFIRMED: OrderStatus.CHECKED_IN,
    OrderStatus.CHECKED_IN: OrderStatus.READY_FOR_PICKUP,
    OrderStatus.READY_FOR_PICKUP: OrderStatus.CLOSED,
}


class Fulfillment(models.TextChoices):
    PICKUP = "pickup", "Pickup"
    DELIVERY = "delivery", "Delivery"


class OrderEventKind(models.TextChoices):
    PLACED = "placed", "Placed"
    STATUS = "status", "Status changed"
    EDITED = "edited", "Edited"
    HOLD_RELEASED = "hold_released", "Inventory hold released"
    COVA = "cova", "Cova"


class CovaPushState(models.TextChoices):
    """Where an order is on its way into Cova (ecommerce/orders/cova_sync.py).

    Blank: the store does not sync orders (or the order is not confirmed yet).
    """

    NOT_SENT = "", "Not sent"
    QUEUED = "queued", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    RETRYING = "retrying", "Will be sent again"
    PUSHED = "pushed", "At Cova"
    FAILED = "failed", "Cova refused it"


class CovaCancelState(models.TextChoices):
    """Where a cancellation made here is on its way to Cova (ecommerce/orders/cova_cancel.py).

    Blank: nothing to send (the order is not cancelled, or it never reached Cova).
    """

    NOT_NEEDED = "", "Not needed"
    QUEUED = "queued", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    RETRYING = "retrying", "Will be sent again"
    SENT = "sent", "Cancelled at Cova"
    FAILED = "failed", "Cova did not cancel it"


class HoldReleaseReason(models.TextChoices):
    CANCELLED = "cancelled", "Order cancelled"
    EDITED = "edited", "Line changed"
    EXPIRED = "expired", "Time limit reached"
    COUNTED_BY_SYNC = "counted_by_sync", "Sale counted by a menu sync"
