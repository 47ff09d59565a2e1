"""Sending the outbox: claim each due text, check it may go now, send, record.

Rules, in order, at the moment of sending (things change while a text waits):
1. consent: an opt-in request only to a number whose consent is pending (we set it when
   asking), an opt-in confirmation or a marketing text only to an opted-in number;
   answers to a shopper's own text (STOP and HELP answers) go anyway, as carriers require;
2. quiet hours: 8:00-21:00 on the store's clock, else the text waits until 8:00
   (answers to the shopper's own text are exempt);
3. the company's daily limit (counted on the company's clock), else it waits for the
   next day's 8:00.
A text is claimed with a conditional UPDATE, so two workers never send it twice, and the
daily count is taken under a lock on the company's SMS settings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from aiq.messaging.choices import (
    DUE_STATUSES,
    REPLY_KINDS,
    MessageKind,
    MessageStatus,
    RefusalReason,
)
from aiq.messaging.gateway import provider_for, status_callback_url
from aiq.messaging.models import OutboundMessage, SmsSettings
from aiq.messaging.providers.base import SmsSendError
from aiq.messaging.quiet_hours import next_sending_moment, start_of_local_day, store_time_zone
from aiq.personas.choices import Consent
from aiq.personas.models import Persona

logger = logging.getLogger(__name__)

CONSENT_NEEDED = {
    MessageKind.OPT_IN_REQUEST: Consent.PENDING,
    MessageKind.OPT_IN_CONFIRMATION: Consent.OPTED_IN,
    MessageKind.MARKETING: Consent.OPTED_IN,
}
RETRY_AFTER_TRANSIENT = timedelta(minutes=5)
BATCH = 200


@dataclass
class SendReport:
    """What one pass did, by outcome (for the task's log and the command)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


def send_due_texts(now: datetime | None = None, *, company_id: int | None = None) -> SendReport:
    """Send every text due at ``now``; returns counts by outcome."""
    now = now or timezone.now()
    report = SendReport()
    due = OutboundMessage.objects.filter(status__in=DUE_STATUSES, send_after__lte=now)
    if company_id is not None:
        due = due.filter(company_id=company_id)
    for message_id in list(due.order_by("send_after", "pk").values_list("pk", flat=True)[:BATCH]):
        report.add(send_one(message_id, now))
    return report


def _claim(message_id: int) -> bool:
    claimed = OutboundMessage.objects.filter(pk=message_id, status__in=DUE_STATUSES).update(
        status=MessageStatus.SENDING, updated_at=timezone.now()
    )
    return claimed == 1


def _set(message: OutboundMessage, **changes: object) -> None:
    for name, value in changes.items():
        setattr(message, name, value)
    OutboundMessage.objects.filter(pk=message.pk).update(**changes, updated_at=timezone.now())


def _refusal(message: OutboundMessage) -> str:
    needed = CONSENT_NEEDED.get(MessageKind(message.kind))
    if needed is None:
        return ""
    consent = (
        Persona.objects.filter(pk=message.persona_id).values_list("sms_consent", flat=True).first()
    )
    if consent == needed:
        return ""
    return RefusalReason.OPTED_OUT if consent == Consent.OPTED_OUT else RefusalReason.NOT_OPTED_IN


def send_one(message_id: int, now: datetime) -> str:
    """Send one due text if it may go now; returns the status it ends in."""
    if not _claim(message_id):
        return "taken"
    message = OutboundMessage.objects.select_related("persona__favorite_store").get(pk=message_id)
    sms = SmsSettings.objects.filter(company_id=message.company_id).first()
    if sms is None:
        _set(message, status=MessageStatus.REFUSED, refusal_reason=RefusalReason.NO_SETTINGS)
        return message.status
    refusal = _refusal(message)
    if refusal:
        _set(message, status=MessageStatus.REFUSED, refusal_reason=refusal)
        return message.status
    is_reply = message.kind in REPLY_KINDS
    if not is_reply:
        zone = store_time_zone(message.persona, message.company_id)
        allowed_at = next_sending_moment(now, zone)
        if allowed_at > now:
            _set(
                message,
                status=MessageStatus.WAITING_QUIET_HOURS,
                send_after=allowed_at,
                detail="Quiet hours (8:00-21:00 store time): waits until "
                f"{allowed_at.strftime('%Y-%m-%d %H:%M %Z')}.",
            )
            return message.status
        if not _reserve_daily_slot(sms, message, now):
            return message.status
    else:
        _set(message, sent_at=now)
    return _hand_to_provider(sms, message, now)


def _reserve_daily_slot(sms: SmsSettings, message: OutboundMessage, now: datetime) -> bool:
    """Count today's texts under a lock on the company's settings and take a slot (its
    ``sent_at``), or put the text back until the next day's 8:00."""
    zone = store_time_zone(None, message.company_id)
    with transaction.atomic():
        SmsSettings.objects.select_for_update().filter(pk=sms.pk).first()
        sent_today = (
            OutboundMessage.objects.filter(
                company_id=message.company_id, sent_at__gte=start_of_local_day(now, zone)
            )
            .exclude(kind__in=REPLY_KINDS)
            .count()
        )
        if sent_today >= sms.daily_limit:
            tomorrow = start_of_local_day(now, zone) + timedelta(days=1, hours=8)
            _set(
                message,
                status=MessageStatus.QUEUED,
                send_after=tomorrow,
                detail=f"Daily limit of {sms.daily_limit} texts reached: waits until tomorrow.",
            )
            return False
        _set(message, sent_at=now)
    return True


def _hand_to_provider(sms: SmsSettings, message: OutboundMessage, now: datetime) -> str:
    try:
        provider_id = provider_for(sms).send(
            message.to_number, message.body, status_callback_url(sms, message.pk)
        )
    except SmsSendError as error:
        if error.permanent:
            _set(message, status=MessageStatus.FAILED, detail=str(error)[:300])
        else:
            _set(
                message,
                status=MessageStatus.QUEUED,
                sent_at=None,
                send_after=now + RETRY_AFTER_TRANSIENT,
                detail=f"Will retry: {error}"[:300],
            )
        logger.warning("Text %s not sent: %s", message.pk, error)
        return message.status
    # A status callback may already have moved it on (the provider answered it first).
    moved = OutboundMessage.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.SENT, provider_message_id=provider_id, detail="", updated_at=now
    )
    if not moved:
        OutboundMessage.objects.filter(pk=message.pk, provider_message_id="").update(
            provider_message_id=provider_id
        )
    return MessageStatus.SENT
