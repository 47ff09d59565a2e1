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
from aiq.personas import card
from aiq.personas.choices import Source
from aiq.personas.conflicts import ContactConflict, contact_conflicts
from aiq.personas.consent import consent_history
from aiq.personas.forms import PersonaForm
from aiq.personas.merging import MergeError, undo_merge
from aiq.personas.models import Persona, PersonaIdentity, PersonaMerge
from aiq.personas.normalize import format_phone_for_display
from aiq.personas.search import search_personas
from loyalty.card import admin_views as loyalty_views
from loyalty.card.context import loyalty_context
from loyalty.enrollment.direct import enroll_by_staff, may_enroll

RECENT_SALES = 10
CONSENT_EVENTS_SHOWN = 50


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


@admin.register(Persona)
class PersonaAdmin(TenantAdmin):
    list_display = ["name", "phone_display", "email", "favorite_store", "sourced_from", "loyalty"]
    list_display_links = ["name"]
    list_select_related = ["favorite_store"]
    list_filter = [SourceFilter, "favorite_store", LoyaltyFilter]
    search_fields = ["last_name"]  # shows the search box; the search itself is custom
    search_help_text = "Search by phone (any format, or its last 4 or 7 digits), email or name."
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # Facet counts would COUNT(*) every filter option over millions of rows.
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    ordering = ["-id"]
    autocomplete_fields = ["favorite_store"]
    form = PersonaForm
    change_form_template = "admin/personas/persona/change_form.html"
    readonly_fields = ["phone_normalised", "created_at", "updated_at", "sourced_from"]
    fieldsets = [
        ("Shopper", {"fields": [("first_name", "last_name"), "birth_date", "favorite_store"]}),
        ("Contact", {"fields": ["email", "phone_raw", "phone_normalised"]}),
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
            path(
                "<path:object_id>/loyalty/adjust/",
                self.admin_site.admin_view(require_POST(loyalty_views.adjust_points_view(self))),
                name=f"{name}_adjust_points",
            ),
            path(
                "<path:object_id>/loyalty/refunds/<int:refund_id>/remove-points/",
                self.admin_site.admin_view(
                    require_POST(loyalty_views.remove_refund_points_view(self))
                ),
                name=f"{name}_remove_refund_points",
            ),
            path(
                "<path:object_id>/loyalty/history/",
                self.admin_site.admin_view(loyalty_views.points_history_view(self)),
                name=f"{name}_points_history",
            ),
            path(
                "<path:object_id>/enroll-in-loyalty/",
                self.admin_site.admin_view(require_POST(self.enroll_in_loyalty_view)),
                name=f"{name}_enroll_in_loyalty",
            ),
            *super().get_urls(),
        ]

    def render_change_form(  # type: ignore[no-untyped-def]
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        if obj is not None and obj.pk:
            # The card's header names the shopper; the page title need not repeat it.
            context.update(title="Persona card", subtitle=None)
            context.update(self._card_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _card_context(self, request: HttpRequest, obj: Persona) -> dict[str, Any]:
        """The persona card around the form: header, purchases, sources, merges."""
        identities = list(obj.identities.order_by("first_seen_at", "pk"))
        return {
            "phone_shown": format_phone_for_display(obj.phone) if obj.phone else obj.phone_raw,
            "identities": identities,
            "source_counts": card.source_counts(identities),
            "pos_membership": card.pos_member_since(identities),
            "enrollment_route": card.enrollment_route_label(obj, identities),
            "brand_traits": card.brand_traits(obj),
            "conflicts": [self._conflict_html(c) for c in contact_conflicts(obj)],
            "purchases": card.recent_purchases(obj, RECENT_SALES),
            "purchase_count": obj.sales.count(),
            "merges": list(PersonaMerge.objects.filter(survivor=obj)),
            "consent_events": consent_history(obj, CONSENT_EVENTS_SHOWN),
            "can_undo_merges": self.has_change_permission(request, obj),
            "loyalty": loyalty_context(request, obj, self.admin_site.name),
            "can_enroll_in_loyalty": may_enroll(request.user),
        }

    def _conflict_html(self, conflict: ContactConflict) -> str:
        return format_html(
            'The {} {} already belongs to <a href="{}">{}</a>.',
            conflict.field,
            conflict.value,
            reverse(f"{self.admin_site.name}:personas_persona_change", args=[conflict.other.pk]),
            conflict.other,
        )

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

    def enroll_in_loyalty_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The "Enroll in loyalty" button of the persona card (route: staff)."""
        persona = self.get_object(request, unquote(object_id))  # another company's: 404
        if persona is None:
            raise Http404("No such persona.")
        if not may_enroll(request.user):
            raise PermissionDenied
        if enroll_by_staff(persona, request.user):
            self.message_user(request, f"{persona} is now a loyalty member.", messages.SUCCESS)
        else:
            self.message_user(
                request, f"{persona} was already a loyalty member; nothing changed.", messages.INFO
            )
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:personas_persona_change", args=[persona.pk])
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
        for conflict in contact_conflicts(obj):
            # A warning, not a refusal: a shared household phone is real; only staff can
            # tell a duplicate (to merge) from it.
            self.message_user(
                request,
                format_html(
                    "{} Open that card to check whether they are one shopper.",
                    self._conflict_html(conflict),
                ),
                messages.WARNING,
            )
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

    @admin.display(description="Phone (normalised)")
    def phone_normalised(self, obj: Persona) -> str:
        return self.phone_display(obj)

    @admin.display(description="Sourced from")
    def sourced_from(self, obj: Persona) -> str:
        # Each source once, with a count when several of its records point here.
        return card.sources_text(obj.identities.all())

    @admin.display(description="Loyalty", ordering="loyalty_enrolled_at")
    def loyalty(self, obj: Persona) -> str:
        if obj.loyalty_enrolled_at:
            return format_html('<span class="loyalty-badge {}">Enrolled</span>', "enrolled")
        return format_html('<span class="loyalty-badge">{}</span>', "Not enrolled")


# The sales screens live beside this module; importing registers them.
from aiq.personas import sale_admin  # noqa: E402, F401
