"""Mirroring: "Mirror integration loyalty point values?" sets a persona's balance to the
POS's on every sync, through one mirror entry of the difference.

A higher POS value is an award of the difference (a lot that never expires: mirroring
is refused under FIFO expiry); a lower one a debit of exactly the difference, which
always fits: the balance is what is available (held points are already debited), and
the POS value is never negative. Afterwards our balance equals the POS value. A frozen
or disconnected card is never read, so the last mirrored balance stays.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from aiq.personas.models import Persona
from integrations.models import Integration
from loyalty.ledger.accounts import lock_persona_account
from loyalty.ledger.amounts import to_points
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit_account
from loyalty.ledger.postings import NewLot, make_cause, post

MIRROR_TASK = "pos_balance_mirror"


def mirror_balance(
    integration: Integration, persona: Persona, pos_points: Decimal, now: datetime
) -> Decimal:
    """Set the persona's balance to ``pos_points``; returns the points written (signed)."""
    target = to_points(max(pos_points, Decimal(0)))
    with transaction.atomic():
        account = lock_persona_account(persona)
        difference = target - account.balance
        if not difference:
            return difference
        cause = make_cause(
            now,
            task=MIRROR_TASK,
            reason=(f"Mirrored from {integration.label}: {target} there, {account.balance} here")[
                :300
            ],
        )
        if difference > 0:
            post(
                account,
                EntryKind.MIRROR,
                difference,
                cause,
                opens=NewLot(difference, earned_at=now, expires_at=None),
            )
        else:
            debit_account(account, -difference, EntryKind.MIRROR, cause)
        return difference
