"""Sales posted by the POS: createUpdateSale and createUpdateSales (loyalty/api/sales_views.py,
loyalty/api/sales/). Negative quantities are a refund; a re-post with the same pos_id
updates the sale; points earned are in the answer (and the wallet) when the call returns."""

from __future__ import annotations

from loyalty.api import assumptions
from loyalty.api.openapi.components import Schema, json_body, ok, operation, ref

TAG = "Sales"
DESCRIPTION = "Post a sale (or a refund) so the shopper earns points at once."
DRAFT = False

_MONEY = {
    "description": "A number or numeric string (read as a decimal, never a float).",
    "type": ["number", "string"],
}


def _text(max_length: int, description: str = "") -> Schema:
    schema: Schema = {"type": ["string", "integer", "null"], "maxLength": max_length}
    if description:
        schema["description"] = description
    return schema


_POINTS = {
    "type": ["integer", "string"],
    "description": "Whole points as an integer, fractions as a string; 0 where the program "
    "hides points.",
}
_STATUSES = ["created", "updated", "unchanged", "refused"]

SCHEMAS: dict[str, Schema] = {
    "Visit": {
        "type": "object",
        "required": ["pos_id", "transaction_date"],
        "properties": {
            "pos_id": _text(128, "The sale's id in the POS: a re-post updates the sale."),
            "pos_user": _text(128, "The shopper's id in the POS."),
            "pos_type": _text(128, "A store nickname (a Store Mappings key or store name)."),
            "location": _text(128, "The store: a Store Mappings key or a store name."),
            "transaction_date": {
                "type": "string",
                "description": '"YYYY-MM-DD HH:MM:SS +0000" or ISO 8601; UTC without offset.',
                "examples": ["2026-04-20 04:03:53 +0000"],
            },
            "transaction_total": {**_MONEY, "description": "Missing: the lines' totals."},
            "member": {
                "type": ["object", "null"],
                "description": "The shopper, matched by phone then email, or created.",
                "properties": {
                    "firstName": _text(100),
                    "lastName": _text(100),
                    "mobilePhone": _text(40),
                    "email": _text(254),
                },
            },
            "visit_details_attributes": {
                "type": ["array", "null"],
                "items": {
                    "type": "object",
                    "required": ["price", "quantity"],
                    "properties": {
                        "sku": _text(128),
                        "name": _text(255),
                        "category": _text(128),
                        "brand": _text(128, 'The product\'s brand ("Bought brand" audiences).'),
                        "price": {**_MONEY, "description": "The unit price."},
                        "quantity": {**_MONEY, "description": "Negative: a returned line."},
                        "discount": {**_MONEY, "description": "The line's discount in money."},
                    },
                },
            },
        },
    },
    "SaleSaved": {
        "type": "object",
        "required": [
            "index",
            "pos_id",
            "status",
            "saleID",
            "contactID",
            "storeID",
            "refund",
            "total",
            "pointsEarned",
            "loyaltyPoints",
        ],
        "properties": {
            "index": {"type": "integer"},
            "pos_id": {"type": "string"},
            "status": {"type": "string", "enum": _STATUSES[:3]},
            "saleID": {"type": "integer"},
            "contactID": {"type": ["integer", "null"], "description": "null: anonymous."},
            "storeID": {"type": ["integer", "null"], "description": "null: store unknown."},
            "refund": {"type": "boolean"},
            "total": {"type": "string", "description": "Money, as a decimal string."},
            "pointsEarned": _POINTS,
            "loyaltyPoints": {**_POINTS, "type": ["integer", "string", "null"]},
        },
    },
    "SaleRefused": {
        "type": "object",
        "required": ["index", "pos_id", "status", "field", "message"],
        "properties": {
            "index": {"type": "integer"},
            "pos_id": {"type": "string", "description": '"" when unreadable.'},
            "status": {"const": "refused"},
            "field": {"type": "string"},
            "message": {"type": "string"},
        },
    },
}

_VISIT_EXAMPLE = {
    "pos_id": "S-1001",
    "pos_user": "C-77",
    "transaction_date": "2026-04-20 04:03:53 +0000",
    "transaction_total": 40.0,
    "member": {"firstName": "Jo", "mobilePhone": "2065550134"},
    "visit_details_attributes": [{"sku": "PR-1", "name": "Gummies", "price": 40, "quantity": 1}],
}


def paths() -> dict[str, dict[str, Schema]]:
    visit = ref("schemas", "Visit")
    return {
        "/api/v1.1/createUpdateSale/{uid}": {
            "post": operation(
                tag=TAG,
                operation_id="createUpdateSale",
                summary="Post one sale",
                description="Idempotent by pos_id. Body up to "
                f"{assumptions.SALE_MAX_BODY_BYTES // 1024} KB.",
                parameters=[ref("parameters", "Uid")],
                request_body=json_body(
                    {"type": "object", "required": ["visit"], "properties": {"visit": visit}},
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
                description=f"Up to {assumptions.MAX_VISITS_PER_CALL} visits (more: 413 "
                'too_many_visits), as {"visits": [...]} or a bare list, each a visit or '
                '{"visit": {...}}. A visit that cannot be read is refused with its index, '
                "field and reason while the rest lands.",
                parameters=[ref("parameters", "Uid")],
                request_body=json_body(
                    {
                        "oneOf": [
                            {
                                "type": "object",
                                "required": ["visits"],
                                "properties": {"visits": {"type": "array", "items": visit}},
                            },
                            {"type": "array", "items": visit},
                        ]
                    },
                    {"visits": [_VISIT_EXAMPLE]},
                ),
                responses={
                    "200": ok(
                        "One result per visit, in order, and the counts.",
                        {
                            "type": "object",
                            "required": ["results", *_STATUSES],
                            "properties": {
                                "results": {
                                    "type": "array",
                                    "items": {
                                        "oneOf": [
                                            ref("schemas", "SaleSaved"),
                                            ref("schemas", "SaleRefused"),
                                        ]
                                    },
                                },
                                **{status: {"type": "integer"} for status in _STATUSES},
                            },
                        },
                    )
                },
            )
        },
    }
