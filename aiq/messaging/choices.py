"""Status and kind constants of the SMS outbox and inbox."""

from __future__ import annotations

from django.db import models


class MessageStatus(models.TextChoices):
    """Where an outgoing text is. QUEUED and WAITING_QUIET_HOURS are due at ``send_after``;
    SENDING is claimed by one worker; SENT, DELIVERED, FAILED and REFUSED are final (a
    status callback may still move SENT to DELIVERED or FAILED)."""

    QUEUED = "queued", "Queued"
    WAITING_QUIET_HOURS = "waiting_quiet_hours", "Waiting for quiet hours to end"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    REFUSED = "refused", "Refused"


DUE_STATUSES = (MessageStatus.QUEUED, MessageStatus.WAITING_QUIET_HOURS)


class MessageKind(models.TextChoices):
    """Why a text is sent; decides which consent it needs."""

    OPT_IN_REQUEST = "opt_in_request", "Double opt-in request"
    OPT_IN_CONFIRMATION = "opt_in_confirmation", "Opt-in confirmation"
    OPT_OUT_CONFIRMATION = "opt_out_confirmation", "Opt-out confirmation"
    HELP_REPLY = "help_reply", "HELP answer"
    MARKETING = "marketing", "Marketing"


# Answers to a text the shopper just sent: carriers require them (CTIA), so they go out
# at once (no quiet hours) and an opt-out confirmation reaches the number that opted out.
REPLY_KINDS = frozenset(
    {MessageKind.OPT_IN_CONFIRMATION, MessageKind.OPT_OUT_CONFIRMATION, MessageKind.HELP_REPLY}
)


class RefusalReason(models.TextChoices):
    NOT_OPTED_IN = "not_opted_in", "The number is not opted in"
    OPTED_OUT = "opted_out", "The number opted out"
    NO_SETTINGS = "no_settings", "SMS is not set up for this company"
    PROVIDER_REJECTED = "provider_rejected", "The provider refused the message"


class InboundAction(models.TextChoices):
    """What a shopper's text did."""

    OPT_IN = "opt_in", "Opted in"
    OPT_OUT = "opt_out", "Opted out"
    HELP = "help", "Asked for help"
    NONE = "none", "Nothing (no keyword)"
    UNKNOWN_NUMBER = "unknown_number", "Unknown number"
