"""Reading typed fields out of a JSON body: a wrong type is a 400 naming the field."""

from __future__ import annotations

from typing import Any

from loyalty.api.errors import bad_request


def text_field(body: dict[str, Any], name: str, *, max_length: int = 200) -> str:
    """The field as trimmed text; "" when absent or null. Numbers are taken as text (a POS
    may send a store id as 12 or "12")."""
    value = body.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad_request(name, "must be a string")
    text = str(value).strip()
    if len(text) > max_length:
        raise bad_request(name, f"longer than {max_length} characters")
    return text


def flag_field(body: dict[str, Any], name: str) -> bool | None:
    """True, False, or None when absent; "true"/"false" strings are accepted too."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise bad_request(name, "must be true or false")
