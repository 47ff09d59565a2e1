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


# The wallet's `audiences`: the Marketing > Audiences the shopper is in now (computed on
# read, as every audience is), in name order. AIQ shows {name, avatar} [C]; `id` (our
# audience id, stable across renames) is ours [I], and as audiences have no image here
# `avatar` is "" (as discount templates' is).
AUDIENCE_AVATAR = ""


def wallet_audience(audience: Any) -> dict[str, Any]:
    return {"id": audience.pk, "name": audience.name, "avatar": AUDIENCE_AVATAR}


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

# --- createUpdateSale(s) (reference 4.5) ---------------------------------------------------
# Bodies: one sale is {"visit": {...}}; the bulk call takes {"visits": [...]} or a bare
# list, each item a visit or {"visit": {...}} (the single call's body, repeated). AIQ's
# bulk shape was not captured; accepting all three costs nothing.
SALE_MAX_BODY_BYTES = 256 * 1024
SALES_MAX_BODY_BYTES = 8 * 1024 * 1024
# AIQ documents 100 items per inventory post and no sales cap; more is refused with a 413.
MAX_VISITS_PER_CALL = 500
# A bulk call answers 200 with one result per visit, in order; a visit that cannot be read
# is refused with its index, field and reason while the rest lands. It is not kept in the
# sync quarantine (that belongs to a POS credential): the POS holds it and gets the reason.
# Sales posted here are source "api", keyed (company, "api", pos_id): a re-post with the
# same pos_id updates the sale. A POS that both syncs and posts one sale makes two sales.
SALES_SOURCE = "api"
# `price` is the unit price; `discount` the line's discount in money (its sign ignored). A
# line's total is price x quantity less the discount, and for a returned line (negative
# quantity) the discount given back is added: what the shopper gets back.
# `brand` is stored on the sale line (cut to 128 characters), as `category` is.
# `transaction_total` is the sale's total; missing, the lines' totals add up to it. Tax is
# not sent: 0. A visit whose lines are all returned (negative quantities), or whose total is
# negative, is a refund: its total is negative, and refunds earn nothing and take nothing
# (loyalty/earning/service.py; staff remove points on the persona card).
# A POS sends a return under its own pos_id: a pos_id first posted as a sale and re-posted
# as a refund keeps what it earned (refunds take nothing back).
# A transaction_date with no offset is UTC.
# The shopper: a `member` object ({firstName, lastName, mobilePhone, email}) is matched to
# a persona by phone then email as a POS customer list is (aiq/personas/ingest.py), or
# creates one; its source identity is ("api", pos_user), or ("api", "member:<phone or
# email>") without a pos_user. A `pos_user` alone is the shopper's id in the POS: an "api"
# identity with that id, else the one persona that id belongs to in a synced POS (Cova,
# POSaBIT, Clover). Unknown, the sale is anonymous and links when a later call's member
# object arrives with that pos_user. A member object does not enroll anybody in loyalty by
# itself (the program's enrollment settings do, as for synced sales).
MEMBER_KEY_PREFIX = "member:"
# The store: a key scoped to a store posts that store's sales. Otherwise `location`, then
# `pos_type`, is looked up as a Store Mappings key (provider "api" first, then any POS's
# key that maps to one store) and then as a store name (case-insensitive). Unknown, the
# sale lands without a store (never a 400: the sale is real), keeps the location as its POS
# key, and is answered with "storeID": null so the POS side can fix its store name.
# Each sale's answer: status (created / updated / unchanged / refused), saleID, contactID
# (the persona, or null), storeID, refund, total (a string: money is never a float),
# pointsEarned (the sale's entries so far) and loyaltyPoints (the balance after the call),
# both 0 where the program hides points, as the wallet does. A bulk call adds the counts.

# --- Redemption (PUT/POST/DELETE on the redemption URL) ---------------------------------
# AIQ's answer to the PUT was not captured. Ours: the envelope, with what a POS shows on
# the ticket (the points deducted) and the shopper's new numbers. POST (hold) and DELETE
# (release) are ours, beyond AIQ, and answer in the same shape.
# A retry with the same transaction id (or Idempotency-Key) gets the first successful
# answer, stored. A refused call writes nothing and stores nothing: its retry is judged
# afresh (nothing was spent, so nothing can be spent twice).
REDEMPTION_MAX_ID_LENGTH = 100
# The transaction id names the order: a second, different discount on it is refused
# ("a maximum of one AIQ discount to apply to the order", seed 000).
ONE_DISCOUNT_PER_ORDER_STATUS = 409
# A shopper short of points, or a discount not redeemable now (used up, cooling down, out
# of date, not at this store): the call is understood but cannot be honoured.
NOT_REDEEMABLE_STATUS = 422
# A token that is not genuine, or not for this discount, or names another company's shopper:
# the URL does not exist as far as the caller can tell.
INVALID_REDEMPTION_URL_STATUS = 404


# The wallet's ``pointsOnHold`` and the answers' ``pointsOnHold`` are ours (AIQ has no
# holds): points a POS set aside for a cart, already out of ``loyaltyPoints``.


def redemption_data(
    kind: str, discount: Any, points: Any, transaction_id: str, numbers: dict[str, Any]
) -> dict[str, Any]:
    """``kind`` is "redeemed", "held" or "released"; ``numbers`` the shopper's
    loyaltyPoints (available) and pointsOnHold after the call."""
    moved = {"redeemed": "pointsDeducted", "held": "pointsHeld", "released": "pointsReleased"}
    return {
        kind: True,
        "discountID": discount.pk,
        "posDiscountID": discount.pos_discount_id,
        "name": discount.name,
        "transactionID": transaction_id or None,
        moved[kind]: points,
        **numbers,
    }


# Reconciliation for a POS that deducts on apply (Cova, seed 000's warning): a redemption
# with a transaction id is matched to the synced sale whose external id (Cova's invoice Id)
# or receipt number equals it. The sync stores discount amounts, not discount names or
# ids, so "the sale carries the discount" means: its total discount is at least the
# discount's value (flat), or that percent of its subtotal (percent), less a cent.
# Which POS deducts on apply: a company with a Cova card (loyalty/api/redemption/pos.py).


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


# --- Queue check-in (POST /api/v1.1/queue/checkin/:uid, loyalty/api/queue_checkin.py) ---
# OUR design, not AIQ's: AIQ documents no waiting-room endpoint. It is the queue's API door
# (issue 12): a POS's own waiting room (Alleaves; POSaBIT's customer queue, reference 3.4)
# puts a shopper on one of our stores' queues. The path follows the v1.1 style (UID last).
# Body: storeID (our store id, or the POS's store key from Store Mappings), or store (the
# store's name, case-insensitive); a store-scoped key may omit both (its store). Who:
# name (or firstName + lastName), phone (or mobilePhone, or POSaBIT's telephone), email;
# at least one of them. POSaBIT's body {customer_queue: {source, name, telephone,
# customer_id}} is read as is: the shopper fields come from inside the wrapper (source
# and customer_id are ignored), the store from beside it.
QUEUE_POSABIT_WRAPPER = "customer_queue"
# A phone or email given but unusable is a 400 naming the field (the budtender needs
# someone to call out; the signup endpoint keeps bad numbers, a queue has no use for them).
# The shopper is linked by phone, then email, to a persona (created when absent, "Sourced
# from" the queue), exactly as at the door's tablet; the API never enrolls anybody (a
# signup is POST /api/v2/loyalty).
# A store that is not the account's (or unknown, or a name/key that matches two stores):
QUEUE_STORE_NOT_FOUND_STATUS = 404
QUEUE_STORE_NOT_FOUND_CODE = "store_not_found"
# A store-scoped key naming another store of its account:
QUEUE_STORE_NOT_ALLOWED_STATUS = 403
QUEUE_STORE_NOT_ALLOWED_CODE = "store_not_allowed"
# The store's opt-in queue is off: the POS should stop offering the check-in, not retry.
QUEUE_CLOSED_STATUS = 409
QUEUE_CLOSED_CODE = "queue_closed"
# The answer: {checkInID, storeID, state ("waiting"), position (1 = next to be called,
# among those waiting), checkedInAt, contact {link: "matched" | "created" | "none",
# contactID, loyalty}}. A retry makes a second check-in (no idempotency key yet).
