"""The ecommerce app's models: Cova settings per store, the synced menu, its runs,
and the online orders (``ecommerce.orders``)."""

from ecommerce.models.product import MenuProduct
from ecommerce.models.runs import MenuQuarantinedProduct, MenuSyncRun
from ecommerce.models.settings import CategoryMapping, CovaEcommerceSettings
from ecommerce.orders.models import InventoryHold, Order, OrderEvent, OrderLine

__all__ = [
    "CategoryMapping",
    "CovaEcommerceSettings",
    "InventoryHold",
    "MenuProduct",
    "MenuQuarantinedProduct",
    "MenuSyncRun",
    "Order",
    "OrderEvent",
    "OrderLine",
]
