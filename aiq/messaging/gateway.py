"""From a company's SMS settings to a provider client, and the webhook addresses we give
the provider. The one place that knows which provider class serves which settings."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

from aiq.messaging.models import SmsSettings
from aiq.messaging.providers.base import SmsProvider

# provider key -> dotted path of its client class, imported when first used.
PROVIDERS = {"twilio": "aiq.messaging.providers.twilio.client.TwilioClient"}
SANDBOX_PATH = "/sandbox/twilio"


def api_base_url(sms: SmsSettings) -> str:
    """Twilio itself, or this deployment's sandbox of it."""
    if sms.is_sandbox:
        return settings.POS_SANDBOX_ORIGIN.rstrip("/") + SANDBOX_PATH
    return settings.SMS_API_BASE_URLS.get(sms.provider, "https://api.twilio.com")


def provider_for(sms: SmsSettings) -> SmsProvider:
    client_class = import_string(PROVIDERS[sms.provider])
    return client_class(sms.account_sid, sms.auth_token, sms.from_number, api_base_url(sms))


def webhook_origin() -> str:
    """Where the provider reaches us (read at call time: tests move the sandbox origin)."""
    return (settings.SMS_WEBHOOK_ORIGIN or settings.POS_SANDBOX_ORIGIN).rstrip("/")


def _absolute(path: str) -> str:
    return webhook_origin() + path


def status_callback_url(sms: SmsSettings, message_id: int) -> str:
    """Where the provider reports a message's delivery; our message id is in the path so a
    callback that beats the send's answer still finds its message."""
    return _absolute(reverse("messaging:status_callback", args=[sms.webhook_key, message_id]))


def inbound_url(sms: SmsSettings) -> str:
    """Set as the number's "A message comes in" webhook in Twilio's console."""
    return _absolute(reverse("messaging:inbound", args=[sms.webhook_key]))
