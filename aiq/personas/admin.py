from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from aiq.accounts.tenancy import TenantAdmin
from aiq.paginator import EstimatedCountPaginator
from aiq.personas.choices import Source
from aiq.personas.models import Persona, PersonaIdentity
from aiq.personas.normalize import format_phone_for_display
from aiq.personas.search import search_personas


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
