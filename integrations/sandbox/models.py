"""What the sandboxes persist: records written through their APIs.

Generated data is never stored. A record created through a sandbox API, or a generated
record changed through it, is kept here as the provider-native JSON payload, keyed by
(provider, account, kind, external id). Reads merge these over the generated records.
"""

from __future__ import annotations

from django.db import models


class SandboxRecord(models.Model):
    """A customer (or stock level) written to a sandbox POS through its API."""

    provider = models.CharField(max_length=16)
    # SandboxAccount.key: sha256 hex of the credential identity (options stripped).
    account = models.CharField(max_length=64)
    kind = models.CharField(max_length=32)
    external_id = models.CharField(max_length=64)
    # The index of the generated record this one overrides; null when created via the API.
    generated_index = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "account", "kind", "external_id"],
                name="sandbox_record_unique_external_id",
            )
        ]
        indexes = [models.Index(fields=["provider", "account", "kind", "generated_index"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} {self.external_id}"


# The Twilio sandbox's tables live in this app too (one sandbox app, one migration chain).
from integrations.sandbox.twilio.models import SandboxSmsMessage, SandboxSmsNumber  # noqa: E402

__all__ = ["SandboxRecord", "SandboxSmsMessage", "SandboxSmsNumber"]
