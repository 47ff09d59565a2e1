"""Reading one JSON value of a posted visit: text, Decimal amounts, dates. Each failure
names the field (``VisitError``), so the caller answers a 400 or refuses that visit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from aiq.validators import first_control_character

CENT = Decimal("0.01")
THOUSANDTH = Decimal("0.001")
# Sale and line columns are DecimalField(max_digits=12): anything this big is broken.
AMOUNT_LIMIT = Decimal("1e9")
# AIQ's documented form ("2014-04-20 04:03:53 +0000"); ISO 8601 is accepted besides.
AIQ_DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"


class VisitError(ValueError):
    """A visit that cannot be read: ``field`` is its path inside the visit ("" for the
    visit as a whole)."""

    def __init__(self, field: str, why: str) -> None:
        super().__init__(f"{field or 'visit'}: {why}")
        self.field = field
        self.why = why


def text(value: Any, field: str, *, limit: int, required: bool = False, cut: bool = False) -> str:
    """A string (a number is taken as its digits: POS ids are often numeric). Longer than
    ``limit``: cut when ``cut`` (a product name, as the sync does), else refused (an id)."""
    if value is None:
        value = ""
    elif isinstance(value, bool) or not isinstance(value, (str, int)):
        raise VisitError(field, "must be a string")
    result = str(value).strip()
    # Every stored string passes here: a NUL would make PostgreSQL raise.
    bad = first_control_character(result)
    if bad is not None:
        raise VisitError(field, f"contains a control character ({bad[1]})")
    if required and not result:
        raise VisitError(field, "required")
    if len(result) > limit:
        if not cut:
            raise VisitError(field, f"at most {limit} characters")
        result = result[:limit]
    return result


def amount(value: Any, field: str, *, places: Decimal = CENT) -> Decimal:
    """A JSON number (parsed as Decimal, never float) or a numeric string, rounded half up
    to ``places`` so a re-post of 40.0 as 40.00 is the same sale."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise VisitError(field, "must be a number")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise VisitError(field, "must be a number") from None
    if not number.is_finite():
        raise VisitError(field, "must be a number")
    if abs(number) >= AMOUNT_LIMIT:
        raise VisitError(field, "too large")
    return number.quantize(places, rounding=ROUND_HALF_UP)


def moment(value: Any, field: str) -> datetime:
    """AIQ's "YYYY-MM-DD HH:MM:SS +0000" or ISO 8601; a time without offset is UTC."""
    if not isinstance(value, str) or not value.strip():
        raise VisitError(field, 'required, as "YYYY-MM-DD HH:MM:SS +0000" or ISO 8601')
    raw = value.strip()
    try:
        parsed = datetime.strptime(raw, AIQ_DATE_FORMAT)
    except ValueError:
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            raise VisitError(
                field, 'not a date: use "YYYY-MM-DD HH:MM:SS +0000" or ISO 8601'
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not 1970 <= parsed.year <= 9998:
        raise VisitError(field, "out of range")
    return parsed.astimezone(UTC)


def mapping(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise VisitError(field, "must be an object")
    return value
