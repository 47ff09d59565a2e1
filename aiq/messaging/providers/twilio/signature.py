"""Twilio's request signature (X-Twilio-Signature), used by our webhooks to check a
request and by the sandbox to sign the ones it makes.

The scheme (twilio.com/docs/usage/security#validating-requests): the full URL Twilio
called (scheme, host, path and query), then every POST parameter sorted by name, each as
name + value with no separators; HMAC-SHA1 of that with the account's auth token as the
key; base64.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping

SIGNATURE_HEADER = "X-Twilio-Signature"


def _pairs(params: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    items = params.items() if isinstance(params, Mapping) else params
    return sorted((str(name), str(value)) for name, value in items)


def twilio_signature(
    auth_token: str, url: str, params: Mapping[str, str] | Iterable[tuple[str, str]]
) -> str:
    """The signature Twilio sends for a POST of ``params`` to ``url``."""
    payload = url + "".join(name + value for name, value in _pairs(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def is_valid_signature(
    auth_token: str,
    url: str,
    params: Mapping[str, str] | Iterable[tuple[str, str]],
    signature: str,
) -> bool:
    """Constant-time comparison of ``signature`` with the one expected."""
    if not signature or not auth_token:
        return False
    expected = twilio_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode(), signature.encode())
