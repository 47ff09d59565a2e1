"""Field-by-field differences, as the histories of cards and programs record them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any], as_json: Callable[[Any], Any]
) -> dict[str, list[Any]]:
    """``field -> [before, after]`` for every field whose value changed, each value as
    ``as_json`` stores it (so two values the history would show alike count as equal)."""
    changes = {}
    for name in dict.fromkeys([*before, *after]):
        old, new = as_json(before.get(name)), as_json(after.get(name))
        if old != new:
            changes[name] = [old, new]
    return changes
