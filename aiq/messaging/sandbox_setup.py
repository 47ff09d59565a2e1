"""Point a company's sandbox number at our inbound webhook, as one would set "A message
comes in" on a Twilio number in Twilio's console. Only the sandbox is configured this way
(the demo and the tests); with real Twilio the SMS settings page shows the address."""

from __future__ import annotations

from aiq.http import HttpClient
from aiq.messaging.gateway import api_base_url, inbound_url
from aiq.messaging.models import SmsSettings
from aiq.messaging.providers.twilio.client import basic_auth

_http = HttpClient(timeout=(3.0, 10.0))


def connect_sandbox_number(sms: SmsSettings) -> str:
    """Register the from number and its inbound webhook with the sandbox; the number's sid."""
    if not sms.is_sandbox:
        raise ValueError("Only a sandbox number is configured from here.")
    url = f"{api_base_url(sms)}/2010-04-01/Accounts/{sms.account_sid}/IncomingPhoneNumbers.json"
    answer = _http.request_json(
        "POST",
        url,
        data={"PhoneNumber": sms.from_number, "SmsUrl": inbound_url(sms), "SmsMethod": "POST"},
        headers={"Authorization": basic_auth(sms.account_sid, sms.auth_token)},
        idempotent=True,  # an upsert of the number's webhook
    )
    return str(answer["sid"])
