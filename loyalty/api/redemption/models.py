"""One redemption of a wallet discount through the POS API, with its first answers."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from aiq.accounts.models import TenantModel
from loyalty.api.redemption.choices import RedemptionStatus
from loyalty.ledger.models import POINTS, LedgerEntry


class Redemption(TenantModel):
    """A discount redeemed (or held) for a shopper by a POS call on the redemption URL.

    ``request_key`` is what makes the call idempotent: ``txn:<POS transaction id>``, or
    ``key:<Idempotency-Key header>`` when the POS sends no transaction id (NULL when it
    sends neither). One row per key and company, whatever races: the unique constraint
    says so. The first successful answer of each method is stored and replayed to retries.

    ``deducts_on_apply``: the POS (Cova) redeems when the discount is applied to the cart,
    not at checkout, so the points are only final once the sale syncs carrying the
    discount; ``reconcile_by`` is when they come back if no such sale has arrived.
    """

    persona = models.ForeignKey("personas.Persona", on_delete=models.CASCADE, related_name="+")
    discount = models.ForeignKey(
        "loyalty.Discount", on_delete=models.PROTECT, related_name="redemptions"
    )
    api_key = models.ForeignKey(
        "loyalty.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    transaction_id = models.CharField("POS transaction ID", max_length=100, blank=True)
    # NULL, not "", when absent: the unique constraint must ignore calls without a key.
    request_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001
    status = models.CharField(max_length=10, choices=RedemptionStatus.choices)
    points = models.DecimalField(**POINTS)

    hold_entry = models.ForeignKey(
        "loyalty.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    redeem_entry = models.ForeignKey(
        "loyalty.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_entry = models.ForeignKey(
        "loyalty.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The release of the hold, or the reversal that gave the points back.",
    )
    discount_use = models.ForeignKey(
        "loyalty.DiscountUse", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The first successful answer of each method, replayed to every retry. Stored as the
    # JSON text sent (not jsonb, which reorders keys), so a retry gets the same bytes.
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    hold_response = models.TextField(blank=True)
    release_response = models.TextField(blank=True)

    deducts_on_apply = models.BooleanField(default=False)
    reconcile_by = models.DateTimeField(null=True, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    sale = models.ForeignKey(
        "personas.Sale", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True, help_text="What happened, in words.")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "request_key"], name="redemption_once_per_request_key"
            ),
        ]
        indexes = [
            models.Index(
                fields=["hold_expires_at"],
                condition=Q(status=RedemptionStatus.HELD),
                name="redemption_open_hold_expiry",
            ),
            models.Index(
                fields=["company", "transaction_id"],
                condition=Q(reconcile_by__isnull=False, reconciled_at__isnull=True),
                name="redemption_awaiting_sale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.discount_id} for persona {self.persona_id}: {self.get_status_display()}"

    @property
    def debit_entry(self) -> LedgerEntry | None:
        """The entry whose points left the balance: the hold when the PUT committed one."""
        return self.hold_entry if self.hold_entry_id else self.redeem_entry
