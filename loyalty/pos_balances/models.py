"""What "Loyalty points imported on <date>" has imported, one row per POS shopper."""

from __future__ import annotations

from django.db import models

from aiq.accounts.models import TenantModel
from loyalty.ledger.models import POINTS


class PosBalanceImport(TenantModel):
    """The POS balance of one shopper record, imported once for the card's date.

    The unique key (card, POS customer, date) is what makes the import run once: a later
    sync finds the row and asks the POS nothing. A zero balance is recorded too (with no
    entry), so it is not asked for again either. Keyed on the POS customer rather than
    the persona: a persona merged from two POS records has two balances, and a merge or
    its undo never imports one again.
    """

    integration = models.ForeignKey(
        "integrations.Integration", on_delete=models.CASCADE, related_name="+"
    )
    customer_external_id = models.CharField("POS customer id", max_length=128)
    imported_on = models.DateField(help_text='The card\'s "Loyalty points imported on" date.')
    persona = models.ForeignKey(
        "personas.Persona",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pos_balance_imports",
    )
    points = models.DecimalField(**POINTS)
    entry = models.OneToOneField(
        "loyalty.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The import entry (none for a zero balance).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "POS balance import"
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "customer_external_id", "imported_on"],
                name="pos_balance_imported_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_external_id}: {self.points} points imported {self.imported_on}"
