"""API keys POS terminals send in X-APIKEY, and the request log per key."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from aiq.accounts.models import TenantModel


class ApiKey(TenantModel):
    """A key for the POS-facing loyalty API. Only its sha256 is stored: the key itself is
    shown once, when it is created. ``prefix`` (its first 8 characters) tells keys apart
    in lists and narrows the lookup before the constant-time comparison."""

    name = models.CharField(max_length=100)
    store = models.ForeignKey(
        "stores.RetailStore",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Leave blank for a key every store may use.",
    )
    prefix = models.CharField(max_length=8, editable=False, db_index=True)
    hash = models.CharField(max_length=64, editable=False, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def clean(self) -> None:
        if self.store_id and self.company_id and self.store.company_id != self.company_id:
            raise ValidationError({"store": "This store belongs to another company."})

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiRequestLog(TenantModel):
    """One API call: when, what, how it ended and how long it took. Never a body, and
    phone numbers and emails in the path are masked."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="requests")
    at = models.DateTimeField(db_index=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    latency_ms = models.PositiveIntegerField("latency (ms)")

    class Meta:
        verbose_name = "API request"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["key", "-at"], name="api_request_key_at")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
