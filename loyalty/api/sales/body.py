"""A sales call's JSON body (read by ``endpoint.read_json``, numbers as Decimal): the
single visit, or the bulk wrapper."""

from __future__ import annotations

from typing import Any

from loyalty.api import assumptions
from loyalty.api.errors import ApiError, bad_request


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
