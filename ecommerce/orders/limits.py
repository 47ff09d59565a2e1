"""How long inventory stays held, and how much one order may take (settings in one place)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

# One line can hold at most this many units, and one order this many lines: a stranger
# cannot empty the menu with one checkout (the rate limits stop the second).
MAX_UNITS_PER_LINE = 20
MAX_LINES_PER_ORDER = 30


def pending_hold() -> timedelta:
    """How long an unconfirmed order holds its inventory before it is cancelled."""
    return timedelta(minutes=settings.ORDER_PENDING_HOLD_MINUTES)


def open_hold() -> timedelta:
    """How long a confirmed order holds its inventory at most (from confirmation)."""
    return timedelta(hours=settings.ORDER_OPEN_HOLD_HOURS)


def closed_hold() -> timedelta:
    """How long a closed order still holds, unless a menu sync counts the sale sooner."""
    return timedelta(minutes=settings.ORDER_CLOSED_HOLD_MINUTES)
