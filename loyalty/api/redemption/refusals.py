"""What a redemption call refuses, each a status, a stable code and words a budtender reads."""

from __future__ import annotations

from decimal import Decimal

from loyalty.api import assumptions
from loyalty.api.errors import ApiError
from loyalty.discounts.models import Discount
from loyalty.program.points import say_points


class RedemptionRefused(ApiError):
    """Nothing was written: the call may be retried once the cause is gone."""


def invalid_url() -> RedemptionRefused:
    return RedemptionRefused(
        assumptions.INVALID_REDEMPTION_URL_STATUS,
        "invalid_redemption_url",
        "This redemption URL is not valid: read the wallet again for a fresh one.",
    )


def not_enough_points(balance: Decimal, discount: Discount) -> RedemptionRefused:
    return RedemptionRefused(
        assumptions.NOT_REDEEMABLE_STATUS,
        "not_enough_points",
        f"Not enough points: the balance is {say_points(balance)}, "
        f'"{discount.name}" costs {say_points(discount.points_cost)}.',
    )


def not_redeemable(discount: Discount, why: str) -> RedemptionRefused:
    return RedemptionRefused(
        assumptions.NOT_REDEEMABLE_STATUS,
        "discount_not_redeemable",
        f'"{discount.name}" cannot be redeemed now: {why}.',
    )


def one_discount_per_order(transaction_id: str) -> RedemptionRefused:
    return RedemptionRefused(
        assumptions.ONE_DISCOUNT_PER_ORDER_STATUS,
        "one_discount_per_order",
        f"Transaction {transaction_id} already has a loyalty discount: at most one per order.",
    )


def idempotency_key_reused() -> RedemptionRefused:
    # The same status as the point adjustments' reused key: one code, one status.
    return RedemptionRefused(
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was already used for another redemption.",
    )


def already_redeemed() -> RedemptionRefused:
    return RedemptionRefused(
        409, "already_redeemed", "This redemption is already final; its hold cannot change."
    )


def hold_released() -> RedemptionRefused:
    return RedemptionRefused(
        409,
        "hold_released",
        "The hold for this transaction was released; redeem with PUT or use a new transaction id.",
    )


def hold_not_found() -> RedemptionRefused:
    return RedemptionRefused(404, "hold_not_found", "No hold for this transaction.")
