"""Texts shoppers sent us, as the provider's inbound webhook delivered them."""

from __future__ import annotations

from django.db import models

from aiq.accounts.models import TenantModel
from aiq.messaging.choices import InboundAction


class InboundMessage(TenantModel):
    """One text from a shopper. The provider's id is unique: a retried webhook is a no-op."""

    provider_message_id = models.CharField(max_length=64, unique=True)
    persona = models.ForeignKey(
        "personas.Persona",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    from_number = models.CharField(max_length=20)
    to_number = models.CharField(max_length=20)
    body = models.TextField(blank=True)
    action = models.CharField(max_length=20, choices=InboundAction.choices)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "incoming text"
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"From {self.from_number}: {self.body[:40]}"
