"""The double opt-in text for a shopper whose SMS consent just became pending by their own
signup (door tablet, counter, a POS or form signup through the API): the request goes
out through the outbox like the card setting's, once ever per shopper (the same unique
constraint), and only when the company has SMS set up."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from aiq.messaging import texts
from aiq.messaging.choices import MessageKind
from aiq.messaging.models import OutboundMessage, SmsSettings
from aiq.messaging.outbox import send_soon
from aiq.personas.choices import Consent
from aiq.personas.models import Persona


def ask_to_confirm(persona: Persona) -> bool:
    """Queue the opt-in request; False when SMS is not set up, the shopper has no phone,
    is not pending, or was asked before."""
    if not persona.phone or persona.sms_consent != Consent.PENDING:
        return False
    if not SmsSettings.objects.filter(company_id=persona.company_id).exists():
        return False
    company = persona.company.name
    try:
        with transaction.atomic():
            OutboundMessage.objects.create(
                company_id=persona.company_id,
                persona=persona,
                to_number=persona.phone,
                body=texts.opt_in_request(company),
                kind=MessageKind.OPT_IN_REQUEST,
                send_after=timezone.now(),
            )
    except IntegrityError:
        return False  # asked once already: never twice
    transaction.on_commit(send_soon)
    return True
