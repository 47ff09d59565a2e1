"""Menu sync runs and the products they set aside."""

from __future__ import annotations

from django.db import models

from aiq.accounts.models import TenantModel
from ecommerce.choices import MenuSyncMode, MenuSyncStatus, MenuSyncTrigger
from ecommerce.models.settings import CovaEcommerceSettings


class MenuSyncRun(TenantModel):
    """One menu sync of one store: mode, outcome, counts and the error if any."""

    settings = models.ForeignKey(
        CovaEcommerceSettings, on_delete=models.CASCADE, related_name="runs"
    )
    mode = models.CharField(max_length=20, choices=MenuSyncMode.choices)
    trigger = models.CharField(max_length=20, choices=MenuSyncTrigger.choices)
    status = models.CharField(
        max_length=20, choices=MenuSyncStatus.choices, default=MenuSyncStatus.RUNNING
    )
    updated_as_of = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    fetched = models.PositiveIntegerField(default=0)
    written = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "menu sync run"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} sync at {self.started_at:%Y-%m-%d %H:%M}"


class MenuQuarantinedProduct(TenantModel):
    """A Cova product that could not be read, kept with its reason and payload.

    One row per (settings, cova product id or payload hash); ``resolved`` turns true when a
    later sync lands a good record with the same id.
    """

    settings = models.ForeignKey(
        CovaEcommerceSettings, on_delete=models.CASCADE, related_name="quarantined_products"
    )
    fingerprint = models.CharField(max_length=160)
    cova_product_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField()
    payload = models.JSONField(null=True, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved = models.BooleanField(default=False)

    class Meta:
        verbose_name = "quarantined menu product"
        constraints = [
            models.UniqueConstraint(
                fields=["settings", "fingerprint"], name="menu_quarantine_unique_fingerprint"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cova_product_id or self.fingerprint}: {self.reason}"
