"""The signed token in each wallet discount's redemptionURL.

The token names the shopper, signed over (persona, discount), so the redemption endpoint
(``loyalty/api/redemption/``) knows whose points to take without another look-up key.
It is Django's ``signing.dumps([persona_id, discount_id], salt=SALT)``, and is read back
with ``signing.loads`` (which also accepts ``SECRET_KEY_FALLBACKS``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time

from django.conf import settings
from django.core import signing
from django.utils.encoding import force_bytes

SALT = "loyalty.api.redeem"


def redemption_token(persona_id: int, discount_id: int) -> str:
    """Character for character what ``signing.dumps([persona_id, discount_id],
    salt=SALT)`` returns in the same second (a test holds them equal), without its
    per-call set-up: a wallet read signs every discount it lists, and Django's general
    path (a signer object, a JSON encoder, the HMAC key derived again) cost about 8 % of
    a three-discount wallet read's instructions; this one costs less than half of that
    (callgrind: 118,000 instructions per token before, 55,000 after)."""
    payload = signing.b64_encode(f"[{int(persona_id)},{int(discount_id)}]".encode()).decode()
    value = f"{payload}:{signing.b62_encode(int(time.time()))}"
    digest = hmac.digest(_signing_key(settings.SECRET_KEY), value.encode(), "sha256")
    return f"{value}:{signing.b64_encode(digest).decode()}"


@functools.lru_cache(maxsize=4)
def _signing_key(secret: str | bytes) -> bytes:
    """The HMAC key ``Signer(salt=SALT)`` signs with (``salted_hmac``: sha256 of the key
    salt and the secret), derived once per secret instead of on every signature."""
    return hashlib.sha256(force_bytes(SALT + "signer") + force_bytes(secret)).digest()


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
