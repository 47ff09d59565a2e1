"""What the Cova order layer assumes where the reference (shared/reference/pos-apis.md
sections 1.4, 1.7, 1.8) is silent, and how Cova's order statuses map onto ours.

[C] marks what a Cova documentation page says, [Code] what public client code does, and
[I] an inference of ours. Change a line here, in one place, once Cova's answer says
otherwise.
"""

from __future__ import annotations

from datetime import timedelta

# Paths ------------------------------------------------------------------------------------
TAX_PRICING_PATH = "/taxes/v1/Companies({company_id})/TaxPricingConfiguration"  # [Code]
TIP_ORDER_PATH = "/covaorderintake/v1/TIPCovaOrder({order_id})"  # [C]
TEP_ORDER_PATH = "/covaorderintake/v1/TEPCovaOrder({order_id})"  # [C]
STATUS_PATH = "/covaorderintake/v2/Companies({company_id})/CovaOrder({order_id})/Status"  # [C]
# Cancelling an order. [I] The whole of it: the reference (pos-apis.md 1.8) says only that
# "Completion, delete/cancel and fulfilment status use https://api.covasoft.net/pointofsale"
# and names no path or method. We send DELETE (the page groups "delete/cancel" as one
# operation) on the order resource, written the way Cova's other pointofsale paths are
# (no version, ``Companies({id})/Sales({id})``) with the resource name the intake and the
# status use (``CovaOrder({id})``). A 2xx is a cancellation (or one Cova already had); a
# 404 says Cova knows no such order, or no such path: both need a person, never a retry.
CANCEL_ORDER_METHOD = "DELETE"
CANCEL_ORDER_PATH = "/pointofsale/Companies({company_id})/CovaOrder({order_id})"

# Tax pricing configuration ---------------------------------------------------------------
# [I] The response shape is undocumented (public code only calls it). We read a list of
# per-location entries (or one company-wide object) and take, for our location, a boolean
# "IsTaxInclusive" or a text "TaxPricingType" / "PricingType" naming "inclusive" or
# "exclusive". Anything else is an unreadable answer (never a guess at TEP).
TAX_LOCATION_KEYS = ("EntityId", "LocationId")
TAX_INCLUSIVE_FLAG_KEYS = ("IsTaxInclusive", "TaxInclusive", "IsTaxInclusivePricing")
TAX_TYPE_KEYS = ("TaxPricingType", "PricingType", "TaxPricingConfiguration")
# [I] How long a read configuration is reused: the Quickstart says to "get and persist"
# it; a location switching TIP/TEP is rare, and a day bounds how long a switch goes unseen.
TAX_PRICING_TTL = timedelta(hours=24)

# Customers (seed 002 FAQ: look up by phone, create when absent; for delivery add the
# address when none, overwrite it when different) ------------------------------------------
# [I] An address "is different" when any of line 1, line 2, city, state or postal code
# differs after trimming and ignoring case; the country is not compared (Cova fills it).
# [I] Several Cova customers with the phone (Cova says phone is not unique): the most
# recently modified one is used, the one staff are most likely to have kept up to date.

# Order body -------------------------------------------------------------------------------
# [C] Id (our GUID, also in the URL), CompanyId, EntityId, OrderReference ("first last"),
# CustomerId, IntegratorId, IsDelivery, ExternalOrderId, Notes, TimeSlotDisplayString,
# Lines[]. [I] The fields of a line: Cova's page names Lines[] but its sub-fields were not
# captured; we send these, with money as decimal strings ("12.50") so no float touches it.
LINE_PRODUCT_KEY = "ProductId"
LINE_CATALOG_KEY = "CatalogItemId"
LINE_QUANTITY_KEY = "Quantity"
LINE_PRICE_KEY = "Price"
LINE_NUMBER_KEY = "LineNumber"
# [I] Prices: our line carries the shelf price before tax and the tax on it. A
# tax-inclusive (TIP) location's Cova prices include tax, so the line price sent is price +
# tax; a tax-exclusive (TEP) location gets the price alone and Cova adds its taxes.

# [I] Answers to a second PUT of a GUID Cova already has: 409, or a 400 whose message says
# so. Either means our order is there, which is what the push wanted: success.
ALREADY_EXISTS_STATUSES = (400, 409)
ALREADY_EXISTS_PHRASES = ("already exists", "already been submitted", "duplicate")
# Where Cova's plain-words reason for a refusal is: OrderMessage on the status [C], and on an
# error body [I] OrderMessage, else ASP.NET's Message / ModelState.
ERROR_MESSAGE_KEYS = ("OrderMessage", "Message", "message", "error_description")

# Status: OrderStatusV2 [C] onto our statuses ----------------------------------------------
SUBMITTED_FOR_PROCESSING = 0
TRANSIENT_FAILURE = 1
NON_TRANSIENT_FAILURE = 2
SUBMITTED_FOR_FINAL_PROCESSING = 3
READY_FOR_PAYMENT = 4
CANCELLED = 7
COMPLETED = 8

PENDING = "pending"
CONFIRMED = "confirmed"
CHECKED_IN = "checked in"
READY_FOR_PICKUP = "ready for pickup"
CLOSED = "closed"
CANCELLED_STATUS = "cancelled"
OUR_STATUSES = (PENDING, CONFIRMED, CHECKED_IN, READY_FOR_PICKUP, CLOSED, CANCELLED_STATUS)

# | Cova OrderStatus                    | ours                                             |
# |-------------------------------------|--------------------------------------------------|
# | 0 SubmittedForProcessing            | pending   [I] Cova has it, has not accepted it   |
# | 1 TransientProcessingFailure        | (none) CovaOrderRetryable: push the GUID again   |
# | 2 NonTransientProcessingFailure     | (none) CovaOrderRejected with Cova's OrderMessage|
# | 3 SubmittedForFinalProcessing       | confirmed [I] accepted, being made into a sale   |
# | 4 ReadyForPayment                   | confirmed, or "ready for pickup" when Cova's     |
# |                                     | OrderFulfillmentStatus says ReadyForPickup [I]   |
# | 7 Cancelled                         | cancelled                                        |
# | 8 Completed                         | closed    [I] paid and handed over               |
# [I] "checked in" (the shopper arrived at the store) has no Cova status or fulfilment
# status: nothing read from Cova moves an order there; our shop sets it.
# [I] An unknown number (Cova adds a value) maps to no status of ours: the order keeps its
# current one, and the reading still carries the number for the logs.
STATUS_MAP: dict[int, str] = {
    SUBMITTED_FOR_PROCESSING: PENDING,
    SUBMITTED_FOR_FINAL_PROCESSING: CONFIRMED,
    READY_FOR_PAYMENT: CONFIRMED,
    CANCELLED: CANCELLED_STATUS,
    COMPLETED: CLOSED,
}
FULFILLMENT_READY_FOR_PICKUP = "ReadyForPickup"  # [C] OrderFulfillmentStatus value
# [C] polling advice: every few seconds until ReadyForPayment or a failure, then every few
# minutes until Completed or Cancelled. Terminal statuses need no more polls.
TERMINAL_STATUSES = frozenset({CANCELLED, COMPLETED, NON_TRANSIENT_FAILURE})
