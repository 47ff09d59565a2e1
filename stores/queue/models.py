from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models

from aiq.accounts.models import TenantModel
from stores.models import RetailStore
from stores.queue.choices import CheckInDoor, QueueState


def new_check_in_token() -> str:
    """The secret part of a store's check-in page address (about 128 bits)."""
    return secrets.token_urlsafe(16)


class StoreQueue(TenantModel):
    """One store's waiting room: the check-in page's secret address and a version number
    every change to the store's queue increments.

    The version is what keeps a queue page left open all day cheap: the page polls with
    the version it has, and an unchanged version answers 304 after one primary-key read.
    """

    store = models.OneToOneField(RetailStore, on_delete=models.CASCADE, related_name="queue")
    check_in_token = models.CharField(
        max_length=40,
        unique=True,
        default=new_check_in_token,
        help_text="The check-in page's address; a new one retires the old link.",
    )
    version = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "store queue"

    def __str__(self) -> str:
        return f"Queue at {self.store}"


class CheckIn(TenantModel):
    """A shopper on (or once on) a store's waiting-room queue, as they checked in."""

    store = models.ForeignKey(RetailStore, on_delete=models.CASCADE, related_name="check_ins")
    persona = models.ForeignKey(
        "personas.Persona",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="check_ins",
        help_text="Empty until the check-in is linked to a shopper (a name without a phone).",
    )
    # As typed at the door: what the budtender calls out, even before a persona is linked.
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    door = models.CharField(max_length=20, choices=CheckInDoor.choices)
    state = models.CharField(max_length=20, choices=QueueState.choices, default=QueueState.WAITING)
    checked_in_at = models.DateTimeField()
    state_changed_at = models.DateTimeField()
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "check-in"
        ordering = ["checked_in_at", "pk"]
        indexes = [
            models.Index(fields=["store", "state", "checked_in_at"], name="checkin_store_state")
        ]

    def __str__(self) -> str:
        return f"{self.display_name} at {self.store_id} ({self.get_state_display()})"

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        if self.persona is not None and self.persona.full_name:
            return self.persona.full_name
        return self.phone or "Guest"


class CheckInEvent(TenantModel):
    """One state change of a check-in: who moved it, from what, to what, when. Rows are
    only ever added (the check-in itself is a lifecycle; this is its history)."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=QueueState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=QueueState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = "check-in state change"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} -> {self.to_state}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A check-in's history is append-only.")
        super().save(*args, **kwargs)


class CounterRedemption(TenantModel):
    """A discount a staff member held for a shopper at the counter, through the API's
    redemption service (the ``redemption`` row carries the points and their state).

    ``order_key`` names the visit (a check-in, or the shopper's day when found by the
    wallet search); ``attempt`` counts the holds released on it, so the visit gets a new
    transaction id only once its earlier hold is gone: one discount per order.
    """

    redemption = models.OneToOneField(
        "loyalty.Redemption", on_delete=models.CASCADE, related_name="counter"
    )
    persona = models.ForeignKey("personas.Persona", on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey(RetailStore, on_delete=models.CASCADE, related_name="+")
    check_in = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="redemptions"
    )
    order_key = models.CharField(max_length=80)
    attempt = models.PositiveSmallIntegerField(default=1)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "counter redemption"
        indexes = [
            models.Index(fields=["persona", "-created_at"], name="counter_redemption_persona")
        ]

    def __str__(self) -> str:
        return f"{self.order_key}.{self.attempt}"

    @property
    def transaction_id(self) -> str:
        return f"{self.order_key}.{self.attempt}"


class VipLine(TenantModel):
    """The lifetime spend from which a company's shoppers wear the queue's VIP badge: the
    top tenth of its spenders (stores/queue/vip.py). Computed from all the company's sales,
    so stored rather than recomputed by every queue page."""

    company = models.OneToOneField(
        "accounts.Company", on_delete=models.CASCADE, related_name="queue_vip_line"
    )
    min_spend = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Empty while the company has no shopper with a positive spend.",
    )
    spenders = models.PositiveIntegerField(default=0, help_text="Shoppers who spent anything.")
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "VIP spend line"

    def __str__(self) -> str:
        return f"VIP from {self.min_spend} ({self.spenders} spenders)"
