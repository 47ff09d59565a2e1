"""Menu sync runs and quarantined products: read-only records of what each sync did."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from aiq.accounts.tenancy import TenantAdmin
from ecommerce.models import MenuQuarantinedProduct, MenuSyncRun


class _ReadOnly(TenantAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MenuSyncRun)
class MenuSyncRunAdmin(_ReadOnly):
    list_display = [
        "started_at",
        "settings",
        "mode",
        "trigger",
        "status",
        "fetched",
        "written",
        "quarantined",
        "error",
    ]
    list_filter = ["status", "mode", "trigger"]
    list_select_related = ["settings__store"]


@admin.register(MenuQuarantinedProduct)
class MenuQuarantinedProductAdmin(_ReadOnly):
    list_display = ["cova_product_id", "settings", "reason", "last_seen_at", "resolved"]
    list_filter = ["resolved"]
    list_select_related = ["settings__store"]
