"""The online order, its lines, the inventory its lines hold, and its timeline."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from aiq.accounts.models import TenantModel
from ecommerce.models.product import MenuProduct
from ecommerce.orders.choices import (
    CovaCancelState,
    CovaPushState,
    Fulfillment,
    HoldReleaseReason,
    OrderEventKind,
    OrderStatus,
)
from stores.models import RetailStore

MONEY = {"max_digits": 10, "decimal_places": 2}


def new_access_token() -> str:
    """The confirmation page's address: 192 random bits, not the order's id."""
    return secrets.token_urlsafe(24)


class Order(TenantModel):
    """One shopper's online order at one store.

    ``uuid`` is ours and becomes Cova's order id when the order is pushed (Cova lets the
    integrator choose it: PUT TIPCovaOrder({orderId})). ``access_token`` is the shopper's
    confirmation page address, kept apart from ``uuid``, which POS staff and logs see.
    """

    uuid = models.UUIDField("order id", default=uuid.uuid4, unique=True, editable=False)
    access_token = models.CharField(
        max_length=64, unique=True, default=new_access_token, editable=False
    )
    store = models.ForeignKey(RetailStore, on_delete=models.PROTECT, related_name="online_orders")
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    phone = models.CharField(max_length=20, help_text="E.164; Cova finds the customer by it.")
    date_of_birth = models.DateField()
    fulfillment = models.CharField(
        max_length=10, choices=Fulfillment.choices, default=Fulfillment.PICKUP
    )
    # Delivery address (blank for pickup).
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("apartment, suite", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField("state / province", max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    notes = models.TextField("shopper's notes", blank=True)
    # Before taxes, which the POS computes. subtotal at regular prices, savings from sale
    # prices, total = subtotal - savings.
    subtotal = models.DecimalField(**MONEY, default=0)
    savings = models.DecimalField(**MONEY, default=0)
    total = models.DecimalField(**MONEY, default=0)
    placed_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField("ready for pickup at", null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Sync Orders (ecommerce/orders/cova_sync.py): the push into Cova and its status polls.
    cova_push_state = models.CharField(
        "sent to Cova", max_length=10, choices=CovaPushState.choices, blank=True, default=""
    )
    # When the current push attempt claimed the order (a worker that died frees it later).
    cova_push_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cova_push_attempts = models.PositiveSmallIntegerField("push attempts", default=0)
    cova_pushed_at = models.DateTimeField("at Cova since", null=True, blank=True)
    cova_customer_id = models.CharField("Cova customer id", max_length=64, blank=True)
    cova_error = models.TextField(
        "Cova's answer", blank=True, help_text="Why Cova did not take the order, in its words."
    )
    cova_status = models.SmallIntegerField("Cova status", null=True, blank=True)
    cova_status_seen_at = models.DateTimeField("Cova status seen at", null=True, blank=True)
    # Due for its next status poll; blank once Cova's status is final (or never pushed).
    cova_next_poll_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A cancellation made here, sent to Cova when the order was there (cova_cancel.py).
    cova_cancel_state = models.CharField(
        "cancelled at Cova", max_length=10, choices=CovaCancelState.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = "online order"
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["store", "status", "placed_at"]),
            models.Index(fields=["status", "placed_at"]),
            models.Index(fields=["phone"]),
            models.Index(
                fields=["cova_next_poll_at"],
                name="order_cova_poll_due",
                condition=Q(cova_next_poll_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.reference}"

    @property
    def reference(self) -> str:
        """What the shopper and staff read out: the first 8 hex digits of the order id."""
        return self.uuid.hex[:8].upper()

    @property
    def customer_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_delivery(self) -> bool:
        return self.fulfillment == Fulfillment.DELIVERY


class OrderLine(TenantModel):
    """A product and quantity on an order, with the prices it was sold at.

    Name, Cova product id and SKU are copied so the order reads the same after the menu
    changes; ``product`` is blank only if the product row was deleted.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        MenuProduct, on_delete=models.SET_NULL, null=True, blank=True, related_name="order_lines"
    )
    product_name = models.CharField(max_length=300)
    cova_product_id = models.CharField("Cova product id", max_length=64)
    sku = models.CharField(max_length=100, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField("regular price", **MONEY)
    sale_price = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="The sale price used, when there was one."
    )
    line_total = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"

    @property
    def price_paid(self):  # type: ignore[no-untyped-def]
        return self.sale_price if self.sale_price is not None else self.unit_price


class InventoryHoldQuerySet(models.QuerySet):
    def active(self, now=None):  # type: ignore[no-untyped-def]
        """Holds that still count against availability at ``now``."""
        return self.filter(released_at__isnull=True, expires_at__gt=now or timezone.now())


class InventoryHold(TenantModel):
    """Units an order line keeps off the menu until the POS has counted them.

    Active while not released and not past ``expires_at``: availability never depends on
    the sweeper having run. Released (with the reason) on cancel, on a menu sync that
    started after the order closed, or by the sweeper once expired.
    """

    line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="hold")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="holds")
    product = models.ForeignKey(MenuProduct, on_delete=models.CASCADE, related_name="holds")
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    expires_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=20, choices=HoldReleaseReason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InventoryHoldQuerySet.as_manager()

    class Meta:
        verbose_name = "inventory hold"
        indexes = [
            # The availability sum reads only unreleased holds of a product.
            models.Index(
                fields=["product", "expires_at"],
                name="hold_unreleased_by_product",
                condition=Q(released_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity.normalize():f} of {self.product_id} for {self.order_id}"


class OrderEvent(TenantModel):
    """The order's timeline: append-only (status changes, edits, holds released), with
    when, who and what."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=OrderEventKind.choices)
    from_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    # "shopper", "system" or the staff member's username, kept if the user is deleted.
    actor = models.CharField(max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "order event"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("The order timeline is append-only.")
        super().save(*args, **kwargs)
