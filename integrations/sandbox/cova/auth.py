"""Cova's auth: the iQmetrix accounts host (OAuth2 password grant) and the API gate.

Tokens are signed (``django.core.signing``) and carry the sandbox account, so any process
can verify them; revocation by a refresh and the grant counter of the expired-token fault
are in-process state (see ``faults``).

Errors follow the reference: 400 ``unsupported_grant_type`` / ``invalid_client`` /
``invalid_grant`` from the token endpoint, 401 for the temporary-password fault, and on
the API the ASP.NET Web API body ``{"Message": ...}`` for 401/403/400/404/500, Azure API
Management's ``{"statusCode", "message"}`` for 429, and ``COVA-APIM-RateLimit-*`` headers
on every API response.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from integrations.sandbox import faults
from integrations.sandbox.cova import payloads
from integrations.sandbox.options import SandboxAccount, account_for, is_refused
from integrations.sandbox.web import bad_input, bearer_token, json_response

ACCESS_SECONDS = 43_200
REFRESH_SECONDS = 7 * 86_400
DEFAULT_RATE_LIMIT = 1000  # per service per minute (COVA-APIM-RateLimit-Limit)
_ACCESS_SALT = "sandbox.cova.access"
_REFRESH_SALT = "sandbox.cova.refresh"
DENIED = "Authorization has been denied for this request."
# An error message, not a password.
PASSWORD_CHANGE = "Password change required: sign in to https://hub.covasoft.net/ and change it."  # noqa: S105

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
NOT_ISSUED = (
    f"{DENIED} These credentials were not issued by this sandbox, which accepts writes only "
    "from credentials it issued (manage.py sandbox_credentials)."
)

CovaView = Callable[..., HttpResponse]


def cova_error(status: int, message: str, headers: dict[str, str] | None = None) -> HttpResponse:
    return json_response({"Message": message}, status=status, headers=headers)


def _oauth_error(status: int, error: str, description: str) -> HttpResponse:
    return json_response(
        {"error": error, "error_description": description},
        status=status,
        headers={"Cache-Control": "no-store"},
    )


def _issue(account: SandboxAccount) -> HttpResponse:
    grant = faults.next_grant(account.state_key)
    access_id = secrets.token_hex(8)
    claims = account.to_claims()
    # Under the expired-token fault every other token is born expired: the first call with
    # it answers 401, and the next grant works.
    expired = account.has("expired-token") and grant % 2 == 1
    access = signing.dumps({"a": claims, "j": access_id, "x": int(expired)}, salt=_ACCESS_SALT)
    refresh = signing.dumps({"a": claims, "j": access_id}, salt=_REFRESH_SALT)
    return json_response(
        {"access_token": access, "expires_in": ACCESS_SECONDS - 1, "refresh_token": refresh},
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


@csrf_exempt
def token(request: HttpRequest) -> HttpResponse:
    """POST /v1/oauth2/token (accounts.iqmetrix.net): password and refresh_token grants."""
    if request.method != "POST":
        return json_response({"Message": "The requested resource does not support GET."}, 405)
    if request.content_type != "application/x-www-form-urlencoded":
        return _oauth_error(
            400,
            "unsupported_grant_type",
            "The authorization grant type ' ' is not supported by the authorization server",
        )
    bad = bad_input(request, {})
    if bad is not None:
        return _oauth_error(400, "invalid_request", bad[1])
    form = request.POST
    grant_type = form.get("grant_type", "")
    client_id = form.get("client_id", "")
    client_secret = form.get("client_secret", "")
    if grant_type not in ("password", "refresh_token"):
        return _oauth_error(
            400,
            "unsupported_grant_type",
            f"The authorization grant type '{grant_type or ' '}' is not supported by the "
            "authorization server",
        )
    if is_refused(client_id) or is_refused(client_secret):
        return _oauth_error(400, "invalid_client", "The client credentials are invalid")
    if grant_type == "refresh_token":
        return _refresh(client_id, form.get("refresh_token", ""))
    username = form.get("username", "")
    password = form.get("password", "")
    if is_refused(username) or is_refused(password):
        return _oauth_error(400, "invalid_grant", "The user name or password is incorrect.")
    account = account_for(
        "cova", (client_id, username), (client_id, client_secret, username, password)
    )
    if account.has("temporary-password"):
        return json_response(
            {
                "error": "invalid_grant",
                "error_description": "Password change required",
                "Message": "Password change required",
                "Description": PASSWORD_CHANGE,
            },
            status=401,
            headers={"Cache-Control": "no-store"},
        )
    return _issue(account)


def _refresh(client_id: str, refresh_token: str) -> HttpResponse:
    try:
        claims = signing.loads(refresh_token, salt=_REFRESH_SALT, max_age=REFRESH_SECONDS)
    except signing.BadSignature:
        return _oauth_error(400, "invalid_grant", "The refresh token is invalid or expired.")
    account = SandboxAccount.from_claims(claims["a"])
    if account.identity.split("|")[0] != account_for("cova", (client_id,), ()).identity:
        return _oauth_error(400, "invalid_grant", "The client does not own this refresh token.")
    # Exchanging a refresh token revokes the access token it came with.
    faults.revoke(claims["j"])
    return _issue(account)


def _verified_claims(request: HttpRequest) -> dict[str, Any] | None:
    value = bearer_token(request)
    if not value:
        return None
    try:
        claims = signing.loads(value, salt=_ACCESS_SALT, max_age=ACCESS_SECONDS)
    except signing.BadSignature:
        return None
    if faults.is_revoked(claims["j"]) or claims.get("x"):
        return None
    return claims


def me(request: HttpRequest) -> HttpResponse:
    """GET /v1/me (accounts host): the API user, whose ParentEntityId is the company id."""
    claims = _verified_claims(request)
    if claims is None:
        return cova_error(401, DENIED, {"WWW-Authenticate": "Bearer"})
    account = SandboxAccount.from_claims(claims["a"])
    return json_response(payloads.api_user(account))


def _rate_headers(window: faults.Window) -> dict[str, str]:
    if window.limit == 0:
        # ratelimit=0 means unlimited: announcing "Remaining: 0" would make clients pause.
        return {}
    return {
        "COVA-APIM-RateLimit-Limit": str(window.limit),
        "COVA-APIM-RateLimit-Remaining": str(window.remaining),
        "COVA-APIM-RateLimit-Reset": formatdate(window.reset_at, usegmt=True),
        "COVA-APIM-RateLimit-ResetSeconds": str(window.reset_seconds),
    }


def _too_many(seconds: int, headers: dict[str, str]) -> HttpResponse:
    body = {
        "statusCode": 429,
        "message": f"Rate limit is exceeded. Try again in {seconds} seconds.",
    }
    return json_response(body, status=429, headers={**headers, "Retry-After": str(seconds)})


def _gate(request: HttpRequest, service: str, company: str | None) -> tuple[Any, dict[str, str]]:
    """(account or an error response, rate-limit headers) for one API request; ``company``
    None when the URL names none (the order intake: the view checks the body's)."""
    claims = _verified_claims(request)
    if claims is None:
        return cova_error(401, DENIED, {"WWW-Authenticate": "Bearer"}), {}
    account = SandboxAccount.from_claims(claims["a"])
    limit = DEFAULT_RATE_LIMIT if account.rate_limit is None else account.rate_limit
    window = faults.count_in_window(f"{account.state_key}:{service}", limit)
    headers = _rate_headers(window)
    if window.exceeded:
        return _too_many(window.reset_seconds, headers), headers
    if account.has("temporary-password-data"):
        return cova_error(401, f"{DENIED} {PASSWORD_CHANGE}", headers), headers
    if company is not None and company != str(payloads.company_id(account)):
        return cova_error(403, DENIED, headers), headers
    if account.has("rate-limit"):
        wait = faults.rate_limit_fault(account.state_key)
        if wait is not None:
            return _too_many(wait, headers), headers
    if account.has("server-error"):
        status = faults.server_error_fault(account.state_key)
        if status == 500:
            return cova_error(500, "An error has occurred.", headers), headers
        if status == 503:
            body = {"statusCode": 503, "message": "The service is temporarily unavailable."}
            return json_response(body, status=503, headers=headers), headers
    faults.simulate_latency(account.latency_ms)
    return account, headers


def cova_api(
    service: str, *, writes: bool = False, company_in_url: bool = True
) -> Callable[[CovaView], CovaView]:
    """Wrap a Cova data view: bearer auth, company check, rate limits, faults, headers.

    The view is called as ``view(request, account, *args)`` for a URL whose first
    argument is the company id (unless ``company_in_url`` is False: the order intake's
    URLs name none). ``writes`` marks views whose POST/PUT change records: those need a
    token granted for credentials this sandbox issued (``issue_mark``); Cova's searches
    are POSTs too, and read.
    """

    def decorate(view: CovaView) -> CovaView:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            company = kwargs.pop("company", None) if company_in_url else None
            if company_in_url and company is None and args:
                company, args = args[0], args[1:]
            outcome, headers = _gate(request, service, company)
            if isinstance(outcome, HttpResponse):
                return outcome
            if writes and request.method in WRITE_METHODS and not outcome.issued:
                return cova_error(401, NOT_ISSUED, {"WWW-Authenticate": "Bearer", **headers})
            bad = bad_input(request, {"company": company or "", **kwargs})
            if bad is not None:
                response = json_response({"Message": bad[1], "Field": bad[0]}, status=400)
            else:
                response = view(request, outcome, *args, **kwargs)
            for name, value in headers.items():
                response[name] = value
            return response

        return wrapper

    return decorate
