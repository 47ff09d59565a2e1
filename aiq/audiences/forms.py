"""The audience form: name, all/any, and the builder's condition rows (as JSON), each
error said on the field and, for a row, naming the row and its input."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from aiq.accounts.models import Company
from aiq.audiences.conditions import clean_conditions
from aiq.audiences.models import Audience
from stores.models import RetailStore


def store_ids(company: Company | None) -> set[int] | None:
    if company is None:
        return None
    return set(RetailStore.objects.filter(company=company).values_list("pk", flat=True))


def parse_conditions(raw: Any, company: Company | None) -> list[dict[str, Any]]:
    """Conditions from the builder's JSON text (or an already parsed list)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "[]")
        except ValueError:
            raise forms.ValidationError(
                "The conditions could not be read; add them again."
            ) from None
    return clean_conditions(raw, store_ids=store_ids(company))


class AudienceForm(forms.ModelForm):
    # The staff member's company (set by the admin; a superuser picks it on the form).
    staff_company: Company | None = None

    conditions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "audience-conditions-json"}),
        help_text="Built with the condition rows above; no condition: every shopper.",
    )

    class Meta:
        model = Audience
        fields = ["company", "name", "match", "conditions"]
        widgets = {"match": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["conditions"] = json.dumps(self.instance.conditions or [])

    def _company(self) -> Company | None:
        if self.instance.pk is not None:
            return self.instance.company
        return self.cleaned_data.get("company") or self.staff_company

    def clean_name(self) -> str:
        return " ".join((self.cleaned_data.get("name") or "").split())

    def clean_conditions(self) -> list[dict[str, Any]]:
        return parse_conditions(self.cleaned_data.get("conditions"), self._company())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        name, company = cleaned.get("name"), self._company()
        if name and company is not None:
            clash = Audience.objects.filter(company=company, name__iexact=name).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                self.add_error("name", "You already have an audience with this name.")
        return cleaned
