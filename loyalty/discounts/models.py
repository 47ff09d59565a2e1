"""Discounts shoppers redeem with their points, and the record of each use (so single use
and cooldowns can be checked before the redemption API exists)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models.functions import Lower, Trim

from aiq.accounts.models import TenantModel
from loyalty.discounts.choices import DiscountKind

MONEY = {"max_digits": 12, "decimal_places": 2}


class Discount(TenantModel):
    """A reward: e.g. 400 points for $40 off the cart. POSaBIT mirrors it by its exact
    name; Cova applies at most one per order, before or after taxes."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=DiscountKind.choices, default=DiscountKind.FLAT)
    value = models.DecimalField(**MONEY)
    points_cost = models.DecimalField("points required", max_digits=12, decimal_places=2)
    pos_discount_id = models.CharField("POS discount ID", max_length=100, blank=True)
    apply_before_tax = models.BooleanField(
        "apply", default=True, choices=[(True, "Before taxes"), (False, "After taxes")]
    )
    active_from = models.DateField("active from", null=True, blank=True)
    active_until = models.DateField("active until", null=True, blank=True)
    # None of them: every store.
    stores = models.ManyToManyField("stores.RetailStore", blank=True, related_name="+")
    single_use = models.BooleanField(
        "use", default=False, choices=[(False, "Multi use"), (True, "Single use per shopper")]
    )
    cooldown_hours = models.PositiveIntegerField("cooldown (hours)", null=True, blank=True)
    minimum_spend = models.DecimalField("minimum spend", null=True, blank=True, **MONEY)
    staff_only = models.BooleanField("staff-only redemption", default=False)
    # PROTECT: deleting the audience must not quietly open the discount to everyone.
    audience = models.ForeignKey(
        "audiences.Audience",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discounts",
        verbose_name="only for audience",
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["points_cost", "name"]
        constraints = [
            # "$10 off " is "$10 off": the form says so first, this is the backstop.
            models.UniqueConstraint(
                models.F("company"), Lower(Trim("name")), name="discount_unique_name_ci"
            ),
            models.CheckConstraint(
                condition=models.Q(points_cost__gt=0), name="discount_points_cost_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gt=0)
                & (~models.Q(kind=DiscountKind.PERCENT) | models.Q(value__lte=100)),
                name="discount_value_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def value_display(self) -> str:
        if self.kind == DiscountKind.PERCENT:
            return f"{_plain(self.value)}% off"
        return f"${self.value:,.2f} off"


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class DiscountUse(TenantModel):
    """One redemption of a discount by a shopper. The redemption flow (the POS API) records
    it; single use and cooldowns are judged from these rows."""

    discount = models.ForeignKey(Discount, on_delete=models.PROTECT, related_name="uses")
    persona = models.ForeignKey("personas.Persona", on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField()
    sale = models.ForeignKey(
        "personas.Sale", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-used_at"]
        indexes = [
            models.Index(fields=["persona", "discount", "used_at"], name="discount_use_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.discount} used {self.used_at:%Y-%m-%d %H:%M}"
