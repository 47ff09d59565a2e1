"""DRAFT from the reference (pos-apis.md 4.2): list and read contacts ("piis").
Confirm the result fields at merge, then set DRAFT = False."""

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
DRAFT = True

_TEXT = {"type": "string"}
_MAYBE_TEXT = {"type": ["string", "null"]}
_MAYBE_EPOCH = {"type": ["integer", "null"], "description": "Unix seconds."}

SORTS = ["name", "email", "mobilePhone", "homePhone", "source", "id", "inserted", "signup"]
SORTS += ["points", "usedpoints"]

SCHEMAS: dict[str, Schema] = {
    "Contact": {
        "type": "object",
        "properties": {
            "contactID": {"type": "integer"},
            "srcID": _MAYBE_TEXT,
            "firstName": _TEXT,
            "lastName": _TEXT,
            "mobilePhone": _TEXT,
            "homePhone": _TEXT,
            "platform": _TEXT,
            "favoriteStoreID": {"type": ["integer", "string", "null"]},
            "inserted": _MAYBE_EPOCH,
            "optinTime": _MAYBE_EPOCH,
            "optoutTime": _MAYBE_EPOCH,
            "optreqTime": _MAYBE_EPOCH,
            "hasRequested": {"type": "boolean"},
        },
    },
    "ContactDetail": {
        "allOf": [
            ref("schemas", "Contact"),
            {
                "type": "object",
                "properties": {
                    "loyaltyPoints": {"type": "number"},
                    "orderAmountSpent": {"type": "number"},
                    "referCode": _TEXT,
                },
            },
        ]
    },
    "ContactPage": {
        "type": "object",
        "required": ["results", "start", "total", "limit", "size"],
        "properties": {
            "results": {"type": "array", "items": ref("schemas", "Contact")},
            "start": {"type": "integer"},
            "total": {"type": "integer"},
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
        _query("start", "Offset.", {"type": "integer", "minimum": 0, "default": 0}),
        _query("limit", "Page size.", {"type": "integer", "minimum": 100, "maximum": 2000}),
        _query("sort", "Sort field.", {"type": "string", "enum": SORTS}),
        _query("dir", "Sort direction.", {"type": "string", "enum": ["asc", "desc"]}),
        _query(
            "search",
            "A phone, email, name, contact id or source id, or terms such as has:phone, "
            "has:email, is:member, not:member, has:points.",
            {"type": "string"},
        ),
    ]
    return {
        "/api/v1.1/piis/{uid}": {
            "get": operation(
                tag=TAG,
                operation_id="listContacts",
                summary="Search contacts",
                description="Paged; limit 100 to 2000 (default 100).",
                parameters=[ref("parameters", "Uid"), *query],
                responses={"200": ok("A page of contacts.", ref("schemas", "ContactPage"))},
            )
        },
        "/api/v1.1/piis/{uid}/{contactID}": {
            "get": operation(
                tag=TAG,
                operation_id="readContact",
                summary="Read one contact",
                description="With its points, spend and referral code.",
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
