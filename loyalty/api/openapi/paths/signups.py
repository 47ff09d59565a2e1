"""Signups from the POS: POST /api/v2/loyalty and the legacy loyaltyContact
(loyalty/api/contact_views.py, loyalty/api/signups.py)."""

from __future__ import annotations

from loyalty.api import assumptions
from loyalty.api.openapi.components import Schema, json_body, ok, operation, ref

TAG = "Signups"
DESCRIPTION = (
    "Enroll or update a loyalty contact from the POS; consent as sent, and a number that "
    "opted out is never opted back in."
)
DRAFT = False


def _text(max_length: int, description: str = "") -> Schema:
    # A POS may send a number where text is meant (a store id as 12 or "12").
    schema: Schema = {"type": ["string", "integer", "null"], "maxLength": max_length}
    if description:
        schema["description"] = description
    return schema


_FLAG = {
    "description": 'true or false (the strings "true" and "false" too); absent: unchanged.',
    "oneOf": [{"type": ["boolean", "null"]}, {"type": "string", "enum": ["true", "false"]}],
}
_ADDRESS_OBJECT = {
    "type": "object",
    "description": "Any of these keys: "
    + "; ".join(" or ".join(names) for names in assumptions.ADDRESS_OBJECT_FIELDS.values()),
    "properties": {
        name: _text(200) for names in assumptions.ADDRESS_OBJECT_FIELDS.values() for name in names
    },
}

SCHEMAS: dict[str, Schema] = {
    "LoyaltyContact": {
        "type": "object",
        "properties": {
            "firstName": _text(100),
            "lastName": _text(100),
            "mobilePhone": _text(40, "Any common format; an invalid one is stored blank."),
            "email": _text(254),
            "address": {"oneOf": [_text(200, "The street line."), _ADDRESS_OBJECT]},
            "favoriteStore": _text(200, "A store's name."),
            "favoriteStoreID": _text(64, "Our store id, or the POS's store key."),
            "storeID": _text(64, "Same as favoriteStoreID."),
            "optIn": {**_FLAG, "description": "SMS opt-in (AIQ's opt-in is SMS)."},
            "smsOptIn": _FLAG,
            "emailOptIn": _FLAG,
            "consentEvidence": _text(300, "What the shopper gave, e.g. a signature."),
        },
    },
    "ContactSaved": {
        "type": "object",
        "required": [
            "contactID",
            "created",
            "membership",
            "smsOptIn",
            "emailOptIn",
            "consent",
            "warnings",
        ],
        "properties": {
            "contactID": {"type": "integer"},
            "created": {"type": "boolean"},
            "firstName": {"type": "string"},
            "lastName": {"type": "string"},
            "mobilePhone": {"type": "string", "description": "E.164, or empty."},
            "email": {"type": "string"},
            "favoriteStoreID": {"type": ["integer", "null"]},
            "membership": {
                "type": "object",
                "required": ["loyalty", "enrolledAt", "enrolledBy", "newlyEnrolled"],
                "properties": {
                    "loyalty": {"type": "boolean"},
                    "enrolledAt": {"type": ["string", "null"], "format": "date-time"},
                    "enrolledBy": {"type": "string"},
                    "newlyEnrolled": {"type": "boolean"},
                },
            },
            "smsOptIn": {"type": "boolean"},
            "emailOptIn": {"type": "boolean"},
            "consent": {
                "type": "object",
                "required": ["sms", "email"],
                "properties": {
                    "sms": ref("schemas", "ConsentStatus"),
                    "email": ref("schemas", "ConsentStatus"),
                },
            },
            "warnings": {
                "type": "array",
                "description": "What was not done (an invalid phone stored blank, an "
                "opted-out number not re-opted); the rest of the signup still happened.",
                "items": {
                    "type": "object",
                    "required": ["field", "code", "message"],
                    "properties": {
                        "field": {"type": "string"},
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                    },
                },
            },
        },
    },
    "ConsentStatus": {"type": "string", "enum": ["unknown", "pending", "opted_in", "opted_out"]},
}

_EXAMPLE = {
    "firstName": "Jo",
    "lastName": "Doe",
    "mobilePhone": "2065550134",
    "email": "jo@example.com",
    "smsOptIn": True,
    "consentEvidence": "Customer Consent + signature",
}


def _signup(operation_id: str, summary: str, description: str, parameters: list[Schema]):
    return operation(
        tag=TAG,
        operation_id=operation_id,
        summary=summary,
        description="Creates the contact or updates the one with this phone (then email), "
        "filling blanks, never overwriting, and enrolls it. A valid phone or an email is "
        "required. " + description,
        parameters=parameters,
        request_body=json_body(ref("schemas", "LoyaltyContact"), _EXAMPLE),
        responses={"200": ok("Saved.", ref("schemas", "ContactSaved"))},
    )


def paths() -> dict[str, dict[str, Schema]]:
    return {
        "/api/v2/loyalty": {
            "post": _signup(
                "loyaltySignup",
                "Sign a shopper up",
                "Without an opt-in flag, consent stays as it is.",
                [],
            )
        },
        "/api/v1.1/loyaltyContact/{uid}": {
            "post": _signup(
                "loyaltyContact",
                "Sign a shopper up (legacy)",
                "Without an opt-in flag, a phone with no consent yet becomes pending (a "
                "confirmation is requested).",
                [ref("parameters", "Uid")],
            )
        },
    }
