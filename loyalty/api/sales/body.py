"""Reading a sales call's JSON body: numbers as Decimal, a size limit, the bulk wrapper."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest

from loyalty.api import assumptions
from loyalty.api.errors import ApiError, bad_request


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def read_json(request: HttpRequest, limit: int) -> Any:
    """The body as JSON with every number a Decimal or int (money is never a float).

    Not the endpoint decorator's parser: that one reads objects of a few kilobytes with
    floats, and a bulk call is a list of up to megabytes."""
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
        return json.loads(raw or b"{}", parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise bad_request("body", "not valid JSON") from None


def single_visit(body: Any) -> Any:
    """``{"visit": {...}}``: the visit (still raw)."""
    if not isinstance(body, dict):
        raise bad_request("body", "must be a JSON object")
    if body.get("visit") is None:
        raise bad_request("visit", "required")
    return body["visit"]


def bulk_visits(body: Any) -> list[Any]:
    """``{"visits": [...]}`` or a bare list; an item may be wrapped as ``{"visit": {...}}``."""
    if isinstance(body, dict):
        if body.get("visits") is None:
            raise bad_request("visits", "required")
        body = body["visits"]
        if not isinstance(body, list):
            raise bad_request("visits", "must be a list")
    if not isinstance(body, list):
        raise bad_request("body", 'must be a list of visits or {"visits": [...]}')
    if len(body) > assumptions.MAX_VISITS_PER_CALL:
        raise ApiError(
            413,
            "too_many_visits",
            f"visits: at most {assumptions.MAX_VISITS_PER_CALL} per call (got {len(body)})",
        )
    return [
        item["visit"] if isinstance(item, dict) and isinstance(item.get("visit"), dict) else item
        for item in body
    ]


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "body_too_large", f"body: larger than {limit} bytes")
