"""Which status moves a staff member may make on an online order.

Owners and managers (``ecommerce.change_order``) make every move ``transition_order``
allows. A budtender (``ecommerce.hand_over_order``, aiq/accounts/roles.py) prepares and
hands over the pickups at the counter: confirm, checked in, ready for pickup and close.

Cancelling stays with owners and managers. It gives up a sale the shopper still expects
and puts the order's units back on the menu at once, it cannot be undone (cancelled is
final), and it voids the order at Cova too (ecommerce/orders/cova_cancel.py): at the
counter a void is a manager's call. A budtender whose shopper does not show asks a
manager, and an order nobody confirms is cancelled by the sweeper anyway.
"""

from __future__ import annotations

from typing import Any

from ecommerce.orders.choices import OrderStatus

CHANGE_PERMISSION = "ecommerce.change_order"
HAND_OVER_PERMISSION = "ecommerce.hand_over_order"

HAND_OVER_MOVES = frozenset(
    {
        OrderStatus.CONFIRMED,
        OrderStatus.CHECKED_IN,
        OrderStatus.READY_FOR_PICKUP,
        OrderStatus.CLOSED,
    }
)
EVERY_MOVE = frozenset(OrderStatus)


def moves_allowed(user: Any) -> frozenset[str]:
    """The statuses ``user`` may move an order to (the order's own status decides the rest)."""
    if user.has_perm(CHANGE_PERMISSION):
        return EVERY_MOVE
    if user.has_perm(HAND_OVER_PERMISSION):
        return HAND_OVER_MOVES
    return frozenset()
