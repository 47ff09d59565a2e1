"""Small HTTP helpers shared by the sandbox views."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse

from aiq.validators import first_control_character, printable

NO_BODY = object()


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """A JSON response with the exact body given (lists included)."""
    response = HttpResponse(
        json.dumps(data, separators=(",", ":"), ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def read_json(request: HttpRequest) -> Any:
    """The decoded JSON body, or ``NO_BODY`` when it is missing or not JSON."""
    if not request.body:
        return NO_BODY
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return NO_BODY


def bad_input(request: HttpRequest, arguments: Mapping[str, Any]) -> tuple[str, str] | None:
    """(field, message) for the first control character anywhere in a request's input,
    else None: the URL's arguments, the query string, then the form or JSON body.

    Every sandbox answers it with a 400 naming the field (``aiq/validators.py``): a NUL
    cannot be stored in PostgreSQL, and no POS keeps invisible characters in a record.
    """
    # A query or form field may repeat: each value is checked under the field's name.
    fields: list[tuple[str, Any]] = [*arguments.items(), *request.GET.lists()]
    body: Any = NO_BODY
    if request.content_type == "application/x-www-form-urlencoded":
        fields += request.POST.lists()
    elif request.body:
        body = read_json(request)
    for name, value in fields:
        bad = first_control_character(name) or first_control_character(value)
        if bad is not None:
            return _named(printable(name), bad[1])
    bad = None if body is NO_BODY else first_control_character(body)
    return None if bad is None else _named(*bad)


def _named(field: str, character: str) -> tuple[str, str]:
    return field, f"{field} contains an invisible control character ({character})."


def int_param(value: str | None, default: int, low: int, high: int | None = None) -> int | None:
    """``value`` as an int clamped into [low, high]; ``default`` if absent; None if invalid."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        return None
    if number < low:
        return None
    return min(number, high) if high is not None else number


def bearer_token(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """(user, password) of an ``Authorization: Basic`` header, or None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, separator, password = decoded.partition(":")
    if not separator:
        return None
    return user, password


def money(cents: int) -> float:
    """Cents as a decimal currency amount, e.g. 1234 -> 12.34."""
    return round(cents / 100, 2)
