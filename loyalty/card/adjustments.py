"""Manual adjustments from the persona card: staff add or remove points, with a reason.

Gifted points (an added adjustment) never expire unless the program says so; then, in
first in, first out mode, they expire like any award, N days after they were given.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from aiq.personas.models import Persona
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit
from loyalty.ledger.errors import InsufficientPoints
from loyalty.ledger.models import LedgerEntry
from loyalty.program.choices import ExpirationMode
from loyalty.program.models import LoyaltyProgram
from loyalty.program.points import say_points

ADD = "add"
REMOVE = "remove"
ADJUST_PERMISSION = "loyalty.adjust_points"


class AdjustmentRefused(Exception):
    """The adjustment was not written; the message says why in the manager's words."""


def gift_expires_at(program: LoyaltyProgram | None, now: datetime) -> datetime | None:
    """When points given by hand now expire: never, unless the program says so."""
    if (
        program is None
        or not program.gifted_points_expire
        or program.expiration_mode != ExpirationMode.FIFO
        or not program.expiration_days
    ):
        return None
    return now + timedelta(days=program.expiration_days)


def adjust_points(
    persona: Persona,
    direction: str,
    points: Decimal,
    reason: str,
    *,
    staff_user: Any,
    now: datetime | None = None,
) -> LedgerEntry:
    """Add or remove ``points``; a removal larger than the balance writes nothing."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise AdjustmentRefused("Give a reason for the adjustment.")
    if direction == ADD:
        program = LoyaltyProgram.objects.filter(company_id=persona.company_id).first()
        return award(
            persona,
            points,
            EntryKind.ADJUST,
            occurred_at=now,
            expires_at=gift_expires_at(program, now),
            reason=reason,
            staff_user=staff_user,
        )
    if direction == REMOVE:
        try:
            return debit(
                persona,
                points,
                EntryKind.ADJUST,
                occurred_at=now,
                reason=reason,
                staff_user=staff_user,
            )
        except InsufficientPoints as short:
            raise AdjustmentRefused(
                f"Can't remove {say_points(short.requested)} points: the balance is only "
                f"{say_points(short.balance)}. Nothing was changed."
            ) from short
    raise AdjustmentRefused("Choose whether to add or remove points.")
