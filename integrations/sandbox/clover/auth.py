"""Clover's gate: User-Agent required, ``Authorization: Bearer`` merchant API token (writes
only with a token this sandbox issued: ``options.issue_mark``), the per-token limits (5 in
flight, 16 requests per second) and the faults.

Over a limit Clover answers 429 with a header naming the limit hit
(``X-RateLimit-tokenConcurrentLimit`` / ``X-RateLimit-tokenLimit``); concurrency 429s add
``Retry-After``. Error bodies are ``{"message": ...}``. The in-flight count of every token is
recorded (``faults.flight_stats``) so tests can check a client's concurrency.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from integrations.sandbox import faults
from integrations.sandbox.options import account_for, hash_text, is_refused
from integrations.sandbox.web import bad_input, bearer_token, json_response

CONCURRENT_PER_TOKEN = 5
REQUESTS_PER_SECOND = 16
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
NOT_ISSUED = (
    "401 Unauthorized: this token was not issued by this sandbox, which accepts writes only "
    "from credentials it issued (manage.py sandbox_credentials)."
)

CloverView = Callable[..., HttpResponse]


def clover_error(status: int, message: str, headers: dict[str, str] | None = None) -> HttpResponse:
    return json_response({"message": message}, status=status, headers=headers)


def clover_api(*, customer_writes: bool = False) -> Callable[[CloverView], CloverView]:
    """Wrap a Clover view, called as ``view(request, account, merchant, *args)``.

    ``customer_writes`` marks views whose POST/DELETE need the "Write Customers" permission.
    """

    def decorate(view: CloverView) -> CloverView:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, merchant: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.META.get("HTTP_USER_AGENT", "").strip():
                return clover_error(400, "A User-Agent header is required.")
            token = bearer_token(request)
            if token is None or is_refused(token) or is_refused(merchant):
                return clover_error(401, "401 Unauthorized")
            token_hash = hash_text(token)
            with faults.in_flight(token_hash) as current:
                if current > CONCURRENT_PER_TOKEN:
                    return clover_error(
                        429,
                        "Too Many Requests",
                        {
                            "X-RateLimit-tokenConcurrentLimit": str(CONCURRENT_PER_TOKEN),
                            "Retry-After": "1",
                        },
                    )
                account = account_for("clover", (merchant, token), (merchant, token))
                per_second = (
                    REQUESTS_PER_SECOND if account.rate_limit is None else account.rate_limit
                )
                if not faults.take_token(token_hash, per_second):
                    return clover_error(
                        429, "Too Many Requests", {"X-RateLimit-tokenLimit": str(per_second)}
                    )
                refusal = _faults(request, account, customer_writes)
                if refusal is not None:
                    return refusal
                # After the faults, so a permission fault answers as Clover would (403).
                if request.method in WRITE_METHODS and not account.issued:
                    return clover_error(401, NOT_ISSUED)
                bad = bad_input(request, {"merchant": merchant, **kwargs})
                if bad is not None:
                    return json_response({"message": bad[1], "field": bad[0]}, status=400)
                faults.simulate_latency(account.latency_ms)
                return view(request, account, merchant, *args, **kwargs)

        return wrapper

    return decorate


def _faults(request: HttpRequest, account: Any, customer_writes: bool) -> HttpResponse | None:
    if account.has("expired-token") and faults.first_use(account.state_key):
        return clover_error(401, "401 Unauthorized")
    if account.has("rate-limit"):
        wait = faults.rate_limit_fault(account.state_key)
        if wait is not None:
            return clover_error(
                429,
                "Too Many Requests",
                {"X-RateLimit-tokenLimit": str(REQUESTS_PER_SECOND), "Retry-After": str(wait)},
            )
    if account.has("server-error"):
        status = faults.server_error_fault(account.state_key)
        if status is not None:
            return clover_error(
                status, "Internal Server Error" if status == 500 else "Service Unavailable"
            )
    if customer_writes and request.method in WRITE_METHODS and account.has("no-write-customers"):
        return clover_error(
            403, "403 Forbidden: this token does not have the Write Customers permission."
        )
    return None
