"""Everything about POSaBIT that our sources do not confirm, in one place.

V3 customers and sales are known only from public client code ([Code] in
shared/reference/pos-apis.md §3.4, §5); the rest below is inference ([I]).
"""

from __future__ import annotations

from datetime import date

# --- Whose token is which -------------------------------------------------------------------
# V3 Basic auth is base64(INTEGRATOR_TOKEN:VENUE_TOKEN) [C]. Decision: the "Key" staff enter
# per store (seed 003: "API key provided per Storename", with per-key permissions) is the
# VENUE token; the INTEGRATOR token identifies AIQ itself under its POSaBIT API Agreement,
# so it is ours, configured once per deployment: the credential mapping may carry it under
# ``integrator_token`` (the sync layer injects it from settings), else this environment
# variable is read.
INTEGRATOR_TOKEN_CREDENTIAL = "integrator_token"  # noqa: S105 - a field name
INTEGRATOR_TOKEN_ENV = "POSABIT_INTEGRATOR_TOKEN"  # noqa: S105 - a variable name

# --- Venue -----------------------------------------------------------------------------
# ``GET /api/v3/info`` fields are documented for V1/V2 only [C]; whether V3 wraps them in
# ``{"venue": {...}}`` is unknown, so both shapes are read. No venue id is documented: the
# location key is the first of these fields present (the state license is stable) [I].
VENUE_ENVELOPE_KEY = "venue"
LOCATION_KEY_FIELDS: tuple[str, ...] = ("id", "license", "name")

# --- Customers -------------------------------------------------------------------------
# "POSaBIT requires start_date and end_date" [Code]; what they bound is unknown, so we send
# the widest range and filter changes with ransack ``q[updated_at_gt]`` [Code].
CUSTOMERS_EARLIEST_DATE = date(2000, 1, 1)
# Lookup filters by analogy with incoming orders' ``q[telephone_eq]`` (digits only) and
# ``q[email_eq]`` [C for orders, I for customers].
PHONE_FILTER = "q[telephone_eq]"
EMAIL_FILTER = "q[email_eq]"

# --- Sales -------------------------------------------------------------------------------
# V1/V2 ``/venue/sales_histories`` exist [C]; the V3 path is by analogy [I]. Field names are
# from public V2 client code [Code]; money is integer cents there [Code].
SALES_PATH = "/api/v3/venue/sales_histories"
SALES_KEY = "sales_histories"
# Items carry sub_total (before discount and tax [I]), discount, tax, total.
ITEM_ID_KEYS: tuple[str, ...] = ("item_id", "id")
# An item's brand: ``brand``, the name the menu feed's items use for it [C, menu feed
# §3.2]; that sales history items carry it under the same name is [I].
ITEM_BRAND_KEY = "brand"
# ``sale_type`` values that mean a refund [I]; a negative total also does.
REFUND_SALE_TYPES = frozenset({"refund", "return"})
# Fulfilment from ``order_source`` / ``sale_type`` wording [I]: incoming orders use
# order_type "pickup" and source "online_store" [C].
DELIVERY_WORDS: tuple[str, ...] = ("delivery",)
# An explicit ``order_type`` (in_store / pickup / delivery) wins when a sale carries one [I].
ORDER_TYPE_FULFILLMENT = {"in_store": "in_store", "pickup": "pickup", "delivery": "delivery"}
PICKUP_WORDS: tuple[str, ...] = ("pickup", "online", "order_ahead")

# Pages keep their order between requests (a resumed read asks the page that holds the
# next record by count) [I]; the order itself is not documented.

# No rate limit is documented [C]; a "~300k/mo" budget is mentioned in code only.
