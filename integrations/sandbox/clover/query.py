"""Clover list parameters: ``limit``/``offset``, repeated ``filter=<field><op><value>``
(ANDed; ops ``= != > >= < <=``), ``expand`` (comma-joined or repeated) and ``orderBy``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from integrations.sandbox.timeline import Timeline
from integrations.sandbox.web import int_param

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_FILTER = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_.]*)\s*(>=|<=|!=|=|>|<)\s*(.*?)\s*$")


class QueryError(ValueError):
    """A list parameter Clover would refuse with 400."""


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    operation: str
    value: str

    def compare(self, have: Any) -> bool:
        """True when ``have`` satisfies this condition (numbers compare as numbers)."""
        wanted: Any = self.value
        if isinstance(have, bool):
            have, wanted = str(have).lower(), self.value.lower()
        elif isinstance(have, int | float):
            try:
                wanted = float(self.value)
            except ValueError:
                return False
        elif have is None:
            have = ""
        else:
            have, wanted = str(have).lower(), self.value.lower()
        return {
            "=": have == wanted,
            "!=": have != wanted,
            ">": have > wanted,
            ">=": have >= wanted,
            "<": have < wanted,
            "<=": have <= wanted,
        }[self.operation]


@dataclass(slots=True)
class ListQuery:
    limit: int
    offset: int
    conditions: list[Condition]
    expand: set[str]
    descending: bool
    order_field: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def parse(request: HttpRequest, allowed: Iterable[str], default_descending: bool) -> ListQuery:
    """The list parameters of ``request``; ``QueryError`` for a field Clover would refuse."""
    allowed_names = set(allowed)
    limit = int_param(request.GET.get("limit"), DEFAULT_LIMIT, 0, MAX_LIMIT)
    offset = int_param(request.GET.get("offset"), 0, 0)
    if limit is None or offset is None:
        raise QueryError("limit and offset must be non-negative integers")
    conditions = []
    for raw in request.GET.getlist("filter"):
        match = _FILTER.match(raw)
        if not match:
            raise QueryError(f"Invalid filter: {raw}")
        name, operation, value = match.groups()
        if name not in allowed_names:
            raise QueryError(f"Invalid filter field: {name}")
        conditions.append(Condition(name, operation, value))
    expand = {
        part.strip()
        for value in request.GET.getlist("expand")
        for part in value.split(",")
        if part.strip()
    }
    descending = default_descending
    order_field = None
    order = request.GET.get("orderBy", "").strip()
    if order:
        pieces = order.split()
        order_field = pieces[0]
        descending = len(pieces) > 1 and pieces[1].upper() == "DESC"
    return ListQuery(limit, offset, conditions, expand, descending, order_field)


def time_range(timeline: Timeline, conditions: list[Condition], fields: dict[str, int]) -> range:
    """Indices satisfying the conditions on time fields; ``fields`` maps each time field to
    its constant offset from the timeline (e.g. modifiedTime = createdTime + 1000)."""
    low = high = None
    low_inclusive = high_inclusive = True
    for condition in conditions:
        if condition.field not in fields or condition.operation in ("=", "!="):
            continue
        try:
            moment = int(float(condition.value)) - fields[condition.field]
        except ValueError as exc:
            raise QueryError(f"Invalid value for {condition.field}: {condition.value}") from exc
        if condition.operation in (">", ">="):
            if low is None or moment >= low:
                low, low_inclusive = moment, condition.operation == ">="
        elif high is None or moment <= high:
            high, high_inclusive = moment, condition.operation == "<="
    return timeline.between(low, high, low_inclusive=low_inclusive, high_inclusive=high_inclusive)


def lookup(payload: dict[str, Any], dotted: str) -> Any:
    value: Any = payload
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def predicate_for(
    conditions: list[Condition],
    skip: Iterable[str],
    getter: Callable[[dict[str, Any], str], Any] = lookup,
) -> Callable[[dict[str, Any]], bool] | None:
    """A predicate over rendered payloads for the conditions not in ``skip`` (None if none)."""
    skipped = set(skip)
    rest = [c for c in conditions if c.field not in skipped or c.operation in ("=", "!=")]
    if not rest:
        return None
    return lambda payload: all(c.compare(getter(payload, c.field)) for c in rest)
