"""A company's SMS provider account: Twilio credentials (the auth token encrypted at rest
like the POS credentials, aiq/crypto.py), the number texts come from, the daily limit."""

from __future__ import annotations

import uuid

from django.db import models

from aiq import crypto
from aiq.accounts.models import Company

TWILIO = "twilio"
PROVIDER_CHOICES = [(TWILIO, "Twilio")]
DEFAULT_DAILY_LIMIT = 1000


class SmsSettings(models.Model):
    """One per company. ``is_sandbox`` sends to this deployment's Twilio sandbox."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="sms_settings")
    provider = models.CharField(max_length=20, choices=PROVIDER_CHOICES, default=TWILIO)
    account_sid = models.CharField("Account SID", max_length=64)
    auth_token_encrypted = models.TextField(editable=False)
    auth_token_hint = models.CharField(max_length=4, blank=True, editable=False)
    from_number = models.CharField(
        "from number", max_length=20, help_text="The Twilio number texts come from, in E.164."
    )
    daily_limit = models.PositiveIntegerField(
        "daily send limit",
        default=DEFAULT_DAILY_LIMIT,
        help_text="At most this many texts a day (store time); the rest wait for the next day.",
    )
    is_sandbox = models.BooleanField(
        "sandbox",
        default=False,
        help_text="Send to this deployment's Twilio sandbox (/sandbox/twilio/) instead of Twilio.",
    )
    # In the webhook addresses: names the company without showing its id or a secret.
    webhook_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SMS settings"
        verbose_name_plural = "SMS settings"

    def __str__(self) -> str:
        return f"SMS via {self.get_provider_display()} from {self.from_number}"

    def set_auth_token(self, token: str) -> None:
        self.auth_token_encrypted = crypto.encrypt(token)
        self.auth_token_hint = token[-4:]

    @property
    def auth_token(self) -> str:
        return crypto.decrypt(self.auth_token_encrypted) if self.auth_token_encrypted else ""
