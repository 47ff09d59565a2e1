"""Consent changes as events: who or what changed a shopper's consent on a channel, when,
and on what evidence.

The persona's ``sms_consent`` and ``email_consent`` stay the current state (read by every
query); each change of them writes one ``ConsentEvent`` beside it (``aiq.personas.consent``
does both together). Events are history: written once, never edited or deleted. Their
persona foreign key is the one thing that moves, with merges and their undo, like every
row that points at a persona (``aiq.personas.merging``).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from aiq.accounts.models import TenantModel
from aiq.personas.choices import Consent, ConsentChannel, ConsentProvenance


class ConsentEvent(TenantModel):
    """One change of a persona's consent on one channel."""

    persona = models.ForeignKey(
        "personas.Persona", on_delete=models.CASCADE, related_name="consent_events"
    )
    channel = models.CharField(max_length=10, choices=ConsentChannel.choices)
    status = models.CharField("new state", max_length=20, choices=Consent.choices)
    previous_status = models.CharField("state before", max_length=20, choices=Consent.choices)
    occurred_at = models.DateTimeField()
    provenance = models.CharField(max_length=30, choices=ConsentProvenance.choices)
    source = models.CharField(
        max_length=100, blank=True, help_text='Where exactly, e.g. "api:posabit signup".'
    )
    api_key_label = models.CharField("API key", max_length=100, blank=True)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="staff member",
    )
    evidence = models.CharField(
        max_length=300, blank=True, help_text='What the shopper gave, e.g. "Customer Consent".'
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "consent event"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["persona", "channel", "-occurred_at"], name="consent_persona_time")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.get_status_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("A consent event is history; record a new event instead.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError("A consent event is history; it is never deleted.")
