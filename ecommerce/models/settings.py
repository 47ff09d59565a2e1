"""Store > Integrations > COVA: one retail store's Cova ecommerce settings."""

from __future__ import annotations

import json
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import slugify

from aiq.accounts.models import TenantModel
from aiq.crypto import decrypt, encrypt
from ecommerce.choices import SYNCABLE_FIELD_NAMES, MenuCategory, VerificationState
from stores.models import RetailStore

SECRET_FIELDS = ("password", "client_secret")


def _all_syncable_fields() -> list[str]:
    return list(SYNCABLE_FIELD_NAMES)


class CovaEcommerceSettings(TenantModel):
    """A retail store's COVA ecommerce integration (seed 002): credentials, toggles, the
    menu sync's schedule, lease, cursor and health.

    Password and Client Secret are encrypted at rest with ``aiq.crypto`` (like the POS
    cards' credentials); the other fields are readable.
    """

    store = models.OneToOneField(
        RetailStore, on_delete=models.CASCADE, related_name="cova_ecommerce"
    )
    enabled = models.BooleanField("enable the integration", default=False)
    company_id_at_cova = models.CharField("Company ID", max_length=32, blank=True)
    location_id = models.CharField("Location ID", max_length=32, blank=True)
    username = models.CharField(max_length=200, blank=True)
    client_id = models.CharField("Client ID", max_length=200, blank=True)
    secrets_encrypted = models.TextField(blank=True)
    is_sandbox = models.BooleanField(
        "sandbox credentials",
        default=False,
        help_text="Talk to this server's Cova sandbox instead of the real Cova.",
    )
    sync_orders = models.BooleanField(
        "Sync Orders",
        default=False,
        help_text="Push new orders into COVA when they are confirmed (orders come later).",
    )

    # The online menu (ecommerce/shop): its public address, age gate and order handling.
    shop_slug = models.SlugField(
        "online menu address",
        max_length=80,
        unique=True,
        null=True,
        blank=True,
        help_text="The menu lives at /shop/<this>/. Blank: made from the store's name.",
    )
    minimum_age = models.PositiveSmallIntegerField(
        "minimum age",
        default=21,
        validators=[MinValueValidator(18), MaxValueValidator(99)],
        help_text="Shoppers confirm this age at the menu's door; checkout checks the date of "
        "birth against it.",
    )
    auto_confirm_orders = models.BooleanField(
        "auto-confirm online orders",
        default=False,
        help_text="Confirm each online order as it is placed, instead of staff confirming it "
        "under Menu > Online orders.",
    )

    # POS settings: which fields sync, and what a person edited locally.
    synced_fields = models.JSONField(default=_all_syncable_fields, blank=True)
    keep_local_edits = models.BooleanField(
        "keep fields edited here",
        default=True,
        help_text="A field someone edited on a product here is no longer overwritten by Cova.",
    )
    default_menu_category = models.CharField(
        max_length=20, choices=MenuCategory.choices, default=MenuCategory.OTHER
    )

    # Verification of the credentials (on Save).
    verification_state = models.CharField(
        max_length=20, choices=VerificationState.choices, default=VerificationState.UNVERIFIED
    )
    verification_error = models.TextField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    # Scheduling: the dispatcher claims a row whose next_sync_at has passed (or is blank:
    # never synced) by moving it forward with a conditional UPDATE.
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The lease: a run holds it until it ends or the lease expires (a crashed worker).
    lease_token = models.CharField(max_length=36, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # The cursor: the UpdatedAsOf moment of the next incremental sync, written in the same
    # transaction as the last page of the run it covers; blank means a full sync is due.
    cursor_updated_as_of = models.DateTimeField(null=True, blank=True)
    # Number specifications whose names are not one of the 20 supported labs (staff fix
    # them in Cova): name -> how many products carried it at the last sight.
    unsupported_lab_names = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "COVA ecommerce settings"
        verbose_name_plural = "COVA ecommerce settings"

    def __str__(self) -> str:
        return f"COVA ecommerce: {self.store}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.shop_slug:
            self.shop_slug = self._free_shop_slug()
        super().save(*args, **kwargs)

    def _free_shop_slug(self) -> str:
        # The store's name ("capitol-hill"), numbered when another store took it; the
        # unique constraint is the backstop for two saves racing.
        base = (slugify(self.store.name) or "store")[:70]
        taken = set(
            CovaEcommerceSettings.objects.filter(shop_slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("shop_slug", flat=True)
        )
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        return candidate

    def set_secrets(self, values: dict[str, str]) -> None:
        """Store Password and Client Secret encrypted; a blank value keeps the saved one."""
        current = self.secrets()
        merged = {name: values.get(name) or current.get(name, "") for name in SECRET_FIELDS}
        kept = {name: value for name, value in merged.items() if value}
        self.secrets_encrypted = encrypt(json.dumps(kept)) if kept else ""

    def secrets(self) -> dict[str, str]:
        """Password and Client Secret in clear. Call only where a client is built."""
        if not self.secrets_encrypted:
            return {}
        return dict(json.loads(decrypt(self.secrets_encrypted)))

    def has_secret(self, name: str) -> bool:
        return bool(self.secrets().get(name))

    def credential_values(self) -> dict[str, str]:
        """Everything the Cova client needs, in the POS card's field names."""
        return {
            "client_id": self.client_id,
            "username": self.username,
            "company_id": self.company_id_at_cova,
            **self.secrets(),
        }

    def category_for(self, classification: str, mappings: dict[str, str]) -> str:
        """Our menu category for a Cova classification (case-insensitive), else the default."""
        return mappings.get(classification.strip().lower(), self.default_menu_category)


class CategoryMapping(TenantModel):
    """Cova classification -> our menu category, for one store's settings."""

    settings = models.ForeignKey(
        CovaEcommerceSettings, on_delete=models.CASCADE, related_name="category_mappings"
    )
    cova_classification = models.CharField(max_length=200)
    menu_category = models.CharField(max_length=20, choices=MenuCategory.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["settings", "cova_classification"], name="category_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cova_classification} -> {self.get_menu_category_display()}"
