"""Settings > API & Tracking > Redemptions: what each POS redeemed, held or got back.

Read-only: every row is written by the API, the hold expiry or the reconciliation, and the
ledger entries they name are the record of the points.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from aiq.accounts.tenancy import TenantAdmin
from loyalty.api.redemption.models import Redemption


class AwaitingSaleFilter(admin.SimpleListFilter):
    title = "waiting for its sale"
    parameter_name = "awaiting_sale"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes (POS deducts on apply)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(reconcile_by__isnull=False, reconciled_at__isnull=True)
        return queryset


@admin.register(Redemption)
class RedemptionAdmin(TenantAdmin):
    list_display = [
        "created_at",
        "persona",
        "discount",
        "transaction_id",
        "points",
        "status",
        "api_key",
        "note",
    ]
    list_select_related = ["persona", "discount", "api_key"]
    list_filter = ["status", AwaitingSaleFilter, "discount"]
    search_fields = ["transaction_id"]
    date_hierarchy = "created_at"
    fields = [
        "persona",
        "discount",
        "api_key",
        "transaction_id",
        "status",
        "points",
        "hold_expires_at",
        "deducts_on_apply",
        "reconcile_by",
        "reconciled_at",
        "sale",
        "note",
        "hold_entry",
        "redeem_entry",
        "return_entry",
        "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
