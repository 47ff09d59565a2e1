"""Settings > Loyalty > Discounts."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from aiq.accounts.tenancy import TenantAdmin
from loyalty.discounts.forms import DiscountForm
from loyalty.discounts.models import Discount
from loyalty.program.points import say_points


@admin.register(Discount)
class DiscountAdmin(TenantAdmin):
    form = DiscountForm
    list_display = [
        "name",
        "value_column",
        "points_column",
        "apply_before_tax",
        "stores_column",
        "dates_column",
        "is_active",
    ]
    list_filter = ["is_active", "kind", "staff_only"]
    search_fields = ["name", "pos_discount_id"]
    radio_fields = {
        "kind": admin.HORIZONTAL,
        "apply_before_tax": admin.HORIZONTAL,
        "single_use": admin.HORIZONTAL,
    }
    fieldsets = [
        (
            "Discount",
            {
                "fields": [
                    "company",
                    "name",
                    "kind",
                    "value",
                    "points_cost",
                    "pos_discount_id",
                    "apply_before_tax",
                    "is_active",
                ]
            },
        ),
        ("When and where", {"fields": ["active_from", "active_until", "stores"]}),
        (
            "Limits",
            {
                "fields": [
                    "single_use",
                    "cooldown_hours",
                    "minimum_spend",
                    "staff_only",
                    "audience",
                ]
            },
        ),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:  # type: ignore[type-arg]
        if request.user.is_superuser:
            return self.fieldsets
        first, *rest = self.fieldsets
        fields = [name for name in first[1]["fields"] if name != "company"]
        return [(first[0], {"fields": fields}), *rest]

    def get_queryset(self, request: HttpRequest) -> QuerySet:  # type: ignore[type-arg]
        return super().get_queryset(request).prefetch_related("stores")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change, **kwargs)
        company = getattr(request, "company", None)
        return type(
            form.__name__, (form,), {"staff_company": company, "__module__": form.__module__}
        )

    @admin.display(description="Discount", ordering="value")
    def value_column(self, obj: Discount) -> str:
        return obj.value_display

    @admin.display(description="Points", ordering="points_cost")
    def points_column(self, obj: Discount) -> str:
        return say_points(obj.points_cost)

    @admin.display(description="Stores")
    def stores_column(self, obj: Discount) -> str:
        return ", ".join(store.name for store in obj.stores.all()) or "All stores"

    @admin.display(description="Dates")
    def dates_column(self, obj: Discount) -> str:
        if not obj.active_from and not obj.active_until:
            return "Always"
        start = obj.active_from.isoformat() if obj.active_from else "now"
        end = obj.active_until.isoformat() if obj.active_until else "no end"
        return f"{start} \u2192 {end}"
