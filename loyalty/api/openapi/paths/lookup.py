"""The light "is this a member or opted in" check (loyalty/api/views.py loyalty_lookup)."""

from __future__ import annotations

from loyalty.api.openapi.components import Schema, ok_or_not_found, operation, path_parameter, ref

TAG = "Lookup"
DESCRIPTION = "Whether a phone or email belongs to a loyalty member, and its opt-ins."
DRAFT = False

SCHEMAS: dict[str, Schema] = {
    "LoyaltyLookup": {
        "type": "object",
        "required": ["contactID", "loyalty", "smsOptIn", "emailOptIn"],
        "properties": {
            "contactID": {"type": "integer"},
            "loyalty": {"type": "boolean", "description": "Enrolled in the loyalty program."},
            "smsOptIn": {"type": "boolean"},
            "emailOptIn": {"type": "boolean"},
        },
    }
}


def paths() -> dict[str, dict[str, Schema]]:
    return {
        "/api/v2/loyalty/lookup/{pii}": {
            "get": operation(
                tag=TAG,
                operation_id="loyaltyLookup",
                summary="Look a shopper up by phone or email",
                description="A value with an @ is an email; anything else that looks like a "
                "phone is a phone; neither gets the not-found shape.",
                parameters=[path_parameter("pii", "A phone or an email.", "jo@example.com")],
                responses={
                    "200": ok_or_not_found(
                        "The shopper's flags, or AIQ's not-found shape.",
                        ref("schemas", "LoyaltyLookup"),
                        {"contactID": 42, "loyalty": True, "smsOptIn": True, "emailOptIn": False},
                    )
                },
            )
        }
    }
