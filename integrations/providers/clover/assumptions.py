"""Everything about Clover that our sources do not confirm, in one place.

See shared/reference/pos-apis.md §2 and §7 ("the customer phoneNumbers/emailAddresses
sub-object field names" and the 401/429 error bodies were not found).
"""

from __future__ import annotations

# --- Units ---------------------------------------------------------------------------------
# Money is integer cents: the schema types amounts as integers [C-3p]; "cents" is [I]
# (widely known). Times are epoch milliseconds [C-3p].

# --- Customers ------------------------------------------------------------------------------
# Sub-field names [I]: phoneNumbers[{id, phoneNumber}], emailAddresses[{id, emailAddress}],
# addresses[{address1, address2, address3, city, state, zip, country}].
# Date of birth lives in the customer's metadata as dobYear/dobMonth/dobDay [I].
PHONE_FIELD = "phoneNumber"
EMAIL_FIELD = "emailAddress"
DOB_FIELDS = ("dobYear", "dobMonth", "dobDay")
# The customer filter fields (customerSince, firstName, ..., deletedTime) [C-3p] have no
# change time, so ``since`` cannot select edited customers: we always scan all customers
# (1000 a page, so cheap) rather than miss edits.
# Phone lookups: ``filter=phoneNumber=<digits>`` [I on the format].

# --- Merchant as a location -----------------------------------------------------------------
# ``GET /v3/merchants/{mId}?expand=address`` [I on the expand name]; a merchant is one store.

# --- Orders ----------------------------------------------------------------------------------
# Line items: ``price`` is the unit price in cents; ``unitQty`` is thousandths of a unit for
# items priced by quantity, absent otherwise (one unit) [I]. ``itemCode`` is the SKU [I].
UNIT_QTY_SCALE = 1000
# Line items carry no brand (nor a category): only ``item {id}`` names the product [C-3p
# field list]. A brand, where a merchant keeps one, is a tag on the item (Items expand
# ``tags`` [C-3p]; our sandbox tags each item with its brand), and nested expands of a
# line item's item are not documented. So Clover sale lines come in with an empty brand
# and "Bought brand" matches no Clover sale; filling it would mean reading the items' tags
# and joining on the item id, which is not done.
# Order-level discounts carry a negative ``amount`` in cents or a ``percentage`` [I].
# Tax is the sum of the payments' ``taxAmount`` [I]; the tender's ``label`` names the
# payment method [I].
# Orders still ``open`` are carts, not sales: skipped [I].
# Orders are listed oldest change first with ``orderBy=modifiedTime ASC`` (the "Sort
# collections" page shows it on items [C]; that orders sort the same way is [I]), so a
# read resumes from the last ``modifiedTime`` it read (``client.TimePosition``).
SKIPPED_ORDER_STATES = frozenset({"open"})
# Fulfilment from the order type's label when it says so [I]; else in store.
DELIVERY_WORDS: tuple[str, ...] = ("delivery",)
PICKUP_WORDS: tuple[str, ...] = ("pickup", "pick up", "curbside", "online")
# A refund is an order with a negative total [I] (Clover records refunds against payments).

# --- Limits -------------------------------------------------------------------------------
# [C] 16 requests/second and 5 in flight per token; 50/s and 10 in flight per app. The
# per-app limits are enforced only within one process.
TOKEN_REQUESTS_PER_SECOND = 16.0
TOKEN_CONCURRENCY = 5
APP_REQUESTS_PER_SECOND = 50.0
APP_CONCURRENCY = 10

# A refunded Clover order keeps its positive total; the order's paymentState says it was
# refunded [I, sandbox evidence]. A negative total (a manual refund order) also counts.
REFUNDED_PAYMENT_STATES = frozenset({"REFUNDED"})

# --- Token permissions ------------------------------------------------------------------------
# Clover has no call that lists a merchant token's permissions; a call the token may not make
# answers 403 [C on 401/403 meanings for tokens; I that Clover checks the permission before
# it looks the object up]. So Connect probes Write for Customers with an update of a
# customer id that cannot exist (Clover ids are 13 letters and digits; this one has
# hyphens) and an empty body: 403 means the permission is missing; any other answer (404
# expected) means it is there. Nothing can be changed by it either way [I].
WRITE_PROBE_CUSTOMER_ID = "AIQ-PERMISSION-CHECK"
WRITE_PROBE_BODY: dict[str, object] = {}

# --- Track Stock (seed 004 FAQ: "Ensure Track Stock is enabled under Inventory -> Setup ->
# Track Stock") -------------------------------------------------------------------------------
# [I] With Track Stock off, Clover keeps no stock for the merchant's items: asked with
# expand=itemStock, items come without an itemStock. Connect reads a sample of items; when
# there are items and none carries a stock quantity, Track Stock is taken to be off (a
# merchant with no items at all says nothing either way). The deprecated top-level
# stockCount is not trusted as evidence of tracking.
TRACK_STOCK_SAMPLE = 25
TRACK_STOCK_OFF = (
    "Clover is not tracking stock for this merchant (Track Stock is off), so AIQ cannot read "
    "how many of each item are in stock, and inventory does not sync. In the Clover "
    "dashboard, turn on Track Stock under Inventory > Setup > Track Stock, then connect "
    "again."
)
