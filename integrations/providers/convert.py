"""Small, strict converters shared by the payload mappings.

Each raises ``ValueError`` with a short plain reason on bad input; ``map_records`` in
``base.py`` turns that into a ``MalformedRecord`` for the one record concerned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

_CENT = Decimal("0.01")
_NON_DIGITS = re.compile(r"\D+")


def decimal(value: Any, what: str = "amount") -> Decimal:
    """A Decimal from a JSON number or numeric string (never via float rounding)."""
    if value is None or isinstance(value, bool):
        raise ValueError(f"{what} is missing")
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{what} is not a number: {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"{what} is not a finite number")
    return result


def decimal_or_zero(value: Any, what: str = "amount") -> Decimal:
    """Like ``decimal`` but a missing value is zero (optional money fields)."""
    return Decimal(0) if value is None else decimal(value, what)


def cents(value: Any, what: str = "amount") -> Decimal:
    """Integer cents (Clover, POSaBIT) to currency units."""
    if value is None or isinstance(value, bool):
        raise ValueError(f"{what} is missing")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{what} is not whole cents: {value!r}")
        value = int(value)
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"-?\d+", value):
            raise ValueError(f"{what} is not whole cents: {value!r}")
    if not isinstance(value, int | str):
        raise ValueError(f"{what} is not whole cents: {value!r}")
    return (Decimal(int(value)) / 100).quantize(_CENT)


def cents_or_zero(value: Any, what: str = "amount") -> Decimal:
    """Like ``cents`` but a missing value is zero."""
    return Decimal("0.00") if value is None else cents(value, what)


def money(value: Decimal) -> Decimal:
    """Round to cents, half-up (how tills round)."""
    return value.quantize(_CENT, rounding="ROUND_HALF_UP")


def epoch_ms(value: Any, what: str = "time") -> datetime:
    """Epoch milliseconds (Clover) to an aware UTC datetime."""
    if value is None or isinstance(value, bool):
        raise ValueError(f"{what} is missing")
    try:
        millis = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} is not epoch milliseconds: {value!r}") from None
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def to_epoch_ms(value: datetime) -> int:
    """An aware datetime to epoch milliseconds."""
    return int(aware(value).timestamp() * 1000)


def iso_datetime(value: Any, what: str = "time") -> datetime:
    """An ISO-8601 timestamp to an aware UTC datetime; a naive one is read as UTC.

    Accepts ``Z``, offsets and .NET's 7-digit fractions (Cova).
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} is missing")
    text = value.strip()
    match = re.fullmatch(r"(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)", text)
    if match:
        head, fraction, tail = match.groups()
        text = f"{head}.{fraction[:6].ljust(6, '0')}{tail}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what} is not an ISO timestamp: {value!r}") from None
    return aware(parsed)


def optional_iso_datetime(value: Any, what: str = "time") -> datetime | None:
    """``iso_datetime`` or None for a missing value."""
    return None if value in (None, "") else iso_datetime(value, what)


def birth_date(value: Any) -> date | None:
    """A date of birth from ``1990-07-23`` or ``1990-07-23T12:00:00.000``; None if absent.

    Only the calendar date is kept: a birth date is not an instant, so no UTC conversion.
    """
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"birth date is not text: {value!r}")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ValueError(f"birth date is not a date: {value!r}") from None


def aware(value: datetime) -> datetime:
    """``value`` as aware UTC; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def digits(value: Any) -> str | None:
    """Digits only (how we hold phone numbers), or None when there are none."""
    if value in (None, ""):
        return None
    result = _NON_DIGITS.sub("", str(value))
    return result or None


def email(value: Any) -> str | None:
    """A trimmed lower-case email, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()


def text(value: Any) -> str | None:
    """A trimmed string, or None for missing/blank."""
    if value is None:
        return None
    result = str(value).strip()
    return result or None


def identifier(value: Any, what: str = "id") -> str:
    """A required record id as text."""
    if value is None or isinstance(value, bool) or str(value).strip() == "":
        raise ValueError(f"{what} is missing")
    return str(value).strip()


def mapping(value: Any, what: str) -> Mapping[str, Any]:
    """A JSON object, or a ValueError naming what was expected."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} is not an object")
    return value


def elements(value: Any) -> list[Any]:
    """A list, also from Clover's nested ``{"elements": [...]}`` shape; [] when absent."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        value = value.get("elements") or []
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return value
