"""Putting a text in the outbox. Every text goes through here; ``sending`` sends them."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from aiq.messaging.choices import MessageKind
from aiq.messaging.models import OutboundMessage
from aiq.personas.models import Persona

logger = logging.getLogger(__name__)


def queue_text(
    persona: Persona,
    body: str,
    kind: str,
    *,
    to_number: str = "",
    at: datetime | None = None,
    integration_id: int | None = None,
) -> OutboundMessage:
    """Queue ``body`` for the persona's phone (or ``to_number``), due at ``at`` (now).

    Consent, quiet hours and the daily limit are checked when it is sent, not here: they
    may change while it waits.
    """
    message = OutboundMessage.objects.create(
        company_id=persona.company_id,
        persona=persona,
        to_number=to_number or persona.phone,
        body=body,
        kind=MessageKind(kind),
        send_after=at or timezone.now(),
        integration_id=integration_id,
    )
    transaction.on_commit(send_soon)
    return message


def send_soon() -> None:
    # The beat task runs every minute anyway; this only saves the shopper the wait.
    from aiq.messaging.tasks import send_due_texts

    if not settings.SMS_SEND_AT_ONCE:
        return
    try:
        send_due_texts.delay()
    except Exception:
        # A broker that is down must not fail the caller's request: the beat sends it.
        logger.warning("Could not queue the outbox task; the next beat sends the text")
