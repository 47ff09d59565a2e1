from aiq.messaging.models.inbound import InboundMessage
from aiq.messaging.models.outbox import OutboundMessage
from aiq.messaging.models.sms_settings import SmsSettings

__all__ = ["InboundMessage", "OutboundMessage", "SmsSettings"]
