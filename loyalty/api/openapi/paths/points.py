"""Point adjustments (loyalty/api/contact_views.py, loyalty/api/adjustments.py)."""

from __future__ import annotations

from loyalty.api import assumptions
from loyalty.api.openapi.components import (
    Schema,
    json_body,
    json_content,
    ok,
    ok_or_not_found,
    operation,
    path_parameter,
    ref,
)

TAG = "Points"
DESCRIPTION = "Adjust a contact's points (an entry in the ledger, with its note) and list them."
DRAFT = False

_ENTRY_FIELDS: dict[str, Schema] = {
    "id": {"type": "integer"},
    "contactID": {"type": ["integer", "null"]},
    "value": {"type": "number", "description": "Points added (negative: removed)."},
    "note": {"type": "string"},
    "apiKey": {"type": "string", "description": "The API key's name, when one made it."},
    "staff": {"type": "string", "description": "The staff member, when one made it."},
    "time": {"type": "integer", "description": "Unix seconds."},
}

SCHEMAS: dict[str, Schema] = {
    "PointsAdjustment": {
        "type": "object",
        "required": ["value"],
        "properties": {
            "value": {
                "description": "Points to add (negative to remove); not zero, at most 2 "
                "decimal places.",
                "oneOf": [
                    {
                        "type": "number",
                        "exclusiveMinimum": -assumptions.ADJUST_MAX_POINTS,
                        "exclusiveMaximum": assumptions.ADJUST_MAX_POINTS,
                    },
                    {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,2})?$"},
                ],
            },
            "note": {"type": ["string", "null"], "maxLength": 300},
        },
    },
    "Adjustment": {
        "type": "object",
        "required": list(_ENTRY_FIELDS),
        "properties": _ENTRY_FIELDS,
    },
    "AdjustmentDone": {
        "type": "object",
        "required": [*_ENTRY_FIELDS, "loyaltyPoints"],
        "properties": {
            **_ENTRY_FIELDS,
            "loyaltyPoints": {"type": "number", "description": "The balance afterwards."},
        },
    },
}


def _refusal(description: str, code: str, message: str) -> Schema:
    example = {"success": False, "message": message, "code": code}
    return {"description": description, "content": json_content(ref("schemas", "Error"), example)}


def _unix(name: str, example: str) -> Schema:
    return path_parameter(name, "Unix seconds.", example, pattern="^[0-9]{1,11}$")


def paths() -> dict[str, dict[str, Schema]]:
    return {
        "/api/v1.1/adjust/loyaltyPoints/{uid}/{contactId}": {
            "put": operation(
                tag=TAG,
                operation_id="adjustLoyaltyPoints",
                summary="Adjust a contact's points",
                description="One adjust entry attributed to the key. The balance never goes "
                "below 0. With an Idempotency-Key header a retry answers as the first call.",
                parameters=[
                    ref("parameters", "Uid"),
                    path_parameter("contactId", "The contact's id.", "42"),
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {
                            "type": "string",
                            "maxLength": assumptions.IDEMPOTENCY_KEY_MAX_LENGTH,
                        },
                    },
                ],
                request_body=json_body(
                    ref("schemas", "PointsAdjustment"), {"value": 50, "note": "Birthday"}
                ),
                responses={
                    "200": ok_or_not_found(
                        "The entry and the new balance, or AIQ's not-found shape.",
                        ref("schemas", "AdjustmentDone"),
                    ),
                    str(assumptions.INSUFFICIENT_POINTS_STATUS): _refusal(
                        "A removal larger than the balance; nothing was changed.",
                        assumptions.INSUFFICIENT_POINTS_CODE,
                        "Not enough points: the balance is 20.00, 50.00 were asked to be "
                        "removed. Nothing was changed.",
                    ),
                    "422": _refusal(
                        "This Idempotency-Key was used for another contact or value.",
                        "idempotency_key_reused",
                        "The idempotency key was already used for another request.",
                    ),
                },
            )
        },
        "/api/v1.1/adjustments/{uid}/{startUnix}/{endUnix}": {
            "get": operation(
                tag=TAG,
                operation_id="listAdjustments",
                summary="List point adjustments in a time range",
                description="Oldest first, start included, end excluded; at most "
                f"{assumptions.ADJUSTMENTS_LIMIT}.",
                parameters=[
                    ref("parameters", "Uid"),
                    _unix("startUnix", "1767225600"),
                    _unix("endUnix", "1798761600"),
                ],
                responses={
                    "200": ok(
                        "The adjustments.",
                        {"type": "array", "items": ref("schemas", "Adjustment")},
                    )
                },
            )
        },
    }
