from __future__ import annotations

from django import forms
from django.contrib import admin

from aiq.accounts.tenancy import TenantAdmin
from aiq.personas.normalize import normalize_phone
from stores.models import RetailStore


class RetailStoreForm(forms.ModelForm):
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
        ]

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


@admin.register(RetailStore)
class RetailStoreAdmin(TenantAdmin):
    form = RetailStoreForm
    list_display = ["name", "city", "state", "time_zone", "phone"]
    list_filter = ["state"]
    search_fields = ["name", "city"]
    fieldsets = [
        (None, {"fields": ["name", "phone"]}),
        (
            "Location",
            {"fields": ["address_line1", ("city", "state", "postal_code"), "country", "time_zone"]},
        ),
    ]
