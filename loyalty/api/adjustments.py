"""Point adjustments from the API: ``PUT /api/v1.1/adjust/loyaltyPoints/:uid/:contactId``
writes one adjust entry attributed to the key; ``GET /api/v1.1/adjustments`` lists them.

Amounts are Decimal from end to end: the body parser reads JSON numbers as Decimal
(``endpoint.read_json``), and anything with more than two decimal places is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from aiq.personas.models import Persona
from loyalty.api import assumptions
from loyalty.api.body_fields import text_field
from loyalty.api.errors import ApiError, bad_request
from loyalty.api.models import ApiKey
from loyalty.card.adjustments import gift_expires_at
from loyalty.ledger.amounts import CENT
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit
from loyalty.ledger.errors import IdempotencyKeyReused, InsufficientPoints
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount
from loyalty.program.models import LoyaltyProgram


@dataclass(frozen=True)
class AdjustRequest:
    points: Decimal  # signed: negative removes
    note: str
    idempotency_key: str | None


def read_adjustment(body: dict[str, Any], idempotency_header: str) -> AdjustRequest:
    if "value" not in body or body["value"] is None:
        raise bad_request("value", "required")
    points = _decimal(body["value"])
    note = text_field(body, "note", max_length=300) or assumptions.ADJUST_DEFAULT_NOTE
    header = idempotency_header.strip()
    if len(header) > assumptions.IDEMPOTENCY_KEY_MAX_LENGTH:
        limit = assumptions.IDEMPOTENCY_KEY_MAX_LENGTH
        raise bad_request("Idempotency-Key", f"longer than {limit} characters")
    return AdjustRequest(points, note, f"api:adjust:{header}" if header else None)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise bad_request("value", "must be a number")
    try:
        points = Decimal(str(value).strip())
    except InvalidOperation:
        raise bad_request("value", "must be a number") from None
    if not points.is_finite():
        raise bad_request("value", "must be a finite number")
    if points == 0:
        raise bad_request("value", "must not be zero")
    if abs(points) >= assumptions.ADJUST_MAX_POINTS:
        raise bad_request("value", f"must be less than {assumptions.ADJUST_MAX_POINTS} in size")
    if points != points.quantize(CENT):
        raise bad_request("value", "at most 2 decimal places")
    return points.quantize(CENT)


def adjust(persona: Persona, request: AdjustRequest, key: ApiKey) -> LedgerEntry:
    """Write the adjust entry; a replayed idempotency key returns the first entry."""
    now = timezone.now()
    try:
        if request.points > 0:
            program = LoyaltyProgram.objects.filter(company_id=persona.company_id).first()
            return award(
                persona,
                request.points,
                EntryKind.ADJUST,
                occurred_at=now,
                expires_at=gift_expires_at(program, now),
                reason=request.note,
                api_key_label=key.name,
                idempotency_key=request.idempotency_key,
            )
        return debit(
            persona,
            -request.points,
            EntryKind.ADJUST,
            occurred_at=now,
            reason=request.note,
            api_key_label=key.name,
            idempotency_key=request.idempotency_key,
        )
    except InsufficientPoints as short:
        raise ApiError(
            assumptions.INSUFFICIENT_POINTS_STATUS,
            assumptions.INSUFFICIENT_POINTS_CODE,
            f"Not enough points: the balance is {short.balance}, {short.requested} were asked "
            "to be removed. Nothing was changed.",
        ) from short
    except IdempotencyKeyReused as reused:
        raise ApiError(422, "idempotency_key_reused", str(reused)) from reused


def entry_data(entry: LedgerEntry, *, contact_id: int | None) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "contactID": contact_id,
        "value": points_number(entry.points),
        "note": entry.reason,
        "apiKey": entry.api_key_label,
        "staff": entry.staff_user.get_username() if entry.staff_user_id else "",
        "time": int(entry.occurred_at.timestamp()),
    }


def adjustment_data(entry: LedgerEntry, persona: Persona) -> dict[str, Any]:
    balance = LoyaltyAccount.objects.filter(persona=persona).values_list("balance", flat=True)
    return {
        **entry_data(entry, contact_id=persona.pk),
        "loyaltyPoints": points_number(balance.first() or Decimal(0)),
    }


def list_adjustments(company_id: int, start: datetime, end: datetime) -> list[dict[str, Any]]:
    entries = (
        LedgerEntry.objects.filter(
            company_id=company_id,
            kind=EntryKind.ADJUST,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .select_related("account", "staff_user")
        .order_by("occurred_at", "id")[: assumptions.ADJUSTMENTS_LIMIT]
    )
    return [entry_data(entry, contact_id=entry.account.persona_id) for entry in entries]


def points_number(value: Decimal) -> int | float:
    """Whole points as an int; fractions as a JSON number (display only, never summed)."""
    return int(value) if value == int(value) else float(value)
