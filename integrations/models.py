"""The integration card (one per company and POS), its credentials, its history, and
the POS keys (locations, venues, merchants) it has seen."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from aiq.accounts.models import TenantModel
from aiq.crypto import decrypt, encrypt
from integrations.choices import CredentialState, EventAction, IntegrationStatus, PosKeySource
from integrations.providers import PROVIDER_CHOICES, PROVIDERS
from integrations.secret_hints import hints_for

if TYPE_CHECKING:
    from integrations.providers.base import Provider


class Integration(TenantModel):
    """A company's card for one POS provider: status, card settings and attestation.

    Which settings a provider's card shows is decided by the admin (seed articles); every
    setting is stored here so the sync and loyalty layers read one place.
    """

    provider = models.CharField(max_length=20, choices=PROVIDER_CHOICES)
    status = models.CharField(
        max_length=20, choices=IntegrationStatus.choices, default=IntegrationStatus.NOT_CONNECTED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_detail = models.CharField(max_length=300, blank=True)

    # Card settings (labels and help texts live in the admin, from the seeds).
    relevant_markets = models.JSONField(default=list, blank=True)
    sync_to_relevant_market = models.BooleanField(default=False)
    forced_pricing_group_id = models.CharField(max_length=100, blank=True)
    restrict_location_ids = models.JSONField(default=list, blank=True)
    use_last_backup = models.BooleanField(default=False)
    sync_personas = models.BooleanField(default=False)
    sync_personas_enabled_at = models.DateTimeField(null=True, blank=True)
    skip_payment_method = models.BooleanField(default=False)
    sms_double_opt_in_after = models.DateField(null=True, blank=True)
    enroll_loyalty_after = models.DateField(null=True, blank=True)
    loyalty_points_imported_on = models.DateField(null=True, blank=True)
    mirror_loyalty_points = models.BooleanField(default=False)
    sync_interval_minutes = models.PositiveIntegerField(default=15)
    age_gate_attested = models.BooleanField(default=False)
    age_gate_attested_at = models.DateTimeField(null=True, blank=True)
    age_gate_attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "provider"], name="one_card_per_provider")
        ]
        ordering = ["provider"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return PROVIDERS[self.provider].label


class Credential(TenantModel):
    """One set of POS credentials on a card. Secret fields are encrypted at rest; of each,
    only when it was changed and, for a long one, a short hint are readable
    (``integrations.secret_hints``)."""

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="credentials"
    )
    public_fields = models.JSONField(default=dict, blank=True)
    secret_fields_encrypted = models.TextField(blank=True)
    # field -> {"hint": last characters or "" (integrations.secret_hints), "changed_at": ISO}
    secret_hints = models.JSONField(default=dict, blank=True)
    is_sandbox = models.BooleanField(
        "sandbox credential",
        default=False,
        help_text="Talk to this server's POS sandbox instead of the real POS.",
    )
    state = models.CharField(
        max_length=20, choices=CredentialState.choices, default=CredentialState.UNVERIFIED
    )
    last_error_code = models.CharField(max_length=40, blank=True)
    last_error = models.TextField(blank=True)
    last_verified_at = models.DateTimeField(null=True, blank=True)
    # What Connect found that works but limits the integration, in staff words (e.g. a
    # Clover token without Write for Customers: reading works, Sync Personas does not).
    warnings = models.JSONField(default=list, blank=True)
    # Scheduling (integrations.sync.scheduling): the dispatcher claims a credential whose
    # next_sync_at has passed (or is blank: never synced) by moving it forward with a
    # conditional UPDATE; next_full_sync_at does the same for the nightly reconciliation.
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_full_sync_at = models.DateTimeField(null=True, blank=True)
    # When the dispatcher last claimed it: a credential verified (connected) after that is
    # due again at once, so a reconnect syncs within a minute too.
    sync_claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """What staff call this credential: store name, merchant id or username."""
        for name in ("store_name", "merchant_id", "username", "client_id"):
            if self.public_fields.get(name):
                return str(self.public_fields[name])
        return f"Credential {self.pk}"

    def set_values(self, values: dict[str, str]) -> None:
        """Store a full set of credential values: secrets encrypted, the rest readable."""
        from integrations.providers import get_provider_class

        fields = {
            f.name: f for f in get_provider_class(self.integration.provider).credential_fields
        }
        secrets = {k: v for k, v in values.items() if k in fields and fields[k].secret and v}
        self.public_fields = {
            k: v for k, v in values.items() if not (k in fields and fields[k].secret)
        }
        previous = self.values() if self.secret_fields_encrypted else {}
        self.secret_fields_encrypted = encrypt(json.dumps(secrets)) if secrets else ""
        self.secret_hints = hints_for(secrets, previous, self.secret_hints)

    def has_secret(self, name: str) -> bool:
        """True when a value is saved for the secret field ``name``."""
        return name in self.secret_hints

    def secret_hint(self, name: str) -> str:
        """What staff may see of the secret: its last characters when it is long, else ""."""
        return str((self.secret_hints.get(name) or {}).get("hint", ""))

    def secret_changed_at(self, name: str) -> datetime | None:
        """When the secret field ``name`` was last given a new value."""
        stamp = (self.secret_hints.get(name) or {}).get("changed_at")
        return datetime.fromisoformat(stamp) if stamp else None

    def values(self) -> dict[str, str]:
        """Every credential value in clear. Call only where a client is built."""
        secrets = (
            json.loads(decrypt(self.secret_fields_encrypted))
            if self.secret_fields_encrypted
            else {}
        )
        return {**self.public_fields, **secrets}

    def provider_client(self, sandbox_origin: str | None = None, **kwargs) -> Provider:  # type: ignore[no-untyped-def]
        """A provider client for this credential, pointed at the sandbox when marked so.

        ``sandbox_origin`` overrides POS_SANDBOX_ORIGIN, e.g. for a sandbox started
        in-process by a command or a test.
        """
        from integrations.endpoints import base_urls_for
        from integrations.providers import get_provider_class

        key = self.integration.provider
        base_urls = base_urls_for(key, sandbox=self.is_sandbox, origin=sandbox_origin)
        values = self.values()
        if self.is_sandbox:
            # What AIQ itself holds for the real POS (POSaBIT's integrator token) has a
            # sandbox twin; staff never type it and it is never stored on a credential.
            from integrations.sandbox_credentials import with_sandbox_platform_values

            values = with_sandbox_platform_values(key, values)
        return get_provider_class(key)(values, base_urls=base_urls, **kwargs)


class IntegrationEvent(TenantModel):
    """One change to a card or its credentials: who, when, what (secrets redacted)."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30, choices=EventAction.choices)
    changes = models.JSONField(default=dict, blank=True)  # field -> [before, after]
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"


class PosKey(TenantModel):
    """A key a POS uses for a place (Cova location id, POSaBIT venue, Clover merchant),
    as discovered from the POS or seen in synced data. Store Mappings map these."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="pos_keys")
    credential = models.ForeignKey(
        Credential, null=True, blank=True, on_delete=models.SET_NULL, related_name="pos_keys"
    )
    key = models.CharField(max_length=128)
    name = models.CharField(max_length=200, blank=True)
    state = models.CharField("state / province", max_length=50, blank=True)
    source = models.CharField(max_length=10, choices=PosKeySource.choices)
    has_data = models.BooleanField(default=False)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "POS key"
        constraints = [
            models.UniqueConstraint(fields=["integration", "key"], name="pos_key_unique")
        ]
        ordering = ["integration", "name", "key"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})" if self.name else self.key


# The sync engine's models live beside its code; importing them here registers them.
from integrations.sync.models import (  # noqa: E402
    KnownCustomer,
    QuarantinedRecord,
    SyncCursor,
    SyncRun,
)

__all__ = [
    "Credential",
    "Integration",
    "IntegrationEvent",
    "KnownCustomer",
    "PosKey",
    "QuarantinedRecord",
    "SyncCursor",
    "SyncRun",
]
