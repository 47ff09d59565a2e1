"""The COVA ecommerce settings form: required fields when enabled, secrets kept when left
blank, and Save verifies the credentials against Cova, saying what is wrong."""

from __future__ import annotations

from typing import Any

from django import forms

from ecommerce.choices import SYNCABLE_FIELD_NAMES, SYNCABLE_FIELDS
from ecommerce.models import CovaEcommerceSettings
from ecommerce.services import record_verification
from ecommerce.verification import verify

REQUIRED_WHEN_ENABLED = (
    ("company_id_at_cova", "Company ID"),
    ("location_id", "Location ID"),
    ("username", "Username"),
    ("client_id", "Client ID"),
)
SECRET_LABELS = {"password": "Password", "client_secret": "Client Secret"}


class CovaEcommerceSettingsForm(forms.ModelForm):
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="The permanent password (change Cova's temporary one in Cova Hub first). "
        "Leave blank to keep the saved one.",
    )
    client_secret = forms.CharField(
        label="Client Secret",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave blank to keep the saved one.",
    )
    synced_fields = forms.MultipleChoiceField(
        label="Fields that sync from Cova",
        choices=SYNCABLE_FIELDS,
        # A declared field does not take the model's default on a new row: every field syncs.
        initial=list(SYNCABLE_FIELD_NAMES),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Stock and archived state always sync. An unticked field is filled in once, "
        "when the product first arrives, and then left to you.",
    )

    class Meta:
        model = CovaEcommerceSettings
        fields = [
            "store",
            "enabled",
            "company_id_at_cova",
            "location_id",
            "username",
            "client_id",
            "is_sandbox",
            "sync_orders",
            "shop_slug",
            "minimum_age",
            "auto_confirm_orders",
            "synced_fields",
            "keep_local_edits",
            "default_menu_category",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Blank keeps the current (or default) age: older saved forms do not post it.
        self.fields["minimum_age"].required = False

    def clean_minimum_age(self) -> int:
        value = self.cleaned_data.get("minimum_age")
        return value if value is not None else self.instance.minimum_age

    def clean_company_id_at_cova(self) -> str:
        return self._digits("company_id_at_cova", "Company ID")

    def clean_location_id(self) -> str:
        return self._digits("location_id", "Location ID")

    def _digits(self, name: str, label: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        if value and not value.isdigit():
            raise forms.ValidationError(f"The {label} is a number, e.g. 123456, as Cova sent it.")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("enabled") or self.errors:
            return cleaned
        for name, label in REQUIRED_WHEN_ENABLED:
            if not (cleaned.get(name) or "").strip():
                self.add_error(name, f"{label} is required to enable COVA.")
        for name, label in SECRET_LABELS.items():
            if not cleaned.get(name) and not self.instance.has_secret(name):
                self.add_error(name, f"{label} is required to enable COVA.")
        if self.errors:
            return cleaned
        candidate = self.candidate()
        problem = verify(candidate)
        record_verification(self.instance, problem)
        if problem:
            raise forms.ValidationError(f"Cova did not accept these settings: {problem}")
        return cleaned

    def candidate(self) -> CovaEcommerceSettings:
        """An unsaved copy with the submitted values, to verify before anything is saved."""
        cleaned = self.cleaned_data
        copy = CovaEcommerceSettings(
            company_id_at_cova=cleaned.get("company_id_at_cova", ""),
            location_id=cleaned.get("location_id", ""),
            username=cleaned.get("username", ""),
            client_id=cleaned.get("client_id", ""),
            is_sandbox=bool(cleaned.get("is_sandbox")),
            secrets_encrypted=self.instance.secrets_encrypted,
        )
        copy.pk = self.instance.pk
        copy.set_secrets({name: cleaned.get(name) or "" for name in SECRET_LABELS})
        return copy
