"""Everything about Cova that our sources do not confirm, in one place.

Each constant cites why it is an inference ([I] in shared/reference/pos-apis.md, or only
seen in public client code [Code]). When Cova confirms or corrects one, change it here
and in the sandbox, nothing else.
"""

from __future__ import annotations

# --- Company -------------------------------------------------------------------------
# Paths need the Company ID, but the credentials staff enter (seed 000) do not include it.
# [I] iQmetrix's accounts service describes the signed-in user with ``ParentEntityId`` =
# "Identifier for the Company to which this User belongs" (User Manager docs); we read it
# from ``GET /v1/me`` on the accounts host unless the optional Company ID field is filled.
ME_PATH = "/v1/me"
ME_COMPANY_FIELD = "ParentEntityId"

# --- Temporary password ---------------------------------------------------------------
# §1.2/§7: "the exact status code and body of that error are not documented". We treat a
# 400/401 from the token endpoint, or a 401 from a data call, whose error text contains
# any of these phrases (case-insensitive) as the temporary-password error.
TEMPORARY_PASSWORD_PHRASES: tuple[str, ...] = (
    "password change required",
    "change password",
    "change your password",
    "must change",
    "temporary password",
    "password has expired",
    "password expired",
)
# Keys an error body may use for its text: OAuth style and the {Message, Description}
# style a public Laravel client checks for [Code].
ERROR_TEXT_KEYS: tuple[str, ...] = ("error", "error_description", "Message", "Description")

# --- Token lifetime ---------------------------------------------------------------------
# Renew this long before ``expires_in`` runs out (our choice, not Cova's).
TOKEN_SAFETY_MARGIN_SECONDS = 300

# --- Rate limit headers ---------------------------------------------------------------
# Only ``-Limit`` is confirmed [C]; the other three follow iQmetrix's X-RateLimit-* [I].
# ``-Reset`` is "a UTC timestamp" in the iQmetrix original; we accept epoch seconds, ISO
# 8601 or an HTTP date.
RATE_LIMIT_LIMIT = "COVA-APIM-RateLimit-Limit"
RATE_LIMIT_REMAINING = "COVA-APIM-RateLimit-Remaining"
RATE_LIMIT_RESET = "COVA-APIM-RateLimit-Reset"
RATE_LIMIT_RESET_SECONDS = "COVA-APIM-RateLimit-ResetSeconds"
# Cova's documented default window; the longest we pause when remaining hits 0.
RATE_LIMIT_WINDOW_SECONDS = 60.0

# --- Customers (CRM) --------------------------------------------------------------------
# [Code] a public JS client lists ``/v1/Companies({id})/Customers`` and reads
# ``CustomerFull({id})``; iQmetrix's CRM docs show the list as HAL
# ``{"_embedded": {"self": [...]}}`` paged by ``$skip``/``$top``. We also accept a bare
# JSON array. The list carries no change timestamp, so ``since`` cannot be applied.
CUSTOMERS_LIST_PATH = "/crm/v1/Companies({company_id})/Customers"
CUSTOMER_FULL_PATH = "/crm/v1/Companies({company_id})/CustomerFull({customer_id})"
# [I] no update page was found (§1.4); iQmetrix's CRM updates with PUT of the whole
# record including ``Version``, so we GET CustomerFull, merge, and PUT it back.
CUSTOMER_UPDATE_METHOD = "PUT"
# iQmetrix CRM enums (crm.md): ContactMethodCategory Phone=1, Email=2; ContactMethodType
# Mobile=3, Email Home=9; CustomerType Person=2; AddressType Home=2. [C-3p for Cova]
CONTACT_CATEGORY_PHONE = 1
CONTACT_CATEGORY_EMAIL = 2
CONTACT_TYPE_MOBILE = 3
CONTACT_TYPE_EMAIL_HOME = 9
CUSTOMER_TYPE_PERSON = 2
ADDRESS_TYPE_HOME = 2
# The Search "Capabilities" page was not found (§7): ``Phone`` and ``Contact`` are named
# in Cova's text; the operation name is a guess.
SEARCH_FIELD_PHONE = "Phone"
SEARCH_FIELD_EMAIL = "Contact"
SEARCH_OPERATION = "Equals"
# [I] loyalty membership and marketing consent are not Cova customer fields; we read
# ``DoNotContact`` (documented) as the inverse of marketing consent.

# Reading the list for changes (the incremental customers run, the nightly's first pass).
# [I] Cova documents no maximum ``$top`` for the CRM list; the sandbox allows 1000. Asking
# for 1000 makes a 20,000-customer list 20 requests. A server that caps ``$top`` lower is
# detected (a page shorter than asked but not empty), so the walk goes on at its size
# and never mistakes a capped page for the end; a first page shorter than
# ``LIST_CAP_FLOOR`` is taken as the whole list.
CUSTOMERS_LIST_PAGE_SIZE = 1000
LIST_CAP_FLOOR = 50
# [I] What tells that a customer changed without reading its CustomerFull: the list entry
# itself. iQmetrix's Customer resource carries ``Version`` ("latest revision number") and
# Cova's sandbox also ``LastModifiedDateUtc``; we fingerprint the whole entry, so a change
# to any field it shows is seen. A change to contact methods alone may leave the entry as
# it was: the customer's next sale, or the nightly reconciliation, reads it again.
LIST_FINGERPRINT_IGNORED: tuple[str, ...] = ("_links",)
# [C] ByInvoiceWithProducts carries the shopper of each invoice (§1.5); an incremental run
# reads the full record of every customer seen there, not of every customer in the list.
INVOICE_CUSTOMER_ID_KEY = "CustomerId"

# --- Sales (posreports ByInvoiceWithProducts) --------------------------------------------
# The DateRange value format: Cova's example for CompletedOrders uses
# ``datetimeoffset'...Z'``; ByInvoiceWithProducts is documented with ``datetime'...'`` and
# no example value. [I] UTC, no offset.
SALES_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
# Invoice fields not captured by the reference (§1.5 "and more"): line items, sub-totals.
# Line field names reuse ByProductByCustomerByInvoice's confirmed ones (Sku, ProductName,
# ItemsSold, SoldAtPrice, CategoryName) [I]; public scripts reading ByInvoiceWithProducts
# itself use Quantity and Classification [C-3p], so either name is accepted, first found wins.
INVOICE_LINES_KEY = "Products"
LINE_ID_KEY = "Id"
LINE_PRODUCT_ID_KEY = "ProductId"
LINE_QUANTITY_KEYS: tuple[str, ...] = ("Quantity", "ItemsSold")
LINE_CATEGORY_KEYS: tuple[str, ...] = ("Classification", "CategoryName")
# No captured Cova sale line carries a brand: ByProductByCustomerByInvoice lists Sku,
# ProductName, ItemsSold, CategoryName, SoldAtPrice and no brand [C]; the brand is a
# catalog field (DetailedProductData's ``Brand`` in our sandbox, not in the reference).
# So Cova sale lines come in with an empty brand and "Bought brand" matches no Cova sale.
# Should a capture show one on the line, these names are read [I].
LINE_BRAND_KEYS: tuple[str, ...] = ("Brand", "BrandName")
LINE_UNIT_PRICE_KEY = "SoldAtPrice"
LINE_DISCOUNT_KEY = "Discount"
LINE_TOTAL_KEY = "Total"
INVOICE_SUBTOTAL_KEY = "SubTotal"
INVOICE_TOTAL_KEY = "Total"
INVOICE_TAX_AMOUNT_KEY = "Amount"  # inside each Taxes[] entry
INVOICE_DISCOUNT_AMOUNT_KEY = "Amount"  # inside each PostTaxDiscounts[] entry
PAYMENT_METHOD_KEY = "PaymentType"  # inside each Payments[] entry; may be blank [C-3p]
PAYMENT_AMOUNT_KEY = "Amount"
# ``Type`` values that mean a refund [I]; a negative total also does.
REFUND_TYPES = frozenset({"return", "refund"})
# Fulfilment: CompletedOrders' ``FulfillmentMethod`` values (InStore|Delivery|Pickup) [C]
# read from the invoice if present [I]; else the documented ``Delivery`` flag.
FULFILLMENT_KEY = "FulfillmentMethod"
FULFILLMENT_VALUES = {"instore": "in_store", "pickup": "pickup", "delivery": "delivery"}

# --- Loyalty ---------------------------------------------------------------------------
# The summary path needs a location; [I] iQ Loyalty balances are company-wide, so any
# location of the company answers the same. We use the first one unless told.

# --- Products (Data Platform) --------------------------------------------------------------
# Response shape is [Code] (a WordPress plugin), not a doc page: ``{"Products": [...]}``.
# Specifications and sale price are [I]: ``Specifications[{Name, Value}]`` and
# ``Pricing[{Price, SalePrice, LocationId}]``.
PRODUCTS_KEY = "Products"
PRODUCT_SPECIFICATIONS_KEY = "Specifications"
PRICE_KEY = "Price"
SALE_PRICE_KEY = "SalePrice"
