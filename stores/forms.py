"""The Retail Store form: every field checked and every unique rule said in words, so bad
input is a form error and never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower, Trim
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from aiq.accounts.models import Company
from aiq.personas.normalize import normalize_phone
from integrations.services.store_mapping import ProviderMapping
from stores.models import RetailStore
from stores.regions import COUNTRIES, COUNTRY_CHOICES, region_code
from stores.time_zones import time_zone_choices

MAPPING_PREFIX = "mapping_"


def squash_spaces(value: str | None) -> str:
    """ "  Capitol   Hill " -> "Capitol Hill": how names are stored and compared."""
    return " ".join((value or "").split())


class TimeZoneSelect(forms.Select):
    """A dropdown staff can search by typing (the admin's own select2)."""

    class Media:
        css = {"all": ["admin/css/vendor/select2/select2.min.css"]}
        js = [
            "admin/js/vendor/jquery/jquery.min.js",
            "admin/js/vendor/select2/select2.full.min.js",
            "admin/js/jquery.init.js",
            "stores/time_zone_select.js",
        ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(attrs={"class": "time-zone-select"}, **kwargs)


class RetailStoreForm(forms.ModelForm):
    # Set per request by the admin: one row per integration card of the company, and the
    # company a new store goes to (for the unique name check).
    mapping_rows: list[ProviderMapping] = []
    company: Company | None = None

    country = forms.ChoiceField(choices=COUNTRY_CHOICES, initial="US")
    time_zone = forms.ChoiceField(widget=TimeZoneSelect)

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
        help_texts = {
            "state": "Two-letter code of the state or province, e.g. WA or ON (typing the "
            "full name works too). Drives market-based sync rules.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current_zone = self.instance.time_zone if self.instance.pk else ""
        self.fields["time_zone"].choices = time_zone_choices(current_zone)
        self.fields["time_zone"].initial = self.instance.time_zone or "America/Los_Angeles"
        if self.instance.country and self.instance.country not in COUNTRIES:
            # A store saved before countries were checked keeps its country.
            self.fields["country"].choices = [
                *COUNTRY_CHOICES,
                (self.instance.country, self.instance.country),
            ]
        for row in self.mapping_rows:
            self.initial.setdefault(MAPPING_PREFIX + row.provider, row.current)

    def clean_name(self) -> str:
        name = squash_spaces(self.cleaned_data.get("name"))
        company = self.instance.company if self.instance.company_id else self.company
        if name and company is not None:
            same = (
                RetailStore.objects.filter(company=company)
                .annotate(compared=Lower(Trim("name")))
                .filter(compared=name.lower())
                .exclude(pk=self.instance.pk)
                .first()
            )
            if same is not None:
                raise ValidationError(
                    "You already have a retail store named \u201c%(name)s\u201d.",
                    code="duplicate_name",
                    params={"name": same.name},
                )
        return name

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "")
        if not raw:
            return ""
        region = self.data.get(self.add_prefix("country")) or "US"
        e164 = normalize_phone(raw, region if region in COUNTRIES else "US")
        if not e164:
            raise ValidationError(
                "This is not a valid phone number; include the area code, e.g. (206) 555-0134."
            )
        return e164

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "state" in cleaned and cleaned.get("country") in COUNTRIES:
            # The state is checked against the country, which is cleaned after it.
            try:
                cleaned["state"] = region_code(cleaned["state"], cleaned["country"])
            except ValidationError as error:
                self.add_error("state", error)
        elif "state" in cleaned:
            cleaned["state"] = squash_spaces(cleaned["state"]).upper()
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
