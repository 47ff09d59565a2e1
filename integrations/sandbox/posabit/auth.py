"""POSaBIT's auth gate: V3 ``Basic base64(integrator:venue)``, legacy V1/V2 ``Bearer venue``.

401 for a missing or refused token (and for a write with a key this sandbox did not issue:
``options.issue_mark``), 403 on customer endpoints until "Enhanced Customer
Data Access" is on (the ``no-customer-access`` fault switches it off), then the request
faults. Error bodies are ``{"code": 0, "message": ...}``, mirroring the ``code: 1`` of
successful envelopes (the real error body is undocumented).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from integrations.sandbox import faults
from integrations.sandbox.options import SandboxAccount, account_for, is_refused
from integrations.sandbox.web import bad_input, basic_credentials, bearer_token, json_response

NO_CUSTOMER_ACCESS = (
    "This API key does not have Enhanced Customer Data Access. Ask your POSaBIT account "
    "representative to enable it."
)

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
NOT_ISSUED = (
    "This venue key was not issued by this sandbox, which accepts writes only from "
    "credentials it issued (manage.py sandbox_credentials)."
)

PosabitView = Callable[..., HttpResponse]


def posabit_error(status: int, message: str, headers: dict[str, str] | None = None) -> HttpResponse:
    return json_response({"code": 0, "message": message}, status=status, headers=headers)


def unauthorized() -> HttpResponse:
    return posabit_error(
        401,
        "Invalid or missing authentication credentials",
        {"WWW-Authenticate": 'Basic realm="API"'},
    )


def posabit_api(
    *, bearer: bool = False, basic: bool = True, customers: bool = False
) -> Callable[[PosabitView], PosabitView]:
    """Wrap a POSaBIT view, called as ``view(request, account, *args)``.

    ``bearer``/``basic`` say which schemes the path accepts (V1/V2 Bearer, V3 Basic);
    ``customers`` marks endpoints that need Enhanced Customer Data Access.
    """

    def decorate(view: PosabitView) -> PosabitView:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            token = bearer_token(request) if bearer else None
            if token is not None:
                integrator, venue = "", token
            else:
                pair = basic_credentials(request) if basic else None
                if pair is None or is_refused(pair[0]):
                    return unauthorized()
                integrator, venue = pair
            if is_refused(venue):
                return unauthorized()
            account = account_for("posabit", (venue,), (integrator, venue))
            refusal = gate(account, customers)
            if refusal is not None:
                return refusal
            if request.method in WRITE_METHODS and not account.issued:
                return posabit_error(401, NOT_ISSUED, {"WWW-Authenticate": 'Basic realm="API"'})
            bad = bad_input(request, kwargs)
            if bad is not None:
                return json_response({"code": 0, "message": bad[1], "field": bad[0]}, status=400)
            return view(request, account, *args, **kwargs)

        return wrapper

    return decorate


def gate(account: SandboxAccount, customers: bool) -> HttpResponse | None:
    """The fault or permission response for this request, or None to serve it."""
    if account.has("expired-token") and faults.first_use(account.state_key):
        return unauthorized()
    if account.has("rate-limit"):
        wait = faults.rate_limit_fault(account.state_key)
        if wait is not None:
            return posabit_error(
                429, "Rate limit exceeded. Retry later.", {"Retry-After": str(wait)}
            )
    if customers and account.has("no-customer-access"):
        return posabit_error(403, NO_CUSTOMER_ACCESS)
    if account.has("server-error"):
        status = faults.server_error_fault(account.state_key)
        if status is not None:
            message = "Internal Server Error" if status == 500 else "Service Unavailable"
            return posabit_error(status, message)
    faults.simulate_latency(account.latency_ms)
    return None
