"""Points amounts: Decimal with two places, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_points(value: Decimal | int) -> Decimal:
    """``value`` as a points amount, quantized to 0.01 (half up).

    Floats are refused: 0.1 + 0.2 is not 0.3 in binary, and a ledger must add up exactly.
    """
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"Points must be a Decimal or an int, not {type(value).__name__}.")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"Points must be a finite number, not {value}.")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def positive_points(value: Decimal | int) -> Decimal:
    """``to_points(value)``, refusing zero and negative amounts (the kind carries the sign)."""
    points = to_points(value)
    if points <= 0:
        raise ValueError(f"Points must be more than zero, not {points}.")
    return points
