"""Status callbacks: a text's delivery as the provider reports it.

States only move forward (sending -> sent -> delivered or failed): a late "sent" after
"delivered" changes nothing.
"""

from __future__ import annotations

from django.utils import timezone

from aiq.messaging.choices import MessageStatus
from aiq.messaging.models import OutboundMessage, SmsSettings
from aiq.messaging.providers.base import StatusUpdate

MAY_FOLLOW = {
    MessageStatus.SENT: (MessageStatus.SENDING,),
    MessageStatus.DELIVERED: (MessageStatus.SENDING, MessageStatus.SENT),
    MessageStatus.FAILED: (MessageStatus.SENDING, MessageStatus.SENT),
}


def record_status(sms: SmsSettings, message_id: int, update: StatusUpdate) -> bool:
    """Apply a callback to our message ``message_id``; False if it changed nothing."""
    if update.status not in MAY_FOLLOW:
        return False
    now = timezone.now()
    changes: dict[str, object] = {"status": update.status, "updated_at": now}
    if update.status == MessageStatus.DELIVERED:
        changes["delivered_at"] = now
    if update.status == MessageStatus.FAILED:
        changes["detail"] = f"Provider reported failure (error {update.error_code or '?'})."
    mine = OutboundMessage.objects.filter(pk=message_id, company_id=sms.company_id)
    if update.provider_message_id:
        # A callback naming another provider message than the one we recorded is not ours.
        mine = mine.filter(provider_message_id__in=["", update.provider_message_id])
        mine.filter(provider_message_id="").update(provider_message_id=update.provider_message_id)
    return bool(mine.filter(status__in=MAY_FOLLOW[update.status]).update(**changes))
