"""The card setting "Send SMS double opt-ins to Personas who purchased after <date>".

Shoppers with a phone and a sale (not a refund) from the card's POS on or after the date,
who were never asked and never opted out, get one request, once. "Once" is the unique
constraint on the outbox (one opt-in request per persona), not a check: the daily job, a
sync's hook and a second worker may all run at once, and the loser's insert fails.

Removing the date stops new requests only: shoppers who replied YES stay opted in (the
seed's warning about losing members is AIQ's behaviour, not ours), and requests already
queued still go out.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from aiq.messaging import texts
from aiq.messaging.choices import MessageKind, MessageStatus, RefusalReason
from aiq.messaging.models import OutboundMessage
from aiq.messaging.outbox import send_soon
from aiq.personas.choices import Consent, ConsentChannel, ConsentProvenance
from aiq.personas.consent import ConsentOrigin, change_consent
from aiq.personas.models import ConsentEvent, Persona, Sale
from integrations.models import Integration
from loyalty.enrollment.by_setting import start_of


def eligible_personas(
    card: Integration, day: date, persona_ids: Collection[int] | None = None
) -> QuerySet[Persona]:
    """Who saving ``day`` on ``card`` would text now. The card form's preview counts this
    very queryset; the job sends to it."""
    sales = Sale.objects.filter(
        company_id=card.company_id,
        source=card.provider,
        is_refund=False,
        occurred_at__gte=start_of(day),
        persona=OuterRef("pk"),
    )
    asked = OutboundMessage.objects.filter(persona=OuterRef("pk"), kind=MessageKind.OPT_IN_REQUEST)
    opted_out_once = ConsentEvent.objects.filter(
        persona=OuterRef("pk"), channel=ConsentChannel.SMS, status=Consent.OPTED_OUT
    )
    personas = (
        Persona.objects.filter(company_id=card.company_id, sms_consent=Consent.UNKNOWN)
        .exclude(phone="")
        .filter(Exists(sales))
        .exclude(Exists(asked))
        .exclude(Exists(opted_out_once))
    )
    if persona_ids is not None:
        personas = personas.filter(pk__in=list(persona_ids))
    return personas


def preview_count(card: Integration, day: date) -> int:
    return eligible_personas(card, day).count()


def request_opt_ins(
    card: Integration,
    *,
    persona_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> int:
    """Queue one opt-in request per eligible shopper of the card; returns how many."""
    day = card.sms_double_opt_in_after
    if day is None:
        return 0
    now = now or timezone.now()
    body = texts.opt_in_request(card.company.name)
    origin = ConsentOrigin(
        ConsentProvenance.DOUBLE_OPT_IN_REQUEST,
        source=f"card:{card.provider} purchased after {day.isoformat()}",
    )
    queued = 0
    for persona in eligible_personas(card, day, persona_ids).order_by("pk").iterator():
        if _ask(card, persona, body, origin, now):
            queued += 1
    if queued:
        transaction.on_commit(send_soon)
    return queued


def _ask(
    card: Integration, persona: Persona, body: str, origin: ConsentOrigin, now: datetime
) -> bool:
    try:
        with transaction.atomic():
            message = OutboundMessage.objects.create(
                company_id=card.company_id,
                persona=persona,
                to_number=persona.phone,
                body=body,
                kind=MessageKind.OPT_IN_REQUEST,
                send_after=now,
                integration=card,
            )
            change = change_consent(persona, ConsentChannel.SMS, Consent.PENDING, origin, at=now)
            if change.status != Consent.PENDING:
                # Opted out (or in) between the query and the lock: the request never goes.
                reason = (
                    RefusalReason.OPTED_OUT
                    if change.status == Consent.OPTED_OUT
                    else RefusalReason.NOT_OPTED_IN
                )
                OutboundMessage.objects.filter(pk=message.pk).update(
                    status=MessageStatus.REFUSED, refusal_reason=reason
                )
                return False
    except IntegrityError:
        return False  # another run or worker asked this shopper first
    return True


def cards_with_setting(company_id: int | None = None) -> QuerySet[Integration]:
    cards = Integration.objects.filter(sms_double_opt_in_after__isnull=False)
    if company_id is not None:
        cards = cards.filter(company_id=company_id)
    return cards.select_related("company").order_by("pk")


def request_for_company(
    company_id: int | None = None, persona_ids: Collection[int] | None = None
) -> int:
    """Apply every card's setting (of one company, or all; to ``persona_ids`` only)."""
    return sum(
        request_opt_ins(card, persona_ids=persona_ids) for card in cards_with_setting(company_id)
    )
