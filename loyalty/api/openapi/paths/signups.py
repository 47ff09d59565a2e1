"""DRAFT from the reference (pos-apis.md 4.4): signup or update of a loyalty contact.
AIQ's full POST /api/v2/loyalty body was never captured; the legacy loyaltyContact body was.
Confirm against the signup views at merge, then set DRAFT = False."""

from __future__ import annotations

from loyalty.api.openapi.components import Schema, json_body, ok, operation, ref

TAG = "Signups"
DESCRIPTION = (
    "Enroll or update a loyalty contact from the POS; consent as sent, and a number that "
    "opted out is never opted back in."
)
DRAFT = True

_TEXT = {"type": "string"}

SCHEMAS: dict[str, Schema] = {
    "LoyaltyContact": {
        "type": "object",
        "properties": {
            "firstName": _TEXT,
            "lastName": _TEXT,
            "mobilePhone": _TEXT,
            "email": _TEXT,
            "address": _TEXT,
            "favoriteStore": _TEXT,
            "favoriteStoreID": {"type": ["string", "integer"]},
            "smsOptIn": {"type": "boolean"},
            "emailOptIn": {"type": "boolean"},
        },
    },
    "ContactSaved": {
        "type": "object",
        "properties": {
            "contactID": {"type": "integer"},
            "created": {"type": "boolean"},
            "loyalty": {"type": "boolean"},
        },
    },
}

_EXAMPLE = {
    "firstName": "Jo",
    "lastName": "Doe",
    "mobilePhone": "2065550134",
    "email": "jo@example.com",
    "smsOptIn": True,
}


def _signup(operation_id: str, summary: str, parameters: list[Schema]) -> Schema:
    return operation(
        tag=TAG,
        operation_id=operation_id,
        summary=summary,
        description="Creates the contact or updates the one with this phone or email, and "
        "enrolls it. An invalid phone is stored blank.",
        parameters=parameters,
        request_body=json_body(ref("schemas", "LoyaltyContact"), _EXAMPLE),
        responses={"200": ok("Saved.", ref("schemas", "ContactSaved"))},
    )


def paths() -> dict[str, dict[str, Schema]]:
    return {
        "/api/v2/loyalty": {"post": _signup("loyaltySignup", "Sign a shopper up", [])},
        "/api/v1.1/loyaltyContact/{uid}": {
            "post": _signup(
                "loyaltyContact", "Sign a shopper up (legacy)", [ref("parameters", "Uid")]
            )
        },
    }
