"""Forms of the integration card: its settings, and the credential form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.template.defaultfilters import pluralize
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from aiq.messaging.card_setting import sms_date_warning
from aiq.validators import RejectsControlCharacters
from integrations.models import Credential, Integration
from integrations.secret_hints import masked, set_on
from integrations.services.card_settings import (
    ATTESTATION,
    ATTESTATION_LABEL,
    ATTESTATION_REQUIRED,
    SETTINGS_BY_NAME,
    editable_fields,
    parse_location_ids,
    parse_markets,
    parse_pricing_group,
)
from integrations.services.credentials import (
    MAX_VALUE_LENGTH,
    clean_credential_values,
    credential_fields,
)
from loyalty.enrollment.by_setting import preview_count
from loyalty.pos_balances.rules import mirror_refusal

CONNECT = "_connect"  # name of the Connect button, which submits the settings form


def setting_help(name: str, provider_label: str) -> str:
    """The help text beside a setting, with the seed's warning and note if it has them."""
    text = SETTINGS_BY_NAME[name].text(provider_label)
    parts = [format_html("{}", text["help_text"])]
    if text["warning"]:
        parts.append(
            format_html(
                '<span class="card-warning">\u26a0\ufe0f Warning: {}</span>', text["warning"]
            )
        )
    if text["note"]:
        parts.append(
            format_html('<span class="card-note">\u2139\ufe0f Note: {}</span>', text["note"])
        )
    return format_html_join("", "{}", ((part,) for part in parts))


class CardSettingsForm(forms.ModelForm):
    """The card's settings; the admin keeps only the fields the provider's card shows."""

    relevant_markets = forms.CharField(required=False)
    restrict_location_ids = forms.CharField(required=False)
    # Asked for (and shown) only when a change the seeds warn against is being made.
    confirm_warnings = forms.BooleanField(
        required=False, label="I have read the warnings: apply these changes anyway"
    )
    needs_confirmation = False

    class Meta:
        model = Integration
        fields = [*SETTINGS_BY_NAME, ATTESTATION]
        widgets = {
            "sms_double_opt_in_after": AdminDateWidget,
            "enroll_loyalty_after": AdminDateWidget,
            "loyalty_points_imported_on": AdminDateWidget,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label = self.instance.label if self.instance.provider else "the POS"
        if self.instance.provider:
            # Only what this provider's card shows (seed articles) is part of the form.
            shown = {*editable_fields(self.instance.provider), "confirm_warnings"}
            for name in [name for name in self.fields if name not in shown]:
                del self.fields[name]
        for name, form_field in self.fields.items():
            if name == ATTESTATION:
                form_field.label = ATTESTATION_LABEL
                form_field.help_text = mark_safe(
                    '<strong class="card-required">Required</strong> to connect.'
                )
            elif name in SETTINGS_BY_NAME:
                form_field.label = SETTINGS_BY_NAME[name].text(label)["label"]
                form_field.help_text = setting_help(name, label)
        for name in ("relevant_markets", "restrict_location_ids"):
            if name in self.fields and not self.is_bound:
                self.initial[name] = ", ".join(getattr(self.instance, name) or [])

    def clean_relevant_markets(self) -> list[str]:
        return parse_markets(self.cleaned_data.get("relevant_markets"))

    def clean_restrict_location_ids(self) -> list[str]:
        return parse_location_ids(self.cleaned_data.get("restrict_location_ids"))

    def clean_forced_pricing_group_id(self) -> str:
        return parse_pricing_group(self.cleaned_data.get("forced_pricing_group_id"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if CONNECT in self.data and not cleaned.get(ATTESTATION):
            self.add_error(ATTESTATION, ATTESTATION_REQUIRED)
        if cleaned.get("mirror_loyalty_points") and not self.instance.mirror_loyalty_points:
            refusal = mirror_refusal(self.instance.company_id)
            if refusal:
                self.add_error("mirror_loyalty_points", refusal)
        risky = self.risky_changes(cleaned)
        if risky and not cleaned.get("confirm_warnings"):
            self.needs_confirmation = True
            for name, why in risky.items():
                self.add_error(
                    name,
                    f"\u26a0\ufe0f {why} To do it anyway, tick \u201cI have read the "
                    "warnings\u201d below and save again.",
                )
        return cleaned

    def risky_changes(self, cleaned: dict[str, Any]) -> dict[str, str]:
        """Changes the seed articles warn against, field -> why (compared with the card
        as saved: ``self.instance`` is not updated until after ``clean``)."""
        risky = {}
        sms_date = cleaned.get("sms_double_opt_in_after")
        saved_date = self.instance.sms_double_opt_in_after
        if "sms_double_opt_in_after" in self.fields and sms_date != saved_date:
            risky["sms_double_opt_in_after"] = sms_date_warning(self.instance, sms_date)
        if (
            "use_last_backup" in self.fields
            and cleaned.get("use_last_backup")
            and not self.instance.use_last_backup
        ):
            risky["use_last_backup"] = (
                "This stops AIQ from reading new data from the POS: turn it on only when "
                "switching POS systems."
            )
        enroll_after = cleaned.get("enroll_loyalty_after")
        if (
            "enroll_loyalty_after" in self.fields
            and enroll_after
            and enroll_after != self.instance.enroll_loyalty_after
        ):
            # The preview counts the very query saving runs (loyalty.enrollment).
            count = preview_count(self.instance, enroll_after)
            risky["enroll_loyalty_after"] = (
                f"This will enroll {count:,} persona{pluralize(count)} who purchased at "
                f"{self.instance.label} on or after {date_format(enroll_after)} in the "
                "loyalty program."
            )
        return risky


class CredentialForm(RejectsControlCharacters, forms.Form):
    """The provider's credential fields (labels from the seeds) and "Sandbox credential".

    Secrets are password inputs that never render a value back.
    """

    required_css_class = "required"

    def __init__(
        self,
        integration: Integration,
        *args: Any,
        credential: Credential | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", "credential")
        if credential is not None and "initial" not in kwargs:
            # Readable fields only: a saved secret is never sent back to the browser.
            kwargs["initial"] = {**credential.public_fields, "is_sandbox": credential.is_sandbox}
        super().__init__(*args, **kwargs)
        self.integration = integration
        self.credential = credential
        for spec in credential_fields(integration.provider):
            widget = (
                forms.PasswordInput(attrs={"autocomplete": "new-password"})
                if spec.secret
                else forms.TextInput(attrs={"autocomplete": "off"})
            )
            help_text = spec.help_text
            saved = credential is not None and spec.secret and credential.has_secret(spec.name)
            if saved:
                hint = credential.secret_hint(spec.name)
                shown = masked(hint) if hint else f"set {set_on(credential, spec.name)}"
                help_text = f"Saved: {shown}. Leave blank to keep it."
            self.fields[spec.name] = forms.CharField(
                label=spec.label,
                required=spec.required and not saved,
                help_text=help_text,
                widget=widget,
                strip=True,
                max_length=MAX_VALUE_LENGTH,
            )
        if settings.POS_SANDBOX_ENABLED or (credential is not None and credential.is_sandbox):
            self.fields["is_sandbox"] = forms.BooleanField(
                label="Sandbox credential",
                required=False,
                help_text="Talk to this server's POS sandbox instead of the real POS.",
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            values = clean_credential_values(
                self.integration,
                cleaned,
                is_sandbox=bool(cleaned.get("is_sandbox")),
                credential=self.credential,
            )
        except ValidationError as error:
            self.add_error(None, error)
            return cleaned
        self.credential_values = values
        return cleaned
