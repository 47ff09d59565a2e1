"""Awarding points: every award is an entry that opens a lot with its own expiry."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from aiq.personas.models import Persona
from loyalty.ledger.accounts import lock_persona_account
from loyalty.ledger.amounts import positive_points
from loyalty.ledger.choices import AWARD_KINDS, EXPLAINED_KINDS, EntryKind
from loyalty.ledger.models import LedgerEntry
from loyalty.ledger.postings import NewLot, check_replay, make_cause, post, replayable


@replayable
def award(
    persona: Persona,
    points: Decimal | int,
    kind: str = EntryKind.EARN,
    *,
    occurred_at: datetime | None = None,
    expires_at: datetime | None = None,
    explanation: str = "",
    reason: str = "",
    sale: Any = None,
    staff_user: Any = None,
    api_key_label: str = "",
    task: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Add ``points`` to the persona's balance as a new lot expiring at ``expires_at``.

    Earn and visit-bonus entries need an ``explanation`` of their number; an adjustment
    needs a ``reason``. ``expires_at=None`` never expires (gifted adjustments).
    """
    amount = positive_points(points)
    if kind not in AWARD_KINDS:
        raise ValueError(f"{kind!r} is not a kind of award.")
    if kind in EXPLAINED_KINDS and not explanation.strip():
        raise ValueError("An earn entry needs the explanation of its number.")
    if kind == EntryKind.ADJUST and not reason.strip():
        raise ValueError("A manual adjustment needs a reason.")
    cause = make_cause(
        occurred_at,
        sale=sale,
        staff_user=staff_user,
        api_key_label=api_key_label,
        task=task,
        reason=reason,
        explanation=explanation,
    )
    if expires_at is not None and expires_at <= cause.occurred_at:
        raise ValueError("Points cannot expire before they are earned.")
    with transaction.atomic():
        account = lock_persona_account(persona)
        expected = {"kind": kind, "points": amount, "account_id": account.pk}
        check_replay(account.company_id, idempotency_key, expected)
        return post(
            account,
            kind,
            amount,
            cause,
            opens=NewLot(amount, earned_at=cause.occurred_at, expires_at=expires_at),
            idempotency_key=idempotency_key,
            expected=expected,
        )
