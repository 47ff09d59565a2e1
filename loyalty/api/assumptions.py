"""Every inference this API makes about AIQ's public API, in one place.

shared/reference/pos-apis.md section 4 marks what was seen in AIQ's docs and client code;
what it does not pin down is decided here, so a better capture changes one module.
"""

from __future__ import annotations

from typing import Any

# AIQ documents no rate limit and sends no rate-limit headers. Ours: per key, per minute.
RATE_LIMIT_PER_MINUTE = 120
RATE_LIMIT_WINDOW_SECONDS = 60

# No documented body limit; a wallet request is a phone and an email.
MAX_BODY_BYTES = 16 * 1024

# `POST /api/v2/wallet`, `GET /api/v2/wallet/:phone` and `GET /api/v2/loyalty/lookup/:pii`
# carry no UID in their path: the key's company is the account.

# A UID that is not the key's company: the same 403 as a wrong key (reveals nothing).

# "Not found" as AIQ's client code saw it: HTTP 200, {code: 200, data: {results: null}}.
NOT_FOUND_STATUS = 200


def not_found_body() -> dict[str, Any]:
    return {"success": True, "code": 200, "data": {"results": None}}


# Audiences do not exist here yet: the wallet lists none ({name, avatar} each when they do).
def wallet_audiences() -> list[dict[str, Any]]:
    return []


# Discount templates have an avatar in AIQ; ours have no image.
DISCOUNT_AVATAR = ""

# The lookup's response fields were not captured: a membership flag and the opt-ins.
# The stores response was not captured: id, name, address, time zone, phone.

# --- Redemption (PUT/POST/DELETE on the redemption URL) ---------------------------------
# AIQ's answer to the PUT was not captured. Ours: the envelope, with what a POS shows on
# the ticket (the points deducted) and the shopper's new numbers. POST (hold) and DELETE
# (release) are ours, beyond AIQ, and answer in the same shape.
# A retry with the same transaction id (or Idempotency-Key) gets the first successful
# answer, stored. A refused call writes nothing and stores nothing: its retry is judged
# afresh (nothing was spent, so nothing can be spent twice).
REDEMPTION_MAX_ID_LENGTH = 100
# The transaction id names the order: a second, different discount on it is refused
# ("a maximum of one AIQ discount to apply to the order", seed 000).
ONE_DISCOUNT_PER_ORDER_STATUS = 409
# A shopper short of points, or a discount not redeemable now (used up, cooling down, out
# of date, not at this store): the call is understood but cannot be honoured.
NOT_REDEEMABLE_STATUS = 422
# A token that is not genuine, or not for this discount, or names another company's shopper:
# the URL does not exist as far as the caller can tell.
INVALID_REDEMPTION_URL_STATUS = 404


# The wallet's ``pointsOnHold`` and the answers' ``pointsOnHold`` are ours (AIQ has no
# holds): points a POS set aside for a cart, already out of ``loyaltyPoints``.


def redemption_data(
    kind: str, discount: Any, points: Any, transaction_id: str, numbers: dict[str, Any]
) -> dict[str, Any]:
    """``kind`` is "redeemed", "held" or "released"; ``numbers`` the shopper's
    loyaltyPoints (available) and pointsOnHold after the call."""
    moved = {"redeemed": "pointsDeducted", "held": "pointsHeld", "released": "pointsReleased"}
    return {
        kind: True,
        "discountID": discount.pk,
        "posDiscountID": discount.pos_discount_id,
        "name": discount.name,
        "transactionID": transaction_id or None,
        moved[kind]: points,
        **numbers,
    }


# Reconciliation for a POS that deducts on apply (Cova, seed 000's warning): a redemption
# with a transaction id is matched to the synced sale whose external id (Cova's invoice Id)
# or receipt number equals it. The sync stores discount amounts, not discount names or
# ids, so "the sale carries the discount" means: its total discount is at least the
# discount's value (flat), or that percent of its subtotal (percent), less a cent.
# Which POS deducts on apply: a company with a Cova card (loyalty/api/redemption/pos.py).
