from __future__ import annotations

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """SMS: the provider seam (Twilio), the outbox, inbound keywords and double opt-in."""

    name = "aiq.messaging"
    label = "messaging"
    verbose_name = "SMS"
    default_auto_field = "django.db.models.BigAutoField"
