"""What the menu sync assumes about Cova's Data Platform where the reference is silent.

Every line marked [I] is an inference (shared/reference/pos-apis.md section 1.7 marks the
response shape as seen in public client code, not on a documentation page). Change it
here, in one place, once a real payload says otherwise.
"""

from __future__ import annotations

from datetime import timedelta

FULL_PATH = "/dataplatform/v1/companies/{company_id}/DetailedProductData"  # [C]
UPDATED_AS_OF_PATH = (  # [C]
    "/dataplatform/v1/companies/{company_id}/DetailedProductData/UpdatedAsOf/{moment}"
)
# [I] the moment's format in the URL: ISO 8601 UTC with a Z, no fractions.
MOMENT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
PAGE_SIZE = 100  # [C] the documentation's example Top
PRODUCTS_KEY = "Products"  # [Code]

# [I] Cova does not say whether UpdatedAsOf compares with the product's last change or
# also with stock movements, nor how precise its clock is: every incremental sync asks
# from this long before the previous run started (upserts make the overlap harmless).
LOOKBACK = timedelta(minutes=5)

# Request body (the Include* switches are [C]; which ones we need is our choice).
REQUEST_FLAGS = {
    "IncludeProductSkusAndUpcs": True,
    "IncludeProductSpecifications": True,
    "IncludeClassifications": True,
    "IncludeProductAssets": True,
    "IncludeAvailability": True,
    "IncludePackageDetails": False,
    "IncludePricing": True,
    "IncludeTaxes": False,
    "InStockOnly": False,
    # Archived products must come through so the menu can hide them.
    "IncludeAllLifecycles": True,
    "SellingRoomOnly": False,
}

# Product fields [Code] unless marked.
PRODUCT_ID_KEY = "ProductId"
NAME_KEY = "Name"
CLASSIFICATION_KEYS = ("ClassificationName", "CategoryName")  # [Code] either name is seen
BRAND_KEY = "Brand"  # [I]
DESCRIPTION_KEYS = ("LongDescription", "ShortDescription")  # [Code] long first; short [I]
ARCHIVED_KEY = "IsArchived"
UPDATED_KEY = "UpdatedDateUtc"
SKUS_KEY = "Skus"
ASSETS_KEY = "Assets"
IMAGE_ASSET_TYPE = "image"  # compared case-insensitively
AVAILABILITY_KEY = "Availability"
PRICING_KEY = "Pricing"
# [I] the product-level sale price: a "SalePrice" beside "Price" in the location's
# Pricing entry (seed 002: product-level discounts only, never advanced offers).
SALE_PRICE_KEY = "SalePrice"
# [I] pricing entries name their location as LocationId or EntityId.
PRICING_LOCATION_KEYS = ("LocationId", "EntityId")
# [I] without a Pricing entry for the location, the company-level regular price.
COMPANY_PRICE_KEY = "CompanyLevelRegularPrice"
SPECIFICATIONS_KEY = "Specifications"
# [I] a specification's label: DisplayName (seed 002 names it), else Name.
SPEC_NAME_KEYS = ("DisplayName", "Name")
SPEC_VALUE_KEY = "Value"
SPEC_UNIT_KEY = "Unit"
SPEC_TYPE_KEY = "DataType"
NUMBER_SPEC_TYPES = frozenset({"number", "numeric", "decimal"})
