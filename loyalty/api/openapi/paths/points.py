"""DRAFT from the reference (pos-apis.md 4.5): adjust a contact's points by hand.
Confirm the body and answer at merge, then set DRAFT = False."""

from __future__ import annotations

from loyalty.api.openapi.components import (
    Schema,
    json_body,
    ok,
    operation,
    path_parameter,
    ref,
)

TAG = "Points"
DESCRIPTION = "Adjust a contact's points; the ledger keeps the note."
DRAFT = True

SCHEMAS: dict[str, Schema] = {
    "PointsAdjustment": {
        "type": "object",
        "required": ["value"],
        "properties": {
            "value": {"type": "number", "description": "Points to add (negative to take)."},
            "note": {"type": "string"},
        },
    },
    "PointsBalance": {
        "type": "object",
        "properties": {"contactID": {"type": "integer"}, "loyaltyPoints": {"type": "number"}},
    },
}


def paths() -> dict[str, dict[str, Schema]]:
    return {
        "/api/v1.1/adjust/loyaltyPoints/{uid}/{contactId}": {
            "put": operation(
                tag=TAG,
                operation_id="adjustLoyaltyPoints",
                summary="Adjust a contact's points",
                description="An adjustment entry in the ledger; the balance never goes below 0.",
                parameters=[
                    ref("parameters", "Uid"),
                    path_parameter("contactId", "The contact's id.", "42"),
                ],
                request_body=json_body(
                    ref("schemas", "PointsAdjustment"), {"value": 50, "note": "Birthday"}
                ),
                responses={"200": ok("The new balance.", ref("schemas", "PointsBalance"))},
            )
        }
    }
