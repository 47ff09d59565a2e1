"""Cova's OAuth2 password grant at the iQmetrix accounts host, with a process-wide cache.

Cova asks integrators to reuse a token for its ~12 h life: every grant mints a new token.
Tokens are cached per process, keyed by a hash of the token URL and the credentials (so no
secret is ever a dict key in memory dumps or logs), and renewed by one thread at a time per
key. ``token(stale=...)`` is how a caller that just got a 401 asks for a fresh token: if
another thread already replaced the stale one, that newer token is returned instead of
granting again.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

import requests

from aiq.http import HttpClient, json_body, url_path
from integrations.providers.cova import assumptions
from integrations.providers.errors import (
    AuthenticationFailed,
    MalformedResponse,
    ProviderError,
    RequestRejected,
    TemporaryPassword,
)

TOKEN_PATH = "/v1/oauth2/token"  # noqa: S105 - a URL path, not a secret


@dataclass(frozen=True, slots=True)
class _Token:
    access_token: str
    expires_at: float


_TOKENS: dict[str, _Token] = {}
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def clear_token_cache() -> None:
    """Forget every cached token (tests; or after staff change a password)."""
    with _LOCKS_GUARD:
        _TOKENS.clear()


def _lock_for(key: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


def error_text(response: requests.Response) -> str:
    """The error wording of a Cova/iQmetrix error body, for matching (never for display)."""
    body = json_body(response)
    if isinstance(body, dict):
        return " ".join(
            str(body[key]) for key in assumptions.ERROR_TEXT_KEYS if body.get(key)
        ).lower()
    return (response.text or "")[:500].lower()


def is_temporary_password(response: requests.Response) -> bool:
    """Whether an error response is Cova's "change your temporary password" refusal."""
    text = error_text(response)
    return any(phrase in text for phrase in assumptions.TEMPORARY_PASSWORD_PHRASES)


def classify_token_error(response: requests.Response) -> ProviderError | None:
    """Specific errors for a refused token grant (400/401 per iQmetrix's docs)."""
    if response.status_code not in (400, 401):
        return None
    where: dict[str, Any] = {
        "method": "POST",
        "path": url_path(response.url or TOKEN_PATH),
        "status": response.status_code,
    }
    if is_temporary_password(response):
        return TemporaryPassword("token grant refused: temporary password", **where)
    body = json_body(response)
    oauth_error = body.get("error") if isinstance(body, dict) else None
    if oauth_error == "invalid_client":
        return AuthenticationFailed(
            "token grant refused: invalid_client",
            user_message=(
                "Cova did not accept the Client ID or Client secret. Copy both again from "
                "the email Cova sent, save, and connect again."
            ),
            **where,
        )
    if oauth_error == "unsupported_grant_type":
        return RequestRejected("token grant refused: unsupported_grant_type", **where)
    return AuthenticationFailed(
        "token grant refused" + (": invalid_grant" if oauth_error == "invalid_grant" else ""),
        user_message=(
            "Cova did not accept the Username or Password. Check both (the username looks "
            "like AIQ.COVA.APIUser.YOURCOMPANY), save, and connect again."
        ),
        **where,
    )


class CovaAuth:
    """Gets and caches bearer tokens for one set of Cova credentials."""

    def __init__(
        self,
        http: HttpClient,
        accounts_base_url: str,
        *,
        client_id: str,
        client_secret: str,
        username: str,
        password: str,
    ) -> None:
        self.http = http
        self.token_url = f"{accounts_base_url}{TOKEN_PATH}"
        self._form = {
            "grant_type": "password",
            "username": username,
            "password": password,
            "client_id": client_id,
            "client_secret": client_secret,
        }
        material = "\0".join([self.token_url, client_id, client_secret, username, password])
        self._key = hashlib.sha256(material.encode()).hexdigest()
        self.grants = 0  # how many grants this instance made (observability, tests)

    def token(self, stale: str | None = None) -> str:
        """A valid access token; a new one if the cached one is expired or is ``stale``."""
        cached = self._usable(stale)
        if cached:
            return cached
        with _lock_for(self._key):
            cached = self._usable(stale)
            if cached:
                return cached
            fresh = self._grant()
            _TOKENS[self._key] = fresh
            return fresh.access_token

    def _usable(self, stale: str | None) -> str | None:
        cached = _TOKENS.get(self._key)
        if cached and cached.expires_at > self.http.clock() and cached.access_token != stale:
            return cached.access_token
        return None

    def _grant(self) -> _Token:
        self.grants += 1
        body = self.http.request_json(
            "POST",
            self.token_url,
            data=self._form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            # A grant only mints a token: sending it twice is harmless.
            idempotent=True,
            classify=classify_token_error,
        )
        access_token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(access_token, str) or not access_token:
            raise MalformedResponse(
                "token response without access_token", method="POST", path=TOKEN_PATH
            )
        try:
            expires_in = float(body.get("expires_in") or 43199)
        except (TypeError, ValueError):
            expires_in = 43199.0
        # Keep a margin, but never more than half the lifetime of a short-lived token.
        margin = min(assumptions.TOKEN_SAFETY_MARGIN_SECONDS, expires_in / 2)
        return _Token(access_token, self.http.clock() + expires_in - margin)
