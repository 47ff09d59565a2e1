from __future__ import annotations

import zoneinfo

from django.db import models
from django.db.models.functions import Lower, Trim

from aiq.accounts.models import TenantModel

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class RetailStore(TenantModel):
    """A dispensary location. POS keys map to it (Store Mappings) to attribute sales and
    give shoppers a favorite store."""

    name = models.CharField(max_length=200)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(
        "state / province",
        max_length=50,
        help_text="The market the store sells in, e.g. WA or ON. Drives market-based sync rules.",
    )
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    phone = models.CharField(max_length=20, blank=True, help_text="Stored in E.164.")
    opt_in_queue_enabled = models.BooleanField(
        "Alleaves Opt-in Queue",
        default=False,
        help_text="Show shoppers checking in at this store on the budtenders' waiting-room queue.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "retail store"
        ordering = ["name"]
        constraints = [
            # "capitol hill " is Capitol Hill: the form says so first, this is the backstop
            # for two saves racing.
            models.UniqueConstraint(
                models.F("company"), Lower(Trim("name")), name="store_unique_name_ci"
            )
        ]

    def __str__(self) -> str:
        return self.name


class StoreMapping(TenantModel):
    """Maps one POS key of one provider to a retail store.

    A key maps to at most one store, and a store has at most one key per provider (one
    dropdown per provider symbol on the Retail Store screen).
    """

    store = models.ForeignKey(RetailStore, on_delete=models.CASCADE, related_name="mappings")
    provider = models.CharField(max_length=20)
    key = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "provider", "key"], name="mapping_key_to_one_store"
            ),
            models.UniqueConstraint(fields=["store", "provider"], name="mapping_one_key_per_store"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.key} -> {self.store}"
