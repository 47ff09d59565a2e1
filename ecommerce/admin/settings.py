"""Store > Integrations > COVA: one screen per retail store, reached from its edit screen."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from aiq.accounts.tenancy import TenantAdmin, TenantInline
from ecommerce.forms import CovaEcommerceSettingsForm
from ecommerce.health import health_of
from ecommerce.models import CategoryMapping, CovaEcommerceSettings
from ecommerce.services import prepare_for_save, queue_first_sync_if_due
from stores.models import RetailStore


class CategoryMappingInline(TenantInline):
    model = CategoryMapping
    extra = 1
    fields = ["cova_classification", "menu_category"]
    verbose_name = "category mapping"
    verbose_name_plural = "Category mapping: Cova classification -> menu category"


@admin.register(CovaEcommerceSettings)
class CovaEcommerceSettingsAdmin(TenantAdmin):
    form = CovaEcommerceSettingsForm
    inlines = [CategoryMappingInline]
    list_display = ["store", "enabled", "verification_state", "sync_orders", "next_sync_at"]
    list_select_related = ["store"]
    readonly_fields = ["secrets_saved", "verification_summary", "health", "online_menu"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:  # type: ignore[type-arg]
        return [
            (
                "COVA",
                {
                    "fields": [
                        "store",
                        "enabled",
                        "company_id_at_cova",
                        "location_id",
                        "username",
                        "password",
                        "client_id",
                        "client_secret",
                        "secrets_saved",
                        "is_sandbox",
                        "verification_summary",
                    ],
                    "description": "The Company ID, Location ID, Username, Password, Client ID "
                    "and Client Secret come from Cova (email Cova's integration team). Save "
                    "checks them with Cova; the first sync starts within a minute.",
                },
            ),
            ("Syncing Orders", {"fields": ["sync_orders"]}),
            (
                "Online menu",
                {"fields": ["shop_slug", "online_menu", "minimum_age", "auto_confirm_orders"]},
            ),
            (
                "POS settings",
                {"fields": ["synced_fields", "keep_local_edits", "default_menu_category"]},
            ),
            ("Menu sync health", {"fields": ["health"]}),
        ]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        if request.GET.get("store"):
            initial["store"] = request.GET["store"]
        return initial

    @admin.display(description="Saved secrets")
    def secrets_saved(self, obj: CovaEcommerceSettings) -> str:
        if obj.pk is None:
            return "None yet"
        saved = [
            label
            for name, label in (("password", "Password"), ("client_secret", "Client Secret"))
            if obj.has_secret(name)
        ]
        return (", ".join(saved) + " saved (encrypted)") if saved else "None yet"

    @admin.display(description="Online menu")
    def online_menu(self, obj: CovaEcommerceSettings) -> str:
        if obj.pk is None or not obj.shop_slug:
            return "After Save."
        if not obj.enabled:
            return "Enable the integration to open the online menu."
        url = reverse("shop:menu", args=[obj.shop_slug])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    @admin.display(description="Verification")
    def verification_summary(self, obj: CovaEcommerceSettings) -> str:
        if obj.pk is None:
            return "Checked with Cova on Save."
        text = obj.get_verification_state_display()
        if obj.verification_error:
            text += f": {obj.verification_error}"
        elif obj.verified_at:
            text += f" at {obj.verified_at:%Y-%m-%d %H:%M} UTC"
        return text

    @admin.display(description="Health")
    def health(self, obj: CovaEcommerceSettings) -> SafeString | str:
        if obj.pk is None:
            return "No sync yet."
        return render_to_string(
            "admin/ecommerce/_menu_health.html", {"health": health_of(obj), "settings": obj}
        )

    def save_model(
        self, request: HttpRequest, obj: CovaEcommerceSettings, form: Any, change: bool
    ) -> None:
        obj.set_secrets(
            {name: form.cleaned_data.get(name) or "" for name in ("password", "client_secret")}
        )
        obj.synced_fields = list(form.cleaned_data.get("synced_fields") or [])
        obj.company_id = obj.store.company_id  # the store's company, also for a superuser
        prepare_for_save(obj, list(form.changed_data) if change else ["enabled"])
        super().save_model(request, obj, form, change)
        queue_first_sync_if_due(obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for inline_form in formset.forms:
            if inline_form.instance.pk is None:
                inline_form.instance.company_id = form.instance.company_id
        super().save_formset(request, form, formset, change)

    def get_urls(self) -> list:  # type: ignore[type-arg]
        for_store = path(
            "for-store/<int:store_id>/",
            self.admin_site.admin_view(self.for_store_view),
            name="ecommerce_covaecommercesettings_for_store",
        )
        return [for_store, *super().get_urls()]

    def for_store_view(self, request: HttpRequest, store_id: int) -> HttpResponse:
        """The Retail Store screen's "Integrations: COVA" link: this store's settings, or
        a new one for it."""
        if not RetailStore.objects.filter(pk=store_id).exists() or not scope_store(
            request, store_id
        ):
            raise Http404("No such store in your company.")
        existing = self.get_queryset(request).filter(store_id=store_id).first()
        if existing is not None:
            return HttpResponseRedirect(
                reverse("admin:ecommerce_covaecommercesettings_change", args=[existing.pk])
            )
        return HttpResponseRedirect(
            reverse("admin:ecommerce_covaecommercesettings_add") + f"?store={store_id}"
        )


def scope_store(request: HttpRequest, store_id: int) -> bool:
    from aiq.accounts.tenancy import scope_to_company

    return scope_to_company(RetailStore.objects.filter(pk=store_id), request).exists()
