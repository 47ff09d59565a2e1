"""The sandbox calling our app the way Twilio does: form POSTs signed with
X-Twilio-Signature (HMAC-SHA1 of URL + sorted params, the account's auth token)."""

from __future__ import annotations

import secrets

from aiq.http import HttpClient, RetryPolicy
from aiq.messaging.providers.twilio.signature import SIGNATURE_HEADER, twilio_signature
from integrations.providers.errors import ProviderError
from integrations.sandbox.twilio.auth import sandbox_auth_token
from integrations.sandbox.twilio.models import SandboxSmsMessage, SandboxSmsNumber

_http = HttpClient(retry=RetryPolicy(max_attempts=1), timeout=(3.0, 20.0))


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def post_signed(account_sid: str, url: str, params: dict[str, str]) -> int:
    """POST ``params`` to ``url`` signed for the account; returns the HTTP status."""
    signature = twilio_signature(sandbox_auth_token(account_sid), url, params)
    try:
        response = _http.request(
            "POST", url, data=params, headers={SIGNATURE_HEADER: signature}, idempotent=False
        )
    except ProviderError as error:
        return error.status or 0
    return response.status_code


def report_statuses(message: SandboxSmsMessage, statuses: list[str]) -> None:
    """Tell the message's StatusCallback each status in turn, recording the answers."""
    answers = []
    for status in statuses:
        message.status = status
        if message.status_callback:
            params = {
                "AccountSid": message.account_sid,
                "MessageSid": message.sid,
                "SmsSid": message.sid,
                "MessageStatus": status,
                "SmsStatus": status,
                "From": message.from_number,
                "To": message.to_number,
                "ApiVersion": "2010-04-01",
            }
            if message.error_code:
                params["ErrorCode"] = message.error_code
            answers.append(str(post_signed(message.account_sid, message.status_callback, params)))
    message.callback_answers = ",".join(answers)[:100]
    message.save(update_fields=["status", "callback_answers"])


def reply_as_shopper(to_message: SandboxSmsMessage, body: str) -> SandboxSmsMessage:
    """The shopper who got ``to_message`` texts back ``body``: recorded and posted to the
    sending number's inbound webhook (if one is set)."""
    reply = SandboxSmsMessage.objects.create(
        sid=new_sid("SM"),
        account_sid=to_message.account_sid,
        direction=SandboxSmsMessage.INBOUND,
        from_number=to_message.to_number,
        to_number=to_message.from_number,
        body=body,
        status="received",
    )
    number = SandboxSmsNumber.objects.filter(
        account_sid=to_message.account_sid, phone_number=to_message.from_number
    ).first()
    if number is not None:
        params = {
            "AccountSid": reply.account_sid,
            "MessageSid": reply.sid,
            "SmsSid": reply.sid,
            "SmsMessageSid": reply.sid,
            "From": reply.from_number,
            "To": reply.to_number,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
        }
        reply.callback_answers = str(post_signed(reply.account_sid, number.sms_url, params))
        reply.save(update_fields=["callback_answers"])
    return reply
