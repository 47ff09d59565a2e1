"""The signed token in each wallet discount's redemptionURL.

The token names the shopper, signed over (persona, discount), so the redemption endpoint
(``loyalty/api/redemption/``) knows whose points to take without another look-up key.
"""

from __future__ import annotations

from django.core import signing

SALT = "loyalty.api.redeem"


def redemption_token(persona_id: int, discount_id: int) -> str:
    return signing.dumps([persona_id, discount_id], salt=SALT, compress=False)


def read_redemption_token(token: str, discount_id: int) -> int | None:
    """The persona the token was issued to, if it is genuine and for this discount."""
    try:
        persona_id, signed_discount_id = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if signed_discount_id != discount_id:
        return None
    return int(persona_id)


def redemption_path(uid: str, discount_id: int, token: str) -> str:
    return f"/api/v1.1/discount/redeem/{uid}/{discount_id}/{token}"
