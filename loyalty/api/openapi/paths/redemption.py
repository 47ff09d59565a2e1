"""The redemption URL a wallet hands out: PUT redeems (AIQ: after checkout, the POS
transaction id appended), POST holds the points while the discount sits in a cart, DELETE
releases the hold (both ours). From loyalty/api/redemption/ (views, refusals, service)."""

from __future__ import annotations

from loyalty.api.openapi.components import Schema, json_content, ok, operation, path_parameter, ref

TAG = "Redemption"
DESCRIPTION = "Redeem, hold or release a wallet discount through its redemptionURL."
DRAFT = False

_NUMBERS = {
    "discountID": {"type": "integer"},
    "posDiscountID": {"type": "string"},
    "name": {"type": "string"},
    "transactionID": {"type": ["string", "null"], "description": "null without one."},
    "loyaltyPoints": {
        "type": "number",
        "description": "Available afterwards (0 when the program hides points).",
    },
    "pointsOnHold": {"type": "number", "description": "On hold afterwards."},
}


def _result(flag: str, moved: str, moved_description: str, **extra: Schema) -> Schema:
    return {
        "type": "object",
        "required": [flag, moved, *_NUMBERS, *extra],
        "properties": {
            flag: {"const": True},
            moved: {"type": "number", "description": moved_description},
            **_NUMBERS,
            **extra,
        },
    }


SCHEMAS: dict[str, Schema] = {
    "Redeemed": _result("redeemed", "pointsDeducted", "Show it on the POS transaction."),
    "Held": _result(
        "held",
        "pointsHeld",
        "Reserved until committed, released or expired.",
        holdExpiresAt={"type": "string", "format": "date-time"},
    ),
    "Released": _result("released", "pointsReleased", "Back in the balance."),
}


def _refusal(description: str, code: str, message: str) -> Schema:
    example = {"success": False, "message": message, "code": code}
    return {"description": description, "content": json_content(ref("schemas", "Error"), example)}


_NOT_FOUND = _refusal(
    "invalid_redemption_url: the token is not genuine, not for this discount, or another "
    "account's (read the wallet again); hold_not_found: DELETE with no hold.",
    "invalid_redemption_url",
    "This redemption URL is not valid: read the wallet again for a fresh one.",
)
_CONFLICT = _refusal(
    "one_discount_per_order (the transaction already has another loyalty discount), "
    "already_redeemed, hold_released, points_conflict (the ledger refused: retry).",
    "one_discount_per_order",
    "Transaction T-1001 already has a loyalty discount: at most one per order.",
)
_NOT_REDEEMABLE = _refusal(
    "not_enough_points, or discount_not_redeemable (used up, on hold for another cart, "
    "cooling down, out of date, not at this store), or idempotency_key_reused (this "
    "Idempotency-Key named another redemption). Nothing was written.",
    "not_enough_points",
    'Not enough points: the balance is 120 points, "$40 off" costs 400 points.',
)
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Instead of a transaction id: the same key never debits twice, and a "
    "retry gets the first answer.",
    "schema": {"type": "string", "maxLength": 100},
    "example": "order-1001-loyalty",
}


def _parameters(with_transaction: bool) -> list[Schema]:
    parameters = [
        ref("parameters", "Uid"),
        path_parameter("id", "The discount's id (discountTemplates[].id).", "7"),
        path_parameter("token", "The signed token from the wallet's redemptionURL.", "TOKEN"),
    ]
    if with_transaction:
        parameters.append(
            path_parameter(
                "transactionId", "The POS transaction id (in-store).", "T-1001", maxLength=100
            )
        )
    return [*parameters, _IDEMPOTENCY_KEY]


def _operation(
    name: str, with_transaction: bool, summary: str, description: str, result: Schema
) -> Schema:
    suffix = "WithTransaction" if with_transaction else ""
    return operation(
        tag=TAG,
        operation_id=f"{name}{suffix}",
        summary=summary,
        description=description,
        parameters=_parameters(with_transaction),
        responses={
            "200": result,
            "404": _NOT_FOUND,
            "409": _CONFLICT,
            "422": _NOT_REDEEMABLE,
        },
    )


def _item(with_transaction: bool) -> dict[str, Schema]:
    # In a cart's order: held when applied, released if removed, redeemed at checkout.
    item = {
        "put": _operation(
            "redeem",
            with_transaction,
            "Redeem a discount (after checkout)",
            "Debits the points under a row lock. The same transaction id (or Idempotency-Key) "
            "never debits twice: a retry gets the first answer. Commits a hold, if one was "
            "made.",
            ok("Redeemed.", ref("schemas", "Redeemed")),
        ),
        "post": _operation(
            "hold",
            with_transaction,
            "Hold a discount's points while it sits in a cart",
            "Reserves the points (on hold in the wallet) until a PUT commits them, a DELETE "
            "releases them, or the hold expires. Needs a transaction id or an "
            "Idempotency-Key.",
            ok("Held.", ref("schemas", "Held")),
        ),
        "delete": _operation(
            "release",
            with_transaction,
            "Release a hold",
            "The held points come back to the balance. Needs the hold's transaction id or "
            "Idempotency-Key.",
            ok("Released.", ref("schemas", "Released")),
        ),
    }
    return {method: item[method] for method in ("post", "delete", "put")}


def paths() -> dict[str, dict[str, Schema]]:
    base = "/api/v1.1/discount/redeem/{uid}/{id}/{token}"
    return {base: _item(False), base + "/{transactionId}": _item(True)}
