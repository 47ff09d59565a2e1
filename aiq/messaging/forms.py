"""The SMS settings form: the auth token is a password field that never renders back
(blank keeps the saved one), the from number is checked as E.164."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings

from aiq.messaging.models import SmsSettings

E164 = re.compile(r"^\+[1-9]\d{7,14}$")


class SmsSettingsForm(forms.ModelForm):
    auth_token = forms.CharField(
        label="Auth token",
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Twilio Console > Account Info. Stored encrypted.",
    )

    class Meta:
        model = SmsSettings
        fields = [
            "provider",
            "account_sid",
            "auth_token",
            "from_number",
            "daily_limit",
            "is_sandbox",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.auth_token_hint:
            self.fields["auth_token"].help_text = (
                f"Saved: \u2022\u2022\u2022\u2022{self.instance.auth_token_hint}. "
                "Leave blank to keep it."
            )

    def clean_account_sid(self) -> str:
        sid = self.cleaned_data["account_sid"].strip()
        if not re.fullmatch(r"AC[0-9a-fA-F]{32}", sid):
            raise forms.ValidationError("An Account SID is AC followed by 32 hex characters.")
        return sid

    def clean_from_number(self) -> str:
        number = re.sub(r"[\s().-]", "", self.cleaned_data["from_number"])
        if not E164.match(number):
            raise forms.ValidationError("Enter the number in E.164, e.g. +12065550100.")
        return number

    def clean_is_sandbox(self) -> bool:
        wanted = bool(self.cleaned_data.get("is_sandbox"))
        if wanted and not settings.POS_SANDBOX_ENABLED:
            raise forms.ValidationError("This deployment serves no sandbox.")
        return wanted

    def clean_auth_token(self) -> str:
        token = self.cleaned_data.get("auth_token", "")
        if not token and not (self.instance.pk and self.instance.auth_token_encrypted):
            raise forms.ValidationError("Enter the auth token.")
        return token

    def save(self, commit: bool = True) -> SmsSettings:
        if self.cleaned_data.get("auth_token"):
            self.instance.set_auth_token(self.cleaned_data["auth_token"])
        return super().save(commit)
