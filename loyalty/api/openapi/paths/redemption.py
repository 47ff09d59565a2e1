"""DRAFT from the reference (pos-apis.md 4.3, 6.4 and issue 11 item 4): the redemption URL
a wallet hands out. PUT redeems (after checkout, with the POS transaction id appended);
POST holds the points while the discount sits in a cart; DELETE releases the hold.
Confirm the bodies against loyalty/api's redemption views at merge, then set DRAFT = False."""

from __future__ import annotations

from loyalty.api.openapi.components import Schema, ok, operation, path_parameter, ref

TAG = "Redemption"
DESCRIPTION = "Redeem, hold or release a wallet discount through its redemptionURL."
DRAFT = True

SCHEMAS: dict[str, Schema] = {
    "Redemption": {
        "type": "object",
        "properties": {
            "discountID": {"type": "integer"},
            "contactID": {"type": "integer"},
            "transactionId": {"type": ["string", "null"]},
            "pointsDeduction": {"type": "number"},
            "loyaltyPoints": {"type": "number", "description": "The balance afterwards."},
            "status": {"type": "string", "examples": ["redeemed", "held", "released"]},
        },
    }
}

_CONFLICT = {
    "description": "Not enough points, or the order already carries an AIQ discount.",
    "content": {"application/json": {"schema": ref("schemas", "Error")}},
}
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Instead of a transaction id: the same key never debits twice, and a "
    "retry gets the first answer.",
    "schema": {"type": "string"},
}


def _parameters(with_transaction: bool) -> list[Schema]:
    parameters = [
        ref("parameters", "Uid"),
        path_parameter("id", "The discount's id (discountTemplates[].id).", "7"),
        path_parameter("token", "The signed token from the wallet's redemptionURL.", "TOKEN"),
    ]
    if with_transaction:
        parameters.append(
            path_parameter("transactionId", "The POS transaction id (in-store).", "T-1001")
        )
    return [*parameters, _IDEMPOTENCY_KEY]


def _redeem(with_transaction: bool) -> Schema:
    suffix = "WithTransaction" if with_transaction else ""
    return operation(
        tag=TAG,
        operation_id=f"redeem{suffix}",
        summary="Redeem a discount (after checkout)",
        description="Debits the points under a row lock. The same transaction id never debits "
        "twice: a retry gets the first answer. Commits a hold, if one was made.",
        parameters=_parameters(with_transaction),
        responses={"200": ok("Redeemed.", ref("schemas", "Redemption")), "409": _CONFLICT},
    )


def _hold(with_transaction: bool) -> Schema:
    suffix = "WithTransaction" if with_transaction else ""
    return operation(
        tag=TAG,
        operation_id=f"hold{suffix}",
        summary="Hold a discount's points while it sits in a cart",
        description="Reserves the points (shown as on hold in the wallet) until a PUT commits "
        "them, a DELETE releases them, or the hold expires.",
        parameters=_parameters(with_transaction),
        responses={"200": ok("Held.", ref("schemas", "Redemption")), "409": _CONFLICT},
    )


def _release(with_transaction: bool) -> Schema:
    suffix = "WithTransaction" if with_transaction else ""
    return operation(
        tag=TAG,
        operation_id=f"release{suffix}",
        summary="Release a hold",
        description="The points come back to the balance.",
        parameters=_parameters(with_transaction),
        responses={"200": ok("Released.", ref("schemas", "Redemption"))},
    )


def paths() -> dict[str, dict[str, Schema]]:
    base = "/api/v1.1/discount/redeem/{uid}/{id}/{token}"
    return {
        base: {"put": _redeem(False), "post": _hold(False), "delete": _release(False)},
        base + "/{transactionId}": {
            "put": _redeem(True),
            "post": _hold(True),
            "delete": _release(True),
        },
    }
