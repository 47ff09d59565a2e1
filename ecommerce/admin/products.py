"""Menu > Products: the synced menu, its Sync button, and local edits the sync respects."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from aiq.accounts.tenancy import TenantAdmin, scope_to_company
from ecommerce.choices import SYNCABLE_FIELD_NAMES
from ecommerce.models import CovaEcommerceSettings, MenuProduct
from ecommerce.services import queue_manual_sync


@admin.register(MenuProduct)
class MenuProductAdmin(TenantAdmin):
    change_list_template = "admin/ecommerce/menuproduct/change_list.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "store",
        "category",
        "brand",
        "price",
        "sale_price",
        "in_stock",
        "coa_link",
        "is_archived",
    ]
    list_filter = ["store", "category", "is_archived"]
    list_select_related = ["store"]
    search_fields = ["name", "brand", "cova_product_id"]
    fields = [
        "store",
        "cova_product_id",
        *SYNCABLE_FIELD_NAMES,
        "cova_classification",
        "skus",
        "in_stock_quantity",
        "stock_by_location",
        "is_archived",
        "locally_edited_fields",
        "cova_updated_at",
        "synced_at",
    ]
    readonly_fields = [
        "store",
        "cova_product_id",
        "cova_classification",
        "skus",
        "in_stock_quantity",
        "stock_by_location",
        "is_archived",
        "locally_edited_fields",
        "cova_updated_at",
        "synced_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # products come from Cova

    @admin.display(description="In stock", ordering="in_stock_quantity")
    def in_stock(self, product: MenuProduct) -> str:
        return format(product.in_stock_quantity.normalize(), "f")  # 12, not 12.000

    @admin.display(description="COA")
    def coa_link(self, product: MenuProduct) -> str:
        if not product.coa_url:
            return "-"
        return format_html('<a href="{}" rel="noopener" target="_blank">COA</a>', product.coa_url)

    def save_model(self, request: HttpRequest, obj: MenuProduct, form: Any, change: bool) -> None:
        # What a person changed here is theirs: the sync leaves it alone when the store's
        # settings keep local edits.
        # Compared with the saved row, not the form's changed_data, which flags JSON fields
        # posted back unchanged.
        saved = MenuProduct.objects.filter(pk=obj.pk).values(*SYNCABLE_FIELD_NAMES).first() or {}
        edited = [
            name
            for name in SYNCABLE_FIELD_NAMES
            if name in form.changed_data and getattr(obj, name) != saved.get(name)
        ]
        obj.locally_edited_fields = sorted(set(obj.locally_edited_fields or []) | set(edited))
        super().save_model(request, obj, form, change)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:  # type: ignore[type-arg]
        # The stores' public menus, one link each, beside the Sync button.
        shops = scope_to_company(
            CovaEcommerceSettings.objects.filter(enabled=True, shop_slug__isnull=False), request
        ).select_related("store")
        extra_context = {**(extra_context or {}), "online_menus": list(shops)}
        return super().changelist_view(request, extra_context)

    def get_urls(self) -> list:  # type: ignore[type-arg]
        sync = path(
            "sync/",
            self.admin_site.admin_view(self.sync_view),
            name="ecommerce_menuproduct_sync",
        )
        return [sync, *super().get_urls()]

    def sync_view(self, request: HttpRequest) -> HttpResponse:
        """The Sync button: queue a menu sync of every enabled store (or the filtered one)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        settings = scope_to_company(CovaEcommerceSettings.objects.all(), request)
        if request.POST.get("store"):
            settings = settings.filter(store_id=request.POST["store"])
        queued = queue_manual_sync(list(settings.values_list("pk", flat=True)))
        if queued:
            self.message_user(request, f"Menu sync queued for {queued} store{'s' * (queued != 1)}.")
        else:
            self.message_user(
                request,
                "No store has COVA enabled and verified: enable it under Store > Integrations > "
                "COVA first.",
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:ecommerce_menuproduct_changelist"))
