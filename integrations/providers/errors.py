"""Errors raised by POS provider clients, in terms a caller can act on.

Every error says whether it is ``permanent`` (retrying cannot help: the credential needs a
person's attention) or transient (retry later, with backoff). ``code`` is a short stable
slug for logs, admin filters and tests; ``user_message`` is plain words a dispensary staff
member can act on. Neither ``str(error)`` nor ``user_message`` ever holds a secret: they
carry the method, the URL path, the HTTP status and a short description, never a header,
a query string, a request body or a response body.

This module imports nothing from the project so the HTTP seam (``aiq.http``) can raise
these errors without importing any provider code.
"""

from __future__ import annotations

from typing import Any


class ProviderError(Exception):
    """Base of every error a POS client raises."""

    code: str = "provider-error"
    permanent: bool = False
    # A permanent error that stops one stream only names it (e.g. "customers": a missing
    # permission the other streams do not need); None stops the whole credential.
    only_stream: str | None = None
    default_user_message: str = (
        "The point-of-sale system returned an error. AIQ will try again later."
    )

    def __init__(
        self,
        detail: str = "",
        *,
        user_message: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        permanent: bool | None = None,
        only_stream: str | None = None,
    ) -> None:
        self.detail = detail
        self.user_message = user_message or self.default_user_message
        self.method = method
        self.path = path
        self.status = status
        if permanent is not None:
            # An instance may differ from its class, e.g. an unreachable host that is
            # really a malformed URL typed by staff.
            self.permanent = permanent
        if only_stream is not None:
            self.only_stream = only_stream
        super().__init__(self._render())

    @property
    def stops_credential(self) -> bool:
        """Permanent for every stream: the credential needs a person before anything syncs."""
        return self.permanent and self.only_stream is None

    def _render(self) -> str:
        parts = []
        if self.method and self.path:
            parts.append(f"{self.method} {self.path}")
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.detail:
            parts.append(self.detail)
        return ": ".join(parts) if parts else self.code

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments would otherwise be lost when Celery pickles the error.
        return (_rebuild, (type(self), self.args, self.__dict__.copy()))


def _rebuild(cls: type[ProviderError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class AuthenticationFailed(ProviderError):
    """The POS refused the credentials (HTTP 401, or a refused token grant)."""

    code = "bad-credentials"
    permanent = True
    default_user_message = (
        "The point-of-sale system did not accept these credentials. "
        "Check each field, save, and connect again."
    )


class CredentialsIncomplete(AuthenticationFailed):
    """A required credential field is empty, so no request was made."""

    code = "missing-credential"


class TemporaryPassword(AuthenticationFailed):
    """Cova still holds the temporary password it issued with the API credentials."""

    code = "temporary-password"
    default_user_message = (
        "Cova says this password is temporary. Sign in to Cova Hub, change the temporary "
        "password, then enter the new one here and connect again."
    )


class PermissionMissing(ProviderError):
    """The credentials are valid but lack a permission the call needs (HTTP 403)."""

    code = "missing-permission"
    permanent = True
    default_user_message = (
        "The point-of-sale system says these credentials lack a permission AIQ needs. "
        "Grant the permissions listed in the setup guide, then connect again."
    )


class NotFound(ProviderError):
    """The POS does not know the account or record asked for (HTTP 404)."""

    code = "not-found"
    permanent = True
    default_user_message = (
        "The point-of-sale system could not find what AIQ asked for. "
        "Check the account identifiers entered here."
    )


class RequestRejected(ProviderError):
    """The POS rejected the request itself (HTTP 400, 409, 422 and other 4xx)."""

    code = "rejected"
    permanent = True
    default_user_message = (
        "The point-of-sale system rejected a request from AIQ. AIQ support has been told."
    )


class NotSupported(ProviderError):
    """The provider's API has no way to do this (e.g. loyalty points on Clover)."""

    code = "not-supported"
    permanent = True
    default_user_message = "This point-of-sale system does not offer this through its API."


class RateLimited(ProviderError):
    """The POS asked us to slow down (HTTP 429). ``retry_after`` is in seconds, if known."""

    code = "rate-limited"
    permanent = False
    default_user_message = (
        "The point-of-sale system asked AIQ to slow down. AIQ will continue shortly."
    )

    def __init__(self, detail: str = "", *, retry_after: float | None = None, **kwargs: Any):
        self.retry_after = retry_after
        super().__init__(detail, **kwargs)


class ServerError(ProviderError):
    """The POS failed on its side (HTTP 5xx)."""

    code = "server-error"
    permanent = False
    default_user_message = (
        "The point-of-sale system had a problem on its side. AIQ will try again later."
    )


class Unreachable(ProviderError):
    """No answer: a timeout or a connection failure.

    ``address`` is the scheme, host and port tried (never a path, a query or user info), so
    staff and the sync log can tell a POS outage from a wrong address.
    """

    code = "unreachable"
    permanent = False
    default_user_message = "AIQ could not reach the point-of-sale system. AIQ will try again later."

    def __init__(self, detail: str = "", *, address: str | None = None, **kwargs: Any) -> None:
        self.address = address
        if address:
            detail = f"{detail} ({address})" if detail else address
            kwargs.setdefault(
                "user_message",
                f"AIQ could not reach the point-of-sale system at {address}. "
                "AIQ will try again later.",
            )
        super().__init__(detail, **kwargs)


class MalformedResponse(ProviderError):
    """A whole response could not be read (not JSON, or not the documented envelope)."""

    code = "malformed-response"
    permanent = False
    default_user_message = (
        "The point-of-sale system sent an answer AIQ could not read. AIQ will try again later."
    )


class MalformedRecord(ProviderError):
    """One record could not be mapped; the rest of its page is unaffected.

    Iterators *yield* (not raise) these so a sync can quarantine the record with its
    ``raw`` payload and carry on. ``raw`` may hold shopper PII and is deliberately not part
    of the message.
    """

    code = "malformed-record"
    permanent = True
    default_user_message = (
        "One record from the point-of-sale system could not be read and was set aside."
    )

    def __init__(
        self,
        reason: str,
        *,
        raw: Any = None,
        kind: str = "record",
        external_id: str | None = None,
    ) -> None:
        self.reason = reason
        self.raw = raw
        self.kind = kind
        self.external_id = external_id
        label = f"{kind} {external_id}" if external_id else kind
        super().__init__(f"malformed {label}: {reason}")
