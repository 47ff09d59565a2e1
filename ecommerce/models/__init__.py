"""The ecommerce app's models: Cova settings per store, the synced menu, its runs."""

from ecommerce.models.product import MenuProduct
from ecommerce.models.runs import MenuQuarantinedProduct, MenuSyncRun
from ecommerce.models.settings import CategoryMapping, CovaEcommerceSettings

__all__ = [
    "CategoryMapping",
    "CovaEcommerceSettings",
    "MenuProduct",
    "MenuQuarantinedProduct",
    "MenuSyncRun",
]
