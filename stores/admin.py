from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from aiq.accounts.tenancy import TenantAdmin
from aiq.personas.normalize import normalize_phone
from integrations.services.store_mapping import (
    ProviderMapping,
    mappings_for_store,
    set_store_mappings,
)
from stores.models import RetailStore

MAPPING_PREFIX = "mapping_"


class RetailStoreForm(forms.ModelForm):
    # One row per integration card of the company; set per request by the admin.
    mapping_rows: list[ProviderMapping] = []

    class Meta:
        model = RetailStore
        fields = [
            "name",
            "phone",
            "address_line1",
            "city",
            "state",
            "postal_code",
            "country",
            "time_zone",
            "opt_in_queue_enabled",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in self.mapping_rows:
            self.initial.setdefault(MAPPING_PREFIX + row.provider, row.current)

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "")
        if not raw:
            return ""
        region = self.cleaned_data.get("country") or "US"
        e164 = normalize_phone(raw, region)
        if not e164:
            raise forms.ValidationError(
                "This is not a valid phone number; include the area code, e.g. (206) 555-0134."
            )
        return e164

    def clean_state(self) -> str:
        return self.cleaned_data["state"].strip().upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for row in self.mapping_rows:
            name = MAPPING_PREFIX + row.provider
            try:
                cleaned[name] = row.clean(cleaned.get(name, ""))
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def mapping_changes(self) -> dict[str, str]:
        """provider -> key ("" to unmap) for each mapping this save changes."""
        return {
            row.provider: self.cleaned_data[MAPPING_PREFIX + row.provider]
            for row in self.mapping_rows
            if self.cleaned_data.get(MAPPING_PREFIX + row.provider, "") != row.current
        }


class SymbolSelect(forms.Select):
    """A dropdown with the provider's symbol to its left, as in the seed's Store Mappings."""

    def __init__(self, provider: str, label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.provider, self.provider_label = provider, label

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        symbol = render_to_string(
            "admin/integrations/_provider_symbol.html",
            {"provider": self.provider, "label": self.provider_label},
        )
        return format_html(
            '<span class="mapping-widget">{}{}</span>',
            mark_safe(symbol.strip()),  # noqa: S308 - rendered by the template engine
            super().render(name, value, attrs, renderer),
        )


def mapping_field(row: ProviderMapping) -> forms.CharField:
    unmapped = ", ".join(str(key) for key in row.unmapped)
    help_text = (
        f"Still unmapped {row.label} keys: {unmapped}."
        if unmapped
        else f"Every known {row.label} key is mapped."
    )
    return forms.CharField(
        label=row.label,
        required=False,
        widget=SymbolSelect(row.provider, row.label, choices=row.choices()),
        help_text=help_text,
    )


@admin.register(RetailStore)
class RetailStoreAdmin(TenantAdmin):
    form = RetailStoreForm
    change_form_template = "admin/stores/retailstore/change_form.html"
    list_display = ["name", "city", "state", "time_zone", "phone"]
    list_filter = ["state"]
    search_fields = ["name", "city"]

    def mapping_rows(self, request: HttpRequest, obj: RetailStore | None) -> list[ProviderMapping]:
        """The Store Mappings rows for this screen (computed once per request)."""
        cache: dict[Any, list[ProviderMapping]] = request.__dict__.setdefault(
            "_store_mapping_rows", {}
        )
        key = obj.pk if obj is not None else None
        if key not in cache:
            company = obj.company if obj is not None else getattr(request, "company", None)
            cache[key] = mappings_for_store(company, obj) if company is not None else []
        return cache[key]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:  # type: ignore[type-arg]
        rows = self.mapping_rows(request, obj)
        mappings = {
            "fields": [MAPPING_PREFIX + row.provider for row in rows],
            "description": (
                "For each POS, choose the key (location, venue or merchant) of this store. "
                "A key maps to one store only."
                if rows
                else "Connect a POS under Settings &rsaquo; Integrations to map its keys here."
            ),
        }
        return [
            (None, {"fields": ["name", "phone"]}),
            (
                "Location",
                {
                    "fields": [
                        "address_line1",
                        ("city", "state", "postal_code"),
                        "country",
                        "time_zone",
                    ]
                },
            ),
            ("Store Mappings", mappings),
            ("Additional Settings", {"classes": ["collapse"], "fields": ["opt_in_queue_enabled"]}),
        ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        rows = self.mapping_rows(request, obj)
        attrs: dict[str, Any] = {MAPPING_PREFIX + row.provider: mapping_field(row) for row in rows}
        attrs["mapping_rows"] = rows
        kwargs["form"] = type("RetailStoreMappingForm", (self.form,), attrs)
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes = form.mapping_changes()
        if changes:
            set_store_mappings(obj, changes, actor=request.user)
