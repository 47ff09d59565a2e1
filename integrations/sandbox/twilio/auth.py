"""Sandbox Twilio accounts: any Account SID starting with AC; its auth token is the one
this deployment issues for it (an HMAC of the SID under the secret key), so the sandbox
can sign the webhooks it sends with the token our app holds."""

from __future__ import annotations

from django.utils.crypto import salted_hmac

_SALT = "integrations.sandbox.twilio.auth-token"


def sandbox_auth_token(account_sid: str) -> str:
    """The auth token the sandbox accepts (and signs with) for ``account_sid``."""
    return salted_hmac(_SALT, account_sid, algorithm="sha256").hexdigest()[:32]


def is_sandbox_account(account_sid: str, auth_token: str) -> bool:
    return account_sid.startswith("AC") and auth_token == sandbox_auth_token(account_sid)
