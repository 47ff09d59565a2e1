"""Twilio's Messages API with ``requests`` through ``aiq.http`` (not the twilio library):
one form-encoded POST is all we call, and the shared seam gives it the timeouts, retries,
redaction and error mapping every POS client has. The same client talks to the sandbox,
which serves the same paths under /sandbox/twilio/.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

import requests

from aiq.http import HttpClient, RetryPolicy
from aiq.messaging.choices import MessageStatus
from aiq.messaging.providers.base import InboundText, SmsSendError, StatusUpdate
from aiq.messaging.providers.twilio.signature import is_valid_signature
from integrations.providers.errors import ProviderError, RequestRejected

TWILIO_API = "https://api.twilio.com"

# Twilio's MessageStatus values in our terms; the in-between ones change nothing.
STATUS_OF = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.FAILED,
    "failed": MessageStatus.FAILED,
}

# A POST that may have reached Twilio is not sent again (a duplicate text); the outbox
# retries on its next pass only what Twilio surely never took.
_SEND_RETRY = RetryPolicy(max_attempts=2, max_retry_after=5.0, max_total_wait=5.0)
_http = HttpClient(retry=_SEND_RETRY, timeout=(5.0, 15.0))


def _twilio_error(response: requests.Response) -> ProviderError | None:
    """Twilio's error body ({"code": 21211, "message": ...}) into the error's detail."""
    if response.status_code != 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return RequestRejected(
        f"Twilio error {code}", status=400, method="POST", path=response.request.path_url
    )


def basic_auth(username: str, password: str) -> str:
    """HTTP Basic auth: Twilio's API takes the Account SID and the auth token."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return f"Basic {token}"


class TwilioClient:
    """One Twilio account (or its sandbox twin at ``base_url``)."""

    def __init__(
        self, account_sid: str, auth_token: str, from_number: str, base_url: str = TWILIO_API
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number
        self.base_url = base_url.rstrip("/")

    def send(self, to: str, body: str, status_callback: str) -> str:
        url = f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        form = {"To": to, "From": self.from_number, "Body": body}
        if status_callback:
            form["StatusCallback"] = status_callback
        try:
            response = _http.request(
                "POST",
                url,
                data=form,
                headers={"Authorization": basic_auth(self.account_sid, self.auth_token)},
                classify=_twilio_error,
            )
            payload = response.json()
        except ProviderError as error:
            raise SmsSendError(str(error), permanent=error.permanent, code=error.code) from error
        except ValueError as error:
            raise SmsSendError("Twilio answered without JSON", permanent=False) from error
        sid = payload.get("sid") if isinstance(payload, dict) else None
        if not sid:
            raise SmsSendError("Twilio answered without a message sid", permanent=False)
        return str(sid)

    def is_authentic(self, url: str, params: Mapping[str, str], signature: str) -> bool:
        return is_valid_signature(self.auth_token, url, params, signature)

    def parse_status_callback(self, params: Mapping[str, str]) -> StatusUpdate:
        raw = (params.get("MessageStatus") or params.get("SmsStatus") or "").lower()
        return StatusUpdate(
            provider_message_id=params.get("MessageSid", ""),
            status=STATUS_OF.get(raw, ""),
            error_code=params.get("ErrorCode", ""),
        )

    def parse_inbound(self, params: Mapping[str, str]) -> InboundText:
        return InboundText(
            provider_message_id=params.get("MessageSid", "") or params.get("SmsSid", ""),
            from_number=params.get("From", ""),
            to_number=params.get("To", ""),
            body=params.get("Body", ""),
        )
