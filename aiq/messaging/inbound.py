"""A shopper texted us: record it, act on its keyword, answer.

Consent changes go through ``change_consent`` with the provenance of the reply: a YES or
Y is a double opt-in reply, START/UNSTOP and every opt-out word a keyword reply. Both are
the shopper's own act (``shopper_asked``), the only thing that re-opts a number that
opted out. Loyalty membership is never touched: consent and membership stay separate.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from aiq.messaging import texts
from aiq.messaging.choices import InboundAction, MessageKind
from aiq.messaging.keywords import action_of, is_double_opt_in_reply
from aiq.messaging.models import InboundMessage, SmsSettings
from aiq.messaging.outbox import queue_text
from aiq.messaging.providers.base import InboundText
from aiq.personas.choices import Consent, ConsentChannel, ConsentProvenance
from aiq.personas.consent import ConsentOrigin, change_consent
from aiq.personas.models import Persona


def _persona_for(company_id: int, phone: str) -> Persona | None:
    # Several personas may share a phone until they are merged: the oldest answers.
    return (
        Persona.objects.filter(company_id=company_id, phone=phone)
        .select_related("company")
        .order_by("pk")
        .first()
    )


def receive_text(sms: SmsSettings, text: InboundText) -> InboundMessage | None:
    """Handle one inbound text; None when this provider message was handled before."""
    persona = _persona_for(sms.company_id, text.from_number)
    action = action_of(text.body) if persona else InboundAction.UNKNOWN_NUMBER
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(
                company_id=sms.company_id,
                provider_message_id=text.provider_message_id,
                persona=persona,
                from_number=text.from_number,
                to_number=text.to_number,
                body=text.body[:1600],
                action=action,
            )
            if persona is not None:
                _act(persona, inbound, action)
    except IntegrityError:
        return None  # the provider retried a webhook we already handled
    return inbound


def _act(persona: Persona, inbound: InboundMessage, action: str) -> None:
    company = persona.company.name
    source = f"sms:{inbound.provider_message_id}"
    if action == InboundAction.OPT_OUT:
        origin = ConsentOrigin(
            ConsentProvenance.KEYWORD_REPLY, source=source, evidence=f'Texted "{inbound.body}"'
        )
        change_consent(persona, ConsentChannel.SMS, Consent.OPTED_OUT, origin)
        queue_text(
            persona,
            texts.opt_out_confirmation(company),
            MessageKind.OPT_OUT_CONFIRMATION,
            to_number=inbound.from_number,
        )
    elif action == InboundAction.OPT_IN:
        was_pending = persona.sms_consent == Consent.PENDING
        provenance = (
            ConsentProvenance.DOUBLE_OPT_IN_REPLY
            if was_pending and is_double_opt_in_reply(inbound.body)
            else ConsentProvenance.KEYWORD_REPLY
        )
        origin = ConsentOrigin(provenance, source=source, evidence=f'Texted "{inbound.body}"')
        change = change_consent(
            persona, ConsentChannel.SMS, Consent.OPTED_IN, origin, shopper_asked=True
        )
        if change.event is not None:
            queue_text(
                persona,
                texts.opt_in_confirmation(company),
                MessageKind.OPT_IN_CONFIRMATION,
                to_number=inbound.from_number,
            )
    elif action == InboundAction.HELP:
        queue_text(
            persona,
            texts.help_answer(company),
            MessageKind.HELP_REPLY,
            to_number=inbound.from_number,
        )
