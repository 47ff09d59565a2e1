"""The outbox: every text we send, queued first, with its state and why it waits or was
refused. Sending is ``aiq.messaging.sending``; nothing else talks to the provider."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from aiq.accounts.models import TenantModel
from aiq.messaging.choices import MessageKind, MessageStatus, RefusalReason


class OutboundMessage(TenantModel):
    """One text to one number."""

    persona = models.ForeignKey(
        "personas.Persona",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbound_messages",
    )
    to_number = models.CharField(max_length=20)
    body = models.TextField()
    kind = models.CharField(max_length=30, choices=MessageKind.choices)
    status = models.CharField(
        max_length=30, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    refusal_reason = models.CharField(max_length=30, choices=RefusalReason.choices, blank=True)
    detail = models.CharField(max_length=300, blank=True, help_text="Why it waits or failed.")
    send_after = models.DateTimeField(help_text="Not sent before this moment.")
    integration = models.ForeignKey(
        "integrations.Integration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The card whose setting asked for this text, if any.",
    )
    provider_message_id = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "outgoing text"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "send_after"], name="outbox_due"),
            models.Index(fields=["company", "sent_at"], name="outbox_company_sent"),
            models.Index(fields=["provider_message_id"], name="outbox_provider_id"),
        ]
        constraints = [
            # A shopper is asked once, ever: the backstop that makes the daily job and a
            # second worker idempotent (they insert; the loser's insert fails).
            models.UniqueConstraint(
                fields=["persona"],
                condition=Q(kind=MessageKind.OPT_IN_REQUEST),
                name="outbox_one_opt_in_request_per_persona",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_number}"
