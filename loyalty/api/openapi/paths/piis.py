"""List and read contacts ("piis", pos-apis.md 4.2): loyalty/api/piis*.py."""

from __future__ import annotations

from loyalty.api.openapi.components import (
    Schema,
    ok,
    ok_or_not_found,
    operation,
    path_parameter,
    ref,
)

TAG = "Contacts"
DESCRIPTION = "Search and read the account's contacts (blocklisted ones are left out)."
DRAFT = False

_TEXT = {"type": "string"}
_EPOCH = {"type": "integer", "description": "Unix seconds; 0 when unknown."}

SORTS = ["name", "email", "mobilePhone", "homePhone", "source", "id", "inserted", "signup"]
SORTS += ["points", "usedpoints"]
MAX_START = 2**31 - 1

_CONTACT_FIELDS: dict[str, Schema] = {
    "contactID": {"type": "integer"},
    "srcID": {"type": "string", "description": 'The first source\'s own id; "" when none.'},
    "firstName": _TEXT,
    "lastName": _TEXT,
    "mobilePhone": {"type": "string", "description": "E.164, or as typed when invalid."},
    "homePhone": _TEXT,
    "platform": {"type": "string", "description": "The first source: cova, posabit, ..."},
    "favoriteStoreID": {"type": ["integer", "null"]},
    "inserted": _EPOCH,
    "optinTime": _EPOCH,
    "optoutTime": _EPOCH,
    "optreqTime": _EPOCH,
    "hasRequested": {"type": "boolean", "description": "An SMS double opt-in is pending."},
}
_DETAIL_FIELDS: dict[str, Schema] = {
    "loyaltyPoints": {"type": "number", "description": "0 when the program hides points."},
    "orderAmountSpent": {"type": "number", "description": "Sales minus refunds, in dollars."},
    "referCode": _TEXT,
}

SCHEMAS: dict[str, Schema] = {
    "Contact": {
        "type": "object",
        "required": list(_CONTACT_FIELDS),
        "properties": _CONTACT_FIELDS,
    },
    "ContactDetail": {
        "type": "object",
        "required": [*_CONTACT_FIELDS, *_DETAIL_FIELDS],
        "properties": {**_CONTACT_FIELDS, **_DETAIL_FIELDS},
    },
    "ContactPage": {
        "type": "object",
        "required": ["results", "start", "total", "limit", "size"],
        "properties": {
            "results": {"type": "array", "items": ref("schemas", "Contact")},
            "start": {"type": "integer"},
            "total": {"type": "integer", "description": "Exact, or an estimate past 10,000."},
            "limit": {"type": "integer"},
            "size": {"type": "integer"},
        },
    },
}


def _query(name: str, description: str, schema: Schema) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def paths() -> dict[str, dict[str, Schema]]:
    query = [
        _query(
            "start",
            "Offset.",
            {"type": "integer", "minimum": 0, "maximum": MAX_START, "default": 0},
        ),
        _query(
            "limit",
            "Page size, clamped into 100 to 2000 (AIQ's own clients send limit=1).",
            {"type": "integer", "minimum": 0, "default": 100},
        ),
        _query("sort", "Sort field (default id).", {"type": "string", "enum": SORTS}),
        _query("dir", "Sort direction.", {"type": "string", "enum": ["asc", "desc"]}),
        _query(
            "search",
            "A phone, email, name, contact id or source id, email:<address>, and terms such "
            "as has:phone, has:email, is:member, not:member, has:points.",
            {"type": "string"},
        ),
    ]
    return {
        "/api/v1.1/piis/{uid}": {
            "get": operation(
                tag=TAG,
                operation_id="listContacts",
                summary="Search contacts",
                description="Paged, by contact id unless sorted; blocklisted contacts are "
                "left out.",
                parameters=[ref("parameters", "Uid"), *query],
                responses={"200": ok("A page of contacts.", ref("schemas", "ContactPage"))},
            )
        },
        "/api/v1.1/piis/{uid}/{contactID}": {
            "get": operation(
                tag=TAG,
                operation_id="readContact",
                summary="Read one contact",
                description="With its points, spend and referral code; AIQ's not-found "
                "shape for an unknown, blocklisted or another account's contact.",
                parameters=[
                    ref("parameters", "Uid"),
                    path_parameter("contactID", "The contact's id.", "42"),
                ],
                responses={
                    "200": ok_or_not_found(
                        "The contact, or AIQ's not-found shape.", ref("schemas", "ContactDetail")
                    )
                },
            )
        },
    }
