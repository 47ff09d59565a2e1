"""Every inference this API makes about AIQ's public API, in one place.

shared/reference/pos-apis.md section 4 marks what was seen in AIQ's docs and client code;
what it does not pin down is decided here, so a better capture changes one module.
"""

from __future__ import annotations

from typing import Any

# AIQ documents no rate limit and sends no rate-limit headers. Ours: per key, per minute.
RATE_LIMIT_PER_MINUTE = 120
RATE_LIMIT_WINDOW_SECONDS = 60

# No documented body limit; a wallet request is a phone and an email.
MAX_BODY_BYTES = 16 * 1024

# `POST /api/v2/wallet`, `GET /api/v2/wallet/:phone` and `GET /api/v2/loyalty/lookup/:pii`
# carry no UID in their path: the key's company is the account.

# A UID that is not the key's company: the same 403 as a wrong key (reveals nothing).

# "Not found" as AIQ's client code saw it: HTTP 200, {code: 200, data: {results: null}}.
NOT_FOUND_STATUS = 200


def not_found_body() -> dict[str, Any]:
    return {"success": True, "code": 200, "data": {"results": None}}


# Audiences do not exist here yet: the wallet lists none ({name, avatar} each when they do).
def wallet_audiences() -> list[dict[str, Any]]:
    return []


# Discount templates have an avatar in AIQ; ours have no image.
DISCOUNT_AVATAR = ""

# The lookup's response fields were not captured: a membership flag and the opt-ins.
# The stores response was not captured: id, name, address, time zone, phone.
