"""The menu sync's health for the settings screen: last run, last success, set-asides."""

from __future__ import annotations

from dataclasses import dataclass, field

from ecommerce.choices import MenuSyncStatus
from ecommerce.models import CovaEcommerceSettings, MenuProduct, MenuSyncRun


@dataclass
class MenuHealth:
    last_run: MenuSyncRun | None
    last_success: MenuSyncRun | None
    products: int
    in_stock: int
    quarantined: int
    unsupported_lab_names: list[str] = field(default_factory=list)


def health_of(settings: CovaEcommerceSettings) -> MenuHealth:
    runs = MenuSyncRun.objects.filter(settings=settings).exclude(status=MenuSyncStatus.SKIPPED)
    products = MenuProduct.objects.filter(store_id=settings.store_id, is_archived=False)
    return MenuHealth(
        last_run=runs.first(),
        last_success=runs.filter(status__in=[MenuSyncStatus.OK, MenuSyncStatus.PARTIAL]).first(),
        products=products.count(),
        in_stock=products.filter(in_stock_quantity__gt=0).count(),
        quarantined=settings.quarantined_products.filter(resolved=False).count(),
        unsupported_lab_names=sorted(settings.unsupported_lab_names or {}),
    )
