"""The one outbound HTTP seam: every call to a POS (or any outside service) goes through here.

``HttpClient`` owns what every provider would otherwise get subtly different:

- a mandatory ``(connect, read)`` timeout and our User-Agent on every request;
- bounded retries with capped full-jitter exponential backoff, only on transient failures
  (connection errors, timeouts, 5xx, 429), never on 400/401/403/404/422;
- ``Retry-After`` as seconds or as an HTTP date; a server asking for a longer wait than
  ``RetryPolicy.max_retry_after`` gets a ``RateLimited`` error instead, so a task can be
  rescheduled rather than hold a worker asleep;
- POSTs are not retried after the request may have reached the server (a retried create
  could make a duplicate shopper) unless the caller says the call is idempotent;
- mapping of the final status to the errors in ``integrations.providers.errors``;
- log lines and error messages that never hold a secret (see ``redact_url``).

``sleep`` and ``clock`` are injectable so tests assert the waits without waiting.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from integrations.providers.errors import (
    AuthenticationFailed,
    MalformedResponse,
    NotFound,
    PermissionMissing,
    ProviderError,
    RateLimited,
    RequestRejected,
    ServerError,
    Unreachable,
)

logger = logging.getLogger("aiq.http")

USER_AGENT = "AIQ-Dispensary-Hub/1.0 (+integrations)"
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 30.0)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
REDACTED = "[redacted]"

# Query parameter and header names whose values are never logged.
_SECRET_NAME = re.compile(
    r"pass(word)?|secret|token|api[-_]?key|^key$|authorization|signature|credential|session",
    re.IGNORECASE,
)
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-apikey"})

Gate = Callable[[], AbstractContextManager[Any]]
Observer = Callable[[requests.Response], None]
Classifier = Callable[[requests.Response], ProviderError | None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try. Defaults suit a background sync, not a user waiting on a page."""

    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    # A longer Retry-After than this is not slept through: RateLimited is raised instead.
    max_retry_after: float = 60.0
    # Total sleeping across the retries of one request.
    max_total_wait: float = 90.0

    def backoff(self, retry_number: int, rand: Callable[[], float]) -> float:
        """Full jitter (AWS architecture blog): uniform in [0, min(cap, base * 2**n))."""
        return rand() * min(self.backoff_cap, self.backoff_base * (2**retry_number))


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - now
    return max(0.0, seconds)


def redact_url(url: str) -> str:
    """The URL with the values of secret-looking query parameters replaced."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (name, REDACTED if _SECRET_NAME.search(name) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]$:,' ")))


def url_path(url: str) -> str:
    """Only the path of a URL: what error messages carry."""
    return urlsplit(url).path or "/"


def url_address(url: str) -> str:
    """Scheme, host and port of a URL, without user info: where a request was sent."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else host


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` safe to log."""
    return {
        name: REDACTED if name.lower() in _SECRET_HEADERS or _SECRET_NAME.search(name) else value
        for name, value in headers.items()
    }


def redact_text(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of each (non-trivial) secret value replaced."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs known secret values from every record it passes."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = {s for s in secrets if s}

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            record.msg = redact_text(record.getMessage(), self.secrets)
            record.args = None
        return True


class HttpClient:
    """A ``requests.Session`` with timeouts, retries and error mapping. Thread-safe enough to
    share between the threads of one worker (requests' pool is); one per process is fine."""

    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
    ) -> None:
        if not timeout or any(t is None or t <= 0 for t in timeout):
            raise ValueError("HttpClient needs a positive (connect, read) timeout.")
        self.session = session or requests.Session()
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.user_agent = user_agent
        self.sleep = sleep
        self.clock = clock
        self.rand = rand

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: tuple[float, float] | None = None,
        idempotent: bool | None = None,
        gate: Gate | None = None,
        observe: Observer | None = None,
        classify: Classifier | None = None,
    ) -> requests.Response:
        """Send one request, retrying transient failures; return a 2xx/3xx response.

        ``gate`` wraps each attempt (a rate limiter's slot), ``observe`` sees every response
        (rate-limit headers), ``classify`` may turn a final error response into a more
        specific ``ProviderError`` before the default status mapping applies.
        """
        method = method.upper()
        safe = idempotent if idempotent is not None else method in IDEMPOTENT_METHODS
        merged = {"User-Agent": self.user_agent, "Accept": "application/json"}
        merged.update(headers or {})
        where = url_path(url)
        address = url_address(url)
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            response: requests.Response | None = None
            error: ProviderError | None = None
            started = time.monotonic()
            try:
                with gate() if gate else nullcontext():
                    response = self.session.request(
                        method,
                        url,
                        params=params,
                        json=json,
                        data=data,
                        headers=merged,
                        timeout=timeout or self.timeout,
                        allow_redirects=False,
                    )
            except requests.ConnectTimeout:
                # Nothing reached the server, so even a POST is safe to send again.
                error = Unreachable(
                    "connection timed out", method=method, path=where, address=address
                )
                retryable = True
            except requests.Timeout:
                error = Unreachable(
                    "no answer before the read timeout",
                    method=method,
                    path=where,
                    address=address,
                )
                retryable = safe
            except requests.ConnectionError:
                error = Unreachable("connection failed", method=method, path=where, address=address)
                retryable = safe
            except requests.RequestException as exc:
                # An invalid URL and the like: a configuration problem, not worth a retry.
                error = Unreachable(
                    type(exc).__name__, method=method, path=where, address=address, permanent=True
                )
                retryable = False
            else:
                logger.debug(
                    "%s %s -> %s in %.0f ms",
                    method,
                    redact_url(response.url or url),
                    response.status_code,
                    (time.monotonic() - started) * 1000,
                )
                if observe:
                    observe(response)
                if response.status_code < 400:
                    return response
                status = response.status_code
                retryable = status == 429 or (status >= 500 and safe)

            wait = self._wait_before_retry(response, attempt) if retryable else None
            out_of_budget = (
                attempt >= self.retry.max_attempts
                or wait is None
                or waited + wait > self.retry.max_total_wait
            )
            if not retryable or out_of_budget:
                if error is None:
                    assert response is not None  # no exception, so a response came back
                    error = self._error_for(response, method, where, classify)
                raise error
            reason = str(response.status_code) if response is not None else str(error)
            logger.warning(
                "%s %s failed (%s); retry %d/%d in %.2fs",
                method,
                where,
                reason,
                attempt,
                self.retry.max_attempts - 1,
                wait,
            )
            self.sleep(wait)
            waited += wait

    def request_json(self, method: str, url: str, **kwargs: Any) -> Any:
        """``request`` and decode the JSON body (``None`` for an empty body)."""
        response = self.request(method, url, **kwargs)
        return decode_json(response, method.upper(), url_path(url))

    def _wait_before_retry(self, response: requests.Response | None, attempt: int) -> float | None:
        """Seconds to sleep before the next attempt, or None when we must not wait."""
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock())
            if retry_after is not None:
                return None if retry_after > self.retry.max_retry_after else retry_after
        return self.retry.backoff(attempt - 1, self.rand)

    def _error_for(
        self,
        response: requests.Response,
        method: str,
        where: str,
        classify: Classifier | None,
    ) -> ProviderError:
        if classify:
            specific = classify(response)
            if specific is not None:
                return specific
        return error_for_status(response, method, where, self.clock())


def error_for_status(
    response: requests.Response, method: str, where: str, now: float | None = None
) -> ProviderError:
    """The default error for a final non-2xx response."""
    status = response.status_code
    common: dict[str, Any] = {"method": method, "path": where, "status": status}
    if status == 401:
        return AuthenticationFailed("credentials refused", **common)
    if status == 403:
        return PermissionMissing("permission refused", **common)
    if status == 404:
        return NotFound("no such resource", **common)
    if status == 429:
        retry_after = parse_retry_after(
            response.headers.get("Retry-After"), now if now is not None else time.time()
        )
        return RateLimited("too many requests", retry_after=retry_after, **common)
    if status >= 500:
        return ServerError("server error", **common)
    return RequestRejected("request rejected", **common)


def decode_json(response: requests.Response, method: str, where: str) -> Any:
    """The JSON body of ``response``; ``MalformedResponse`` if it is not JSON."""
    if not response.content or not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        raise MalformedResponse(
            "the body is not JSON", method=method, path=where, status=response.status_code
        ) from None


def json_body(response: requests.Response) -> Any:
    """Best-effort JSON of an error response, for classifiers; None when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None
