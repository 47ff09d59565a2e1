"""The company's loyalty program (Settings > Loyalty), its points blocklist and history.

Every number of points or dollars is a Decimal: "fractional" rounding keeps hundredths of
a point exactly, which a float cannot.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from aiq.accounts.models import Company, TenantModel
from loyalty.program.choices import ExpirationMode, ProgramEventAction, Rounding


class LoyaltyProgram(TenantModel):
    """One company's loyalty settings. Created on the first "Save settings", never on a
    page view; never deleted (turning loyalty off keeps every balance)."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, related_name="loyalty_program"
    )
    enabled = models.BooleanField("Enable loyalty points", default=False)
    enabled_changed_at = models.DateTimeField(null=True, blank=True)

    # Stored per $1; the form also reads and shows it per $100, as AIQ counts.
    points_per_dollar = models.DecimalField(
        "Points per dollar spent",
        max_digits=10,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    points_per_visit = models.DecimalField(
        "Points per visit",
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    max_visits_per_day = models.PositiveSmallIntegerField(
        "Maximum visits per day",
        default=1,
        validators=[MinValueValidator(1)],
    )
    # Blank: tax dollars earn points. A date: sales on or after it earn on the pre-tax
    # amount only; earlier sales are never recomputed.
    no_tax_accrual_from = models.DateField(
        "Don't accrue points on tax dollars, starting on", null=True, blank=True
    )
    rounding = models.CharField(max_length=12, choices=Rounding.choices, default=Rounding.DOWN)
    accrual_start_date = models.DateField(
        "Customers can earn points starting on", null=True, blank=True
    )
    expiration_mode = models.CharField(
        "Points expiration",
        max_length=10,
        choices=ExpirationMode.choices,
        default=ExpirationMode.NONE,
    )
    expiration_days = models.PositiveIntegerField(
        "Expire after (days)", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # The day the expiration rules in force were set: they apply from then on, and
    # nothing earned before is recomputed.
    expiration_rules_from = models.DateField(null=True, blank=True)
    # Manual "gifted" adjustments keep their points unless the program says otherwise.
    gifted_points_expire = models.BooleanField(
        "Manual adjustments (gifted points) expire too", default=False
    )
    budtender_can_see_queue = models.BooleanField(
        "Budtender can see waiting room queue", default=False
    )
    hide_points_in_wallet = models.BooleanField("Hide points in the wallet", default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "loyalty program"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points_per_dollar__gte=0) & models.Q(points_per_visit__gte=0),
                name="loyalty_program_rates_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(expiration_mode=ExpirationMode.NONE)
                | models.Q(expiration_days__gte=1),
                name="loyalty_program_expiry_has_days",
            ),
        ]

    def __str__(self) -> str:
        return "Loyalty settings"

    @property
    def points_per_hundred_dollars(self) -> Decimal:
        return self.points_per_dollar * 100


class BlockedPhone(TenantModel):
    """A phone number (E.164) on the points blocklist: its owner earns nothing (staff)."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="blocked")
    phone = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "blocked phone number"
        ordering = ["phone"]
        constraints = [
            models.UniqueConstraint(fields=["program", "phone"], name="blocked_phone_unique")
        ]

    def __str__(self) -> str:
        return self.phone


class LoyaltyProgramEvent(TenantModel):
    """One change to the loyalty settings: who, when, what (field -> [before, after])."""

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30, choices=ProgramEventAction.choices)
    changes = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"
