"""Debiting points: the oldest, soonest-expiring lots are consumed first (FIFO)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from aiq.personas.models import Persona
from loyalty.ledger.accounts import lock_persona_account
from loyalty.ledger.amounts import positive_points
from loyalty.ledger.choices import DEBIT_KINDS, EntryKind
from loyalty.ledger.errors import InsufficientPoints
from loyalty.ledger.models import LedgerEntry, Lot, LoyaltyAccount
from loyalty.ledger.postings import (
    Cause,
    check_replay,
    fifo_lots,
    make_cause,
    post,
    replayable,
    take,
)


def debit_account(
    account: LoyaltyAccount,
    amount: Decimal,
    kind: str,
    cause: Cause,
    *,
    idempotency_key: str | None = None,
    key_known_unused: bool = False,
    open_lots: list[Lot] | None = None,
) -> LedgerEntry:
    """Consume ``amount`` FIFO from the locked account; refuse (writing nothing) if short.

    ``open_lots``: the account's open lots in ``FIFO`` order, when the caller read them
    under this same lock (the redemption service, with its other reads in one
    statement); None: read here.

    ``key_known_unused``: the caller has proved, under the account's lock, that no entry
    carries ``idempotency_key`` (the redemption service: its own row for the request is
    written in the same transaction as the entry), so the retry fast path's SELECT is
    skipped; the unique constraint still refuses a second use in ``post``."""
    expected = {"kind": kind, "points": -amount, "account_id": account.pk}
    if not key_known_unused:
        check_replay(account.company_id, idempotency_key, expected)
    if amount > account.balance:
        raise InsufficientPoints(account.balance, amount)
    lots = fifo_lots(account) if open_lots is None else open_lots
    allocations = take(lots, amount, balance=account.balance)
    return post(
        account,
        kind,
        -amount,
        cause,
        allocations=allocations,
        idempotency_key=idempotency_key,
        expected=expected,
    )


@replayable
def debit(
    persona: Persona,
    points: Decimal | int,
    kind: str = EntryKind.REDEEM,
    *,
    occurred_at: datetime | None = None,
    reason: str = "",
    sale: Any = None,
    staff_user: Any = None,
    api_key_label: str = "",
    task: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Take ``points`` (a positive amount) off the persona's balance.

    Raises ``InsufficientPoints`` and writes nothing when the balance is short. A manual
    adjustment needs a ``reason``.
    """
    amount = positive_points(points)
    if kind not in DEBIT_KINDS:
        raise ValueError(f"{kind!r} is not a kind of debit.")
    if kind == EntryKind.ADJUST and not reason.strip():
        raise ValueError("A manual adjustment needs a reason.")
    cause = make_cause(
        occurred_at,
        sale=sale,
        staff_user=staff_user,
        api_key_label=api_key_label,
        task=task,
        reason=reason,
    )
    with transaction.atomic():
        account = lock_persona_account(persona)
        return debit_account(account, amount, kind, cause, idempotency_key=idempotency_key)
