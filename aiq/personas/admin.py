from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from aiq.accounts.tenancy import TenantAdmin
from aiq.paginator import EstimatedCountPaginator
from aiq.personas.choices import Source
from aiq.personas.merging import MergeError, undo_merge
from aiq.personas.models import Persona, PersonaIdentity, PersonaMerge, Sale, SaleLine
from aiq.personas.normalize import format_phone_for_display
from aiq.personas.search import search_personas

RECENT_SALES = 10


class SourceFilter(admin.SimpleListFilter):
    title = "sourced from"
    parameter_name = "source"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return Source.choices

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if not self.value():
            return queryset
        return queryset.filter(
            Exists(PersonaIdentity.objects.filter(persona=OuterRef("pk"), source=self.value()))
        )


class LoyaltyFilter(admin.SimpleListFilter):
    title = "loyalty"
    parameter_name = "loyalty"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [("member", "Enrolled"), ("not_member", "Not enrolled")]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if self.value() == "member":
            return queryset.filter(loyalty_enrolled_at__isnull=False)
        if self.value() == "not_member":
            return queryset.filter(loyalty_enrolled_at__isnull=True)
        return queryset


class IdentityInline(admin.TabularInline):
    model = PersonaIdentity
    fields = ["source", "external_id", "first_seen_at", "last_seen_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Sourced from"

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Persona)
class PersonaAdmin(TenantAdmin):
    list_display = ["name", "phone_display", "email", "favorite_store", "sourced_from", "loyalty"]
    list_display_links = ["name"]
    list_select_related = ["favorite_store"]
    list_filter = [SourceFilter, "favorite_store", LoyaltyFilter]
    search_fields = ["last_name"]  # shows the search box; the search itself is custom
    search_help_text = "Search by phone (any format), email or name."
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # Facet counts would COUNT(*) every filter option over millions of rows.
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    ordering = ["-id"]
    autocomplete_fields = ["favorite_store"]
    inlines = [IdentityInline]
    change_form_template = "admin/personas/persona/change_form.html"
    readonly_fields = ["phone", "created_at", "updated_at", "sourced_from"]
    fieldsets = [
        ("Shopper", {"fields": [("first_name", "last_name"), "birth_date", "favorite_store"]}),
        ("Contact", {"fields": ["email", "phone_raw", "phone"]}),
        (
            "Address",
            {
                "classes": ["collapse"],
                "fields": [
                    "address_line1",
                    "address_line2",
                    ("city", "state", "postal_code"),
                    "country",
                ],
            },
        ),
        ("Loyalty", {"fields": [("loyalty_enrolled_at", "loyalty_enrollment_route")]}),
        ("Consent", {"fields": [("sms_consent", "email_consent")]}),
        ("Custom brand traits", {"fields": ["brand_traits"]}),
        ("Record", {"classes": ["collapse"], "fields": [("created_at", "updated_at")]}),
    ]

    class Media:
        css = {"all": ["personas/admin.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # One query for the whole page's identities, not one per row.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "identities",
                    queryset=PersonaIdentity.objects.only("persona_id", "source").order_by(
                        "source"
                    ),
                )
            )
        )

    def get_urls(self) -> list:  # type: ignore[type-arg]
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/merges/<int:merge_id>/undo/",
                self.admin_site.admin_view(require_POST(self.undo_merge_view)),
                name=f"{name}_undo_merge",
            ),
            *super().get_urls(),
        ]

    def render_change_form(  # type: ignore[no-untyped-def]
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        if obj is not None and obj.pk:
            # The persona card: recent purchases, and merges with who won each field.
            context["recent_sales"] = list(
                obj.sales.select_related("store").order_by("-occurred_at", "-id")[:RECENT_SALES]
            )
            context["merges"] = list(PersonaMerge.objects.filter(survivor=obj))
            context["can_undo_merges"] = self.has_change_permission(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def undo_merge_view(self, request: HttpRequest, object_id: str, merge_id: int) -> HttpResponse:
        """Undo one merge from the persona card: both personas come back as they were."""
        survivor = self.get_object(request, unquote(object_id))  # another company's: 404
        if not self.has_change_permission(request, survivor):
            raise PermissionDenied
        merge = PersonaMerge.objects.filter(pk=merge_id, survivor=survivor).first()
        if merge is None:
            raise Http404("No such merge on this persona.")
        try:
            restored = undo_merge(merge, actor=request.user)
        except MergeError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                format_html(
                    'Merge undone: <a href="{}">{}</a> is back with its identities and sales.',
                    reverse(f"{self.admin_site.name}:personas_persona_change", args=[restored.pk]),
                    restored,
                ),
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:personas_persona_change", args=[survivor.pk])
        )

    def get_search_results(self, request, queryset, search_term):  # type: ignore[no-untyped-def]
        company = getattr(request, "company", None)
        region = company.phone_region if company else "US"
        return search_personas(queryset, search_term, region), False

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change and not obj.company_id:
            obj.company = request.company
        # Staff type the phone and email in any shape; keep them normalised.
        obj.set_contact(email=obj.email, phone=obj.phone_raw)
        super().save_model(request, obj, form, change)
        if not change:
            # Created on our side: cards that sync personas create it in their POS.
            from integrations.sync.outbound import personas_created

            personas_created([obj.pk])

    @admin.display(description="Name", ordering="last_name")
    def name(self, obj: Persona) -> str:
        return obj.full_name or "(no name)"

    @admin.display(description="Phone", ordering="phone")
    def phone_display(self, obj: Persona) -> str:
        if obj.phone:
            return format_phone_for_display(obj.phone)
        if obj.phone_raw:
            return f"{obj.phone_raw} (invalid)"
        return "-"

    @admin.display(description="Sourced from")
    def sourced_from(self, obj: Persona) -> str:
        labels = dict(Source.choices)
        sources = sorted({labels[i.source] for i in obj.identities.all()})
        return ", ".join(sources) or "-"

    @admin.display(description="Loyalty", ordering="loyalty_enrolled_at")
    def loyalty(self, obj: Persona) -> str:
        if obj.loyalty_enrolled_at:
            return format_html('<span class="loyalty-badge {}">Enrolled</span>', "enrolled")
        return format_html('<span class="loyalty-badge">{}</span>', "Not enrolled")


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
class SaleAdmin(TenantAdmin):
    """Sales synced from the POS; read-only (the POS is their source of truth)."""

    list_display = [
        "occurred_at",
        "external_id",
        "source",
        "persona",
        "store",
        "pos_key",
        "fulfillment",
        "payment_method",
        "total",
        "is_refund",
    ]
    list_select_related = ["persona", "store"]
    list_filter = [RefundFilter, "source", "fulfillment", "store"]
    search_fields = ["external_id", "receipt_number"]
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
        "occurred_at",
        "fulfillment",
        "is_refund",
        "subtotal",
        "tax",
        "discount",
        "total",
        "currency",
        "payment_method",
        "payments",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": [("source", "external_id", "receipt_number"), "occurred_at"]}),
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
        ("Payment", {"fields": ["payment_method", "payments"]}),
        ("Record", {"classes": ["collapse"], "fields": [("created_at", "updated_at")]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
