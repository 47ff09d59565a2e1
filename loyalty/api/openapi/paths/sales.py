"""DRAFT from the reference (pos-apis.md 4.5): sales posted by the POS. Negative quantities
are a refund; idempotent by pos_id; points earned are in the wallet when the call returns.
The bulk body was not captured. Confirm at merge, then set DRAFT = False."""

from __future__ import annotations

from loyalty.api.openapi.components import Schema, json_body, ok, operation, ref

TAG = "Sales"
DESCRIPTION = "Post a sale (or a refund) so the shopper earns points at once."
DRAFT = True

_TEXT = {"type": "string"}

SCHEMAS: dict[str, Schema] = {
    "Visit": {
        "type": "object",
        "required": ["pos_id"],
        "properties": {
            "pos_id": {"type": "string", "description": "The sale's id in the POS."},
            "pos_user": {"type": "string", "description": "The shopper's id in the POS."},
            "pos_type": {"type": "string", "description": "A store nickname."},
            "transaction_date": {"type": "string", "examples": ["2014-04-20 04:03:53 +0000"]},
            "transaction_total": {"type": "number"},
            "location": _TEXT,
            "member": {
                "type": "object",
                "properties": {"mobilePhone": _TEXT, "email": _TEXT},
            },
            "visit_details_attributes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "sku": _TEXT,
                        "price": {"type": "number"},
                        "quantity": {"type": "number", "description": "Negative: a refund."},
                        "category": _TEXT,
                        "brand": _TEXT,
                        "name": _TEXT,
                        "discount": {"type": "number"},
                    },
                },
            },
        },
    },
    "SaleSaved": {
        "type": "object",
        "properties": {
            "pos_id": _TEXT,
            "contactID": {"type": ["integer", "null"]},
            "pointsEarned": {"type": "number"},
            "loyaltyPoints": {"type": ["number", "null"]},
        },
    },
}

_VISIT_EXAMPLE = {
    "pos_id": "S-1001",
    "pos_user": "C-77",
    "transaction_date": "2026-04-20 04:03:53 +0000",
    "transaction_total": 40.0,
    "visit_details_attributes": [{"sku": "PR-1", "price": 40.0, "quantity": 1}],
}


def paths() -> dict[str, dict[str, Schema]]:
    return {
        "/api/v1.1/createUpdateSale/{uid}": {
            "post": operation(
                tag=TAG,
                operation_id="createUpdateSale",
                summary="Post one sale",
                description="Idempotent by pos_id. Points are in the wallet when it returns.",
                parameters=[ref("parameters", "Uid")],
                request_body=json_body(
                    {
                        "type": "object",
                        "required": ["visit"],
                        "properties": {"visit": ref("schemas", "Visit")},
                    },
                    {"visit": _VISIT_EXAMPLE},
                ),
                responses={"200": ok("Saved.", ref("schemas", "SaleSaved"))},
            )
        },
        "/api/v1.1/createUpdateSales/{uid}": {
            "post": operation(
                tag=TAG,
                operation_id="createUpdateSales",
                summary="Post many sales",
                description="Each visit as in createUpdateSale.",
                parameters=[ref("parameters", "Uid")],
                request_body=json_body(
                    {
                        "type": "object",
                        "required": ["visits"],
                        "properties": {
                            "visits": {"type": "array", "items": ref("schemas", "Visit")}
                        },
                    },
                    {"visits": [_VISIT_EXAMPLE]},
                ),
                responses={
                    "200": ok(
                        "One result per visit, in order.",
                        {"type": "array", "items": ref("schemas", "SaleSaved")},
                    )
                },
            )
        },
    }
