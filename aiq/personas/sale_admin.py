"""The sales list and sale screen: read-only (the POS is their source of truth), times on
the store's clock, payments in words."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from aiq.accounts.tenancy import ReadOnlyTenantAdmin
from aiq.paginator import EstimatedCountPaginator
from aiq.personas.card import money, payments_in_words, store_time
from aiq.personas.models import Sale, SaleLine


class SaleLineInline(admin.TabularInline):
    model = SaleLine
    fields = ["position", "name", "sku", "category", "quantity", "unit_price", "discount", "total"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class RefundFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [("sale", "Sales"), ("refund", "Refunds"), ("anonymous", "Anonymous")]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if self.value() == "sale":
            return queryset.filter(is_refund=False)
        if self.value() == "refund":
            return queryset.filter(is_refund=True)
        if self.value() == "anonymous":
            return queryset.filter(persona__isnull=True)
        return queryset


@admin.register(Sale)
class SaleAdmin(ReadOnlyTenantAdmin):
    """Sales synced from the POS; read-only (the POS is their source of truth)."""

    # Few, short columns: the list with its filters fits a 1366 px laptop screen.
    list_display = [
        "store_time",
        "sale_id",
        "shopper",
        "store_or_key",
        "fulfillment",
        "amount",
        "payment_method",
    ]
    list_display_links = ["store_time"]
    list_select_related = ["persona", "store"]
    list_filter = [RefundFilter, "source", "fulfillment", "store"]
    search_fields = ["external_id", "receipt_number"]
    search_help_text = "Search by POS sale id or receipt number."
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    ordering = ["-occurred_at", "-id"]
    inlines = [SaleLineInline]
    readonly_fields = [
        "source",
        "external_id",
        "receipt_number",
        "persona",
        "customer_external_id",
        "store",
        "pos_key",
        "store_time",
        "fulfillment",
        "is_refund",
        "subtotal",
        "tax",
        "discount",
        "total",
        "currency",
        "payment_method",
        "payments_display",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": [("source", "external_id", "receipt_number"), "store_time"]}),
        ("Who and where", {"fields": [("persona", "customer_external_id"), ("store", "pos_key")]}),
        (
            "Sale",
            {
                "fields": [
                    ("fulfillment", "is_refund"),
                    ("subtotal", "tax", "discount", "total", "currency"),
                ]
            },
        ),
        ("Payment", {"fields": ["payment_method", "payments_display"]}),
        ("Record", {"classes": ["collapse"], "fields": [("created_at", "updated_at")]}),
    ]

    class Media:
        css = {"all": ["personas/admin.css"]}

    @admin.display(description="When (store time)", ordering="occurred_at")
    def store_time(self, obj: Sale) -> str:
        return store_time(obj)

    @admin.display(description="POS sale id", ordering="external_id")
    def sale_id(self, obj: Sale) -> str:
        return obj.external_id

    @admin.display(description="Shopper", ordering="persona")
    def shopper(self, obj: Sale) -> str:
        return str(obj.persona) if obj.persona_id else "(anonymous)"

    @admin.display(description="Store", ordering="store__name")
    def store_or_key(self, obj: Sale) -> str:
        if obj.store_id:
            return str(obj.store)
        return format_html(
            '<span class="quiet">{} key {} (unmapped)</span>', obj.get_source_display(), obj.pos_key
        )

    @admin.display(description="Total", ordering="total")
    def amount(self, obj: Sale) -> str:
        total = money(obj.total, obj.currency)
        return format_html("<strong>Refund</strong> {}", total) if obj.is_refund else total

    @admin.display(description="Payments")
    def payments_display(self, obj: Sale) -> str:
        return payments_in_words(obj.payments, obj.currency) or "-"
