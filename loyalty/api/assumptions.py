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

# --- GET /api/v1.1/piis/:uid and /:uid/:contactID (loyalty/api/piis.py) ---

# `limit` is documented as 100 to 2000 (default 100), yet AIQ's own client code sends
# `?search={phone}&limit=1` and works: so a limit out of range is clamped into it, not
# refused (limit=1 answers up to 100 rows; the response's `limit` says 100). A limit that
# is not a whole number is a 400 naming `limit`.
PIIS_DEFAULT_LIMIT = 100
PIIS_MIN_LIMIT = 100
PIIS_MAX_LIMIT = 2000


def piis_limit(requested: int | None) -> int:
    if requested is None:
        return PIIS_DEFAULT_LIMIT
    return max(PIIS_MIN_LIMIT, min(PIIS_MAX_LIMIT, requested))


# No documented default order: contact id ascending, so a client paging with `start`
# never sees a row twice while new contacts arrive (they land after the last page).
PIIS_DEFAULT_SORT = "id"
PIIS_DEFAULT_DIR = "asc"

# "Blocklisted personas are filtered out": the only blocklist here is the loyalty
# program's points blocklist (Settings > Loyalty, E.164 phones, typically staff). A
# persona whose phone is on it is left out of the listing and is "not found" by contact id.
# (Phones only: the blocklist holds E.164 numbers; a persona without a valid phone is
# never blocklisted.)

# `total` without counting a million rows per call: exact whenever at most
# start + limit + PIIS_EXACT_TOTAL_BEYOND_PAGE personas match (the count stops one past
# that); beyond, it is PostgreSQL's planner estimate, never below what was counted, so a
# client paging `while start < total` goes on while rows remain and the last pages are
# exact. A short page needs no count at all. Other databases count exactly.
PIIS_EXACT_TOTAL_BEYOND_PAGE = 10_000

# `name` sorts by last name, then first name (case-insensitive).
# A persona keeps one phone: it is `mobilePhone` (E.164, or as typed when invalid);
# `homePhone` is always "" and sorting by it is sorting by contact id.
# `srcID` and `platform` are the persona's first source identity (lowest id): the POS
# customer id and its source ("cova", "posabit", "clover", "signup_form", ...); "" when
# none. Sorting by `source` uses the same identity.
# `usedpoints` are points redeemed, net of redemptions given back: redeem debits, holds
# committed by a redemption, minus reversals of either; this persona's own account only.
# Personas keep their current consent, not when it changed: `optinTime`, `optoutTime`
# and `optreqTime` are 0 (unknown) until consent events are stored; `hasRequested` is
# true while an SMS double opt-in is pending.
PIIS_UNKNOWN_TIME = 0
# `loyaltyPoints` on the single contact follows "Hide points in the wallet" as the wallet
# does (0 when hidden). `orderAmountSpent` is sales minus refunds, in dollars.
# There is no referral program: `referCode` is "".
REFER_CODE = ""
