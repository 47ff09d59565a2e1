"""The account's stores (loyalty/api/views.py stores)."""

from __future__ import annotations

from loyalty.api.openapi.components import Schema, ok, operation, ref

TAG = "Stores"
DESCRIPTION = "The account's retail stores."
DRAFT = False

_TEXT = {"type": "string"}

SCHEMAS: dict[str, Schema] = {
    "Store": {
        "type": "object",
        "required": [
            "id",
            "name",
            "address",
            "city",
            "state",
            "zip",
            "country",
            "phone",
            "timeZone",
        ],
        "properties": {
            "id": {"type": "integer"},
            "name": _TEXT,
            "address": _TEXT,
            "city": _TEXT,
            "state": _TEXT,
            "zip": _TEXT,
            "country": {"type": "string", "description": "ISO 3166 alpha-2."},
            "phone": {"type": "string", "description": "E.164, or empty."},
            "timeZone": {"type": "string", "description": "An IANA name."},
        },
    }
}


def paths() -> dict[str, dict[str, Schema]]:
    return {
        "/api/v1.1/stores/{uid}": {
            "get": operation(
                tag=TAG,
                operation_id="stores",
                summary="List the account's stores",
                description="By name. Every store of the account, whatever the key's scope.",
                parameters=[ref("parameters", "Uid")],
                responses={
                    "200": ok(
                        "The stores.",
                        {"type": "array", "items": ref("schemas", "Store")},
                        [
                            {
                                "id": 3,
                                "name": "Capitol Hill",
                                "address": "1 Pine St",
                                "city": "Seattle",
                                "state": "WA",
                                "zip": "98101",
                                "country": "US",
                                "phone": "+12065550100",
                                "timeZone": "America/Los_Angeles",
                            }
                        ],
                    )
                },
            )
        }
    }
