"""The wallet a POS reads at checkout (loyalty/api/views.py, loyalty/api/wallet.py)."""

from __future__ import annotations

from loyalty.api.openapi.components import (
    Schema,
    json_body,
    ok_or_not_found,
    operation,
    path_parameter,
    ref,
)

TAG = "Wallet"
DESCRIPTION = "Points and the discounts the shopper can redeem now, each with its redemption URL."
DRAFT = False

SCHEMAS: dict[str, Schema] = {
    "Wallet": {
        "type": "object",
        "required": ["loyaltyPoints", "hidePointsInWallet", "audiences", "discountTemplates"],
        "properties": {
            "loyaltyPoints": {
                "type": "number",
                "description": "The balance: whole points as an integer. Always 0 when "
                "hidePointsInWallet is true (where compliance forbids showing points).",
            },
            "hidePointsInWallet": {"type": "boolean"},
            "audiences": {
                "type": "array",
                "description": "The audiences (Marketing > Audiences) the shopper is in now, "
                "in name order; computed when read, so a sync that changes what the shopper "
                "bought changes it at once.",
                "items": ref("schemas", "WalletAudience"),
            },
            "discountTemplates": {
                "type": "array",
                "description": "Only the discounts this shopper can redeem now (and, for a key "
                "scoped to a store, at that store).",
                "items": ref("schemas", "DiscountTemplate"),
            },
        },
    },
    "WalletAudience": {
        "type": "object",
        "required": ["id", "name", "avatar"],
        "properties": {
            "id": {"type": "integer", "description": "Our audience id (beyond AIQ's shape)."},
            "name": {"type": "string"},
            "avatar": {"type": "string", "description": 'Always "": audiences have no image.'},
        },
    },
    "DiscountTemplate": {
        "type": "object",
        "required": [
            "id",
            "posDiscountID",
            "avatar",
            "name",
            "pageTitle",
            "inStoreRedemption",
            "pointsDeduction",
            "redemptionURL",
        ],
        "properties": {
            "id": {"type": "integer"},
            "posDiscountID": {"type": "string", "description": "The POS's own discount id."},
            "avatar": {"type": "string"},
            "name": {"type": "string"},
            "pageTitle": {"type": "string", "description": 'The value, e.g. "$40 off".'},
            "inStoreRedemption": {"type": "boolean"},
            "pointsDeduction": {"type": "number", "description": "Points the redemption costs."},
            "redemptionURL": {
                "type": "string",
                "description": "Absolute. PUT it after checkout, with the POS transaction id "
                "appended as one more path segment.",
            },
        },
    },
}

_EXAMPLE = {
    "loyaltyPoints": 450,
    "hidePointsInWallet": False,
    "audiences": [{"id": 3, "name": "Delivery shoppers", "avatar": ""}],
    "discountTemplates": [
        {
            "id": 7,
            "posDiscountID": "COVA-77",
            "avatar": "",
            "name": "$40 off",
            "pageTitle": "$40 off",
            "inStoreRedemption": True,
            "pointsDeduction": 400,
            "redemptionURL": "https://hub.example.com/api/v1.1/discount/redeem/1234/7/TOKEN",
        }
    ],
}


def paths() -> dict[str, dict[str, Schema]]:
    wallet = ok_or_not_found(
        "The wallet, or AIQ's not-found shape when no shopper has this phone or email.",
        ref("schemas", "Wallet"),
        _EXAMPLE,
    )
    return {
        "/api/v2/wallet": {
            "post": operation(
                tag=TAG,
                operation_id="walletByBody",
                summary="Read a shopper's wallet by phone or email",
                description="The phone is matched in any common format (normalised to E.164 "
                "with the account's region); the email when no phone matches.",
                request_body=json_body(
                    {
                        "type": "object",
                        "properties": {
                            "phone": {"type": ["string", "null"]},
                            "email": {"type": ["string", "null"]},
                        },
                    },
                    {"phone": "2065550134", "email": "jo@example.com"},
                ),
                responses={"200": wallet},
            )
        },
        "/api/v2/wallet/{phone}": {
            "get": operation(
                tag=TAG,
                operation_id="walletByPhone",
                summary="Read a shopper's wallet by phone",
                description="Same answer as POST /api/v2/wallet with this phone.",
                parameters=[path_parameter("phone", "The shopper's phone.", "2065550134")],
                responses={"200": wallet},
            )
        },
    }
