"""The SMS provider seam: what the outbox and the webhooks need from any provider.

A provider sends one text and reads the two webhooks the provider calls: status
callbacks (sent, delivered, failed...) and inbound texts. Values crossing the seam are
the dataclasses below, never the provider's payloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class SmsSendError(Exception):
    """The provider did not take the text. ``permanent`` (a bad number, bad credentials):
    the message fails; otherwise (5xx, timeout, 429) it stays queued for the next pass."""

    def __init__(self, message: str, *, permanent: bool, code: str = "") -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A status callback: the provider's message id and our word for its new state."""

    provider_message_id: str
    status: str  # an aiq.messaging.choices.MessageStatus value
    error_code: str = ""


@dataclass(frozen=True, slots=True)
class InboundText:
    """A text a shopper sent to our number."""

    provider_message_id: str
    from_number: str
    to_number: str
    body: str


class SmsProvider(Protocol):
    """One SMS provider account."""

    def send(self, to: str, body: str, status_callback: str) -> str:
        """Send ``body`` to ``to``; returns the provider's message id.

        Raises ``SmsSendError`` when the provider refuses or cannot be reached."""
        ...

    def is_authentic(self, url: str, params: Mapping[str, str], signature: str) -> bool:
        """Whether a webhook request really comes from the provider."""
        ...

    def parse_status_callback(self, params: Mapping[str, str]) -> StatusUpdate:
        """The status callback's form parameters in our terms."""
        ...

    def parse_inbound(self, params: Mapping[str, str]) -> InboundText:
        """The inbound webhook's form parameters in our terms."""
        ...
