"""Purchases synced from a POS: one row per sale (or refund), its lines beside it."""

from __future__ import annotations

from django.db import models

from aiq.accounts.models import TenantModel
from aiq.personas.choices import Fulfillment, Source
from aiq.personas.models.persona import Persona

MONEY = {"max_digits": 12, "decimal_places": 2}


class Sale(TenantModel):
    """A completed sale or refund from one source, keyed by (company, source, external id).

    ``persona`` is set when the shopper is known (a source identity with usable PII);
    anonymous sales keep only ``customer_external_id``, which links them later if the
    shopper becomes a persona. ``store`` follows the store mapping of ``pos_key`` and is
    blank while the key is unmapped. ``payments`` is the list of tenders
    (``[{"method": "Cash", "amount": "12.00"}]``): they are only ever read with their
    sale, so a JSON list saves a third table and a row per tender on every import;
    ``payment_method`` is the largest tender's method, the one audiences filter on.
    """

    # Indexes are few on purpose: each one costs import speed (see bench_sync). The
    # unique key's (company, ...) prefix serves company lookups.
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    persona = models.ForeignKey(
        Persona,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sales",
        db_index=False,  # covered by sale_persona_time
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    external_id = models.CharField(max_length=128)
    customer_external_id = models.CharField(
        "POS customer id", max_length=128, blank=True, help_text="The shopper's id in the POS."
    )
    pos_key = models.CharField(
        "POS key", max_length=128, help_text="The POS location the sale was rung up at."
    )
    store = models.ForeignKey(
        "stores.RetailStore",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sales",
        db_index=False,
        help_text="From the store mapping of the POS key; blank while the key is unmapped.",
    )
    occurred_at = models.DateTimeField()
    subtotal = models.DecimalField(**MONEY)
    tax = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default="USD")
    fulfillment = models.CharField(
        max_length=10, choices=Fulfillment.choices, default=Fulfillment.IN_STORE
    )
    payment_method = models.CharField(max_length=60, blank=True)
    payments = models.JSONField(default=list, blank=True)
    is_refund = models.BooleanField("refund", default=False)
    receipt_number = models.CharField(max_length=64, blank=True)
    # Hash of the POS content as last synced: an unchanged sale is not written again.
    content_hash = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "source", "external_id"], name="sale_unique_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["persona", "occurred_at"], name="sale_persona_time"),
            # Anonymous sales waiting for their shopper to become a persona.
            models.Index(
                fields=["company", "source", "customer_external_id"],
                name="sale_unlinked_customer",
                condition=models.Q(persona__isnull=True),
            ),
        ]
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        kind = "Refund" if self.is_refund else "Sale"
        return f"{kind} {self.external_id} ({self.total} {self.currency})"


class SaleLine(models.Model):
    """One line of a sale. Lines are replaced as a whole when their sale changes, so they
    carry no key of their own; they belong to the sale's company."""

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    external_id = models.CharField(max_length=128, blank=True)
    product_external_id = models.CharField(max_length=128, blank=True)
    sku = models.CharField(max_length=128, blank=True)
    name = models.CharField(max_length=255, blank=True)
    category = models.CharField(max_length=128, blank=True)
    # The product's brand as the POS names it; blank where the POS's lines carry none
    # (Cova, Clover) and on lines synced before brands were kept.
    brand = models.CharField(max_length=128, blank=True, default="", db_default="")
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["sale", "position"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.name or self.sku or self.product_external_id}"
