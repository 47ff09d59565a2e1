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

# --- Signups (POST /api/v2/loyalty, legacy POST /api/v1.1/loyaltyContact/:uid) ---
# The v2 body was not captured: it takes the legacy fields (firstName, lastName,
# mobilePhone, email, address, favoriteStore, favoriteStoreID) plus optional booleans
# optIn (SMS, as AIQ's opt-in is SMS) / smsOptIn / emailOptIn, storeID (as favoriteStoreID)
# and consentEvidence (what the shopper gave at the counter, e.g. "Customer Consent +
# signature"; copied onto the consent event).
# `address` may be a string (the street line) or an object with these keys:
ADDRESS_OBJECT_FIELDS = {
    "address_line1": ("address", "line1", "street"),
    "address_line2": ("line2",),
    "city": ("city",),
    "state": ("state",),
    "postal_code": ("zip", "postalCode", "zipCode"),
    "country": ("country",),
}
# An invalid phone is stored blank (reference 4.4), its raw text kept, and the response
# carries a warning; an invalid email likewise. Neither a valid phone nor an email: 400
# naming mobilePhone (there would be nobody to find again).
# favoriteStoreID is our store id or the POS's store key (a Store Mapping); unknown
# stores are ignored rather than refusing the signup; a store-scoped key's store is the
# default. An existing shopper's details are filled where blank, never overwritten.
# The legacy endpoint "will instantly text the phone number ... and request a
# confirmation": with a valid phone and no opt-in flag, SMS consent of a shopper with
# none becomes pending (requested); v2 without a flag leaves consent as it is.
# The POS is read off the API key's name ("POSaBIT counter" -> posabit): enrolled by
# POS from that POS, else by API; the consent event's source is "api:<pos> signup".
# Signup answers 200 with data {contactID, created, membership{...}, smsOptIn,
# emailOptIn, consent{sms, email}, warnings[{field, code, message}]}; a refused
# re-opt-in is a warning (code "opted_out"): the rest of the signup still happened.
OPTED_OUT_MESSAGE = {
    "sms": "This number opted out of texts; it is never opted in again through the API.",
    "email": "This email opted out; it is never opted in again through the API.",
}

# --- Opt-in PUTs (/api/v2/optin/text/:phone/:bool, /api/v1.1/optin/:uid/:phone/:bool,
# /api/v2/optin/email/:email/:bool) ---
# `doubleOpt=true` records the opt-in as pending (the confirmation text is issue 13's);
# `loyalty=false` skips the double opt-in (we read "skips it" as skipping that flow; an
# opt-in PUT never enrolls in loyalty either way). Unknown shopper: AIQ's not-found.
# true on an opted-out shopper changes nothing and answers 409 with this code (a POS
# should not retry it); the same rule holds for emails.
OPTED_OUT_STATUS = 409
OPTED_OUT_CODE = "opted_out"

# --- Point adjustments (PUT /api/v1.1/adjust/loyaltyPoints/:uid/:contactId) ---
# Body {value, note}: value a non-zero number (or numeric string), at most 2 decimal
# places, under ADJUST_MAX_POINTS in size; note optional (ADJUST_DEFAULT_NOTE).
ADJUST_MAX_POINTS = 1_000_000_000
ADJUST_DEFAULT_NOTE = "Adjusted through the API"
# A removal larger than the balance: nothing written, this status and code.
INSUFFICIENT_POINTS_STATUS = 409
INSUFFICIENT_POINTS_CODE = "insufficient_points"
# Idempotency-Key header: scoped to the company and this endpoint (ledger key
# "api:adjust:<key>"); a replay answers as the first call did; the same key with another
# contact or value is 422 idempotency_key_reused.
IDEMPOTENCY_KEY_MAX_LENGTH = 150
# GET /api/v1.1/adjustments/:uid/:startUnix/:endUnix: entries with start <= time < end,
# oldest first, at most ADJUSTMENTS_LIMIT of them.
ADJUSTMENTS_LIMIT = 5000
