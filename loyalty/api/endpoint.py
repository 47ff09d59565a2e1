"""The decorator every API view wears: the X-APIKEY check, the UID check, the body limit,
the per-key rate limit, JSON parsing, AIQ's envelope, error mapping and the request log."""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from aiq.validators import first_control_character
from loyalty.api import assumptions
from loyalty.api.errors import ApiError, bad_request, invalid_key
from loyalty.api.keys import find_active_key
from loyalty.api.models import ApiKey
from loyalty.api.ratelimit import check_rate
from loyalty.api.request_log import record_request

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Call:
    """What a view gets: the authenticated key and the parsed JSON body (None on GET)."""

    key: ApiKey
    body: dict[str, Any] | None


class Reply:
    """A response other than {"success": true, "data": ...} (e.g. AIQ's not-found)."""

    def __init__(self, body: dict[str, Any], status: int = 200):
        self.body = body
        self.status = status


View = Callable[..., Any]


def api_endpoint(method: str, *, json_body: bool = False) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            started = time.monotonic()
            key: ApiKey | None = None
            try:
                key = _authenticate(request, kwargs.get("uid"))
                if request.method != method:
                    raise ApiError(405, "method_not_allowed", f"Use {method}.", {"Allow": method})
                check_rate(key.pk)
                body = _parse_body(request) if json_body else None
                _refuse_control_characters(body, kwargs)
                result = view(request, Call(key, body), **kwargs)
                response = _respond(result)
            except ApiError as error:
                response = _failure(error)
            except Exception:
                # A POS reads JSON: even our own bug answers in the envelope (and is logged).
                logger.exception("Loyalty API error on %s", request.method)
                response = _failure(ApiError(500, "server_error", "Something went wrong."))
            if key is not None:
                latency = int((time.monotonic() - started) * 1000)
                record_request(
                    key, request.method or "", request.path, response.status_code, latency
                )
            return response

        # What the OpenAPI builder reads to document only the methods a view accepts.
        wrapper.api_methods = (method,)  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _authenticate(request: HttpRequest, uid: str | None) -> ApiKey:
    # request.headers is case-insensitive: x-apikey, X-APIKEY and X-ApiKey are one header.
    key = find_active_key(request.headers.get("X-APIKEY", "").strip())
    if key is None:
        raise invalid_key()
    if uid is not None and uid != key.company.uid:
        raise invalid_key()
    return key


def _parse_body(request: HttpRequest) -> dict[str, Any]:
    body = read_json(request, assumptions.MAX_BODY_BYTES)
    if not isinstance(body, dict):
        raise bad_request("body", "must be a JSON object")
    return body


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def read_json(request: HttpRequest, limit: int, *, standard_only: bool = False) -> Any:
    """The body as JSON, refused unread past ``limit`` bytes, every number an int or a
    Decimal: points and money are never floats, from the first byte on. Python also reads
    NaN and Infinity, which each field check then refuses by name; ``standard_only``
    refuses them as JSON instead (RFC 8259 has no such numbers)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise _too_large(limit)
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise _too_large(limit)
    try:
        if standard_only:
            return json.loads(raw or b"{}", parse_float=Decimal, parse_constant=_refuse_constant)
        return json.loads(raw or b"{}", parse_float=Decimal)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise bad_request("body", "not valid JSON") from None


def _refuse_control_characters(body: Any, path_values: dict[str, Any]) -> None:
    # A NUL byte cannot reach PostgreSQL (it raises): a 400 naming the field instead.
    bad = first_control_character(path_values) or first_control_character(body or {})
    if bad is not None:
        where, character = bad
        raise bad_request(where or "body", f"contains a control character ({character})")


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "body_too_large", f"body: larger than {limit} bytes")


def _respond(result: Any) -> HttpResponse:
    if isinstance(result, Reply):
        return JsonResponse(result.body, status=result.status)
    return JsonResponse({"success": True, "data": result})


def _failure(error: ApiError) -> HttpResponse:
    response = JsonResponse(
        {"success": False, "message": error.message, "code": error.code}, status=error.status
    )
    for name, value in error.headers.items():
        response[name] = value
    return response
