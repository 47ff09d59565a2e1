"""Holds: points set aside for a redemption that is not final yet.

A hold is a debit (the balance goes down, ``on_hold`` up) that is later either released
(the lots it consumed are restored exactly) or committed (a zero-point redeem entry makes
it final). Either happens once: a unique constraint on the settling entry says so, and
the check under the account lock gives the clear message.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from aiq.personas.models import Persona
from loyalty.ledger.accounts import holder_of, lock, lock_persona_account
from loyalty.ledger.amounts import ZERO, positive_points
from loyalty.ledger.choices import SETTLEMENT_KINDS, EntryKind
from loyalty.ledger.debits import debit_account
from loyalty.ledger.errors import HoldAlreadySettled
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount
from loyalty.ledger.postings import check_replay, make_cause, move_on_hold, post, replayable
from loyalty.ledger.reversals import carry_if_merged


@replayable
def hold(
    persona: Persona,
    points: Decimal | int,
    *,
    occurred_at: datetime | None = None,
    sale: Any = None,
    staff_user: Any = None,
    api_key_label: str = "",
    task: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Set ``points`` aside (FIFO from the lots); refuse, writing nothing, if short."""
    amount = positive_points(points)
    cause = make_cause(
        occurred_at, sale=sale, staff_user=staff_user, api_key_label=api_key_label, task=task
    )
    with transaction.atomic():
        account = lock_persona_account(persona)
        entry = debit_account(
            account, amount, EntryKind.HOLD, cause, idempotency_key=idempotency_key
        )
        move_on_hold(account, amount)
        return entry


def _lock_open_hold(
    entry: LedgerEntry, settling_kind: str, key: str | None
) -> tuple[LedgerEntry, LoyaltyAccount, LoyaltyAccount]:
    """The hold (fresh), its account and the account showing it on hold, all locked."""
    held = LedgerEntry.objects.select_related("account").get(pk=entry.pk)
    if held.kind != EntryKind.HOLD:
        raise ValueError(f"Entry {held.pk} is not a hold.")
    own, holder = lock(held.account, holder_of(held.account))
    check_replay(own.company_id, key, {"kind": settling_kind, "reverses_id": held.pk})
    settled = held.reversed_by.filter(kind__in=SETTLEMENT_KINDS).first()
    if settled is not None:
        verb = "released" if settled.kind == EntryKind.RELEASE else "committed"
        raise HoldAlreadySettled(f"This hold was already {verb} (entry {settled.pk}).")
    return held, own, holder


@replayable
def release(
    hold_entry: LedgerEntry,
    *,
    occurred_at: datetime | None = None,
    staff_user: Any = None,
    api_key_label: str = "",
    task: str = "",
    reason: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Give the held points back to exactly the lots the hold consumed."""
    cause = make_cause(
        occurred_at, staff_user=staff_user, api_key_label=api_key_label, task=task, reason=reason
    )
    with transaction.atomic():
        held, own, holder = _lock_open_hold(hold_entry, EntryKind.RELEASE, idempotency_key)
        restores = [(a.lot, -a.points) for a in held.allocations.select_related("lot")]
        entry = post(
            own,
            EntryKind.RELEASE,
            -held.points,
            cause,
            allocations=restores,
            reverses=held,
            idempotency_key=idempotency_key,
            expected={"kind": EntryKind.RELEASE, "reverses_id": held.pk},
        )
        move_on_hold(holder, held.points)
        carry_if_merged(own, holder, cause)
        return entry


@replayable
def commit_hold(
    hold_entry: LedgerEntry,
    *,
    occurred_at: datetime | None = None,
    sale: Any = None,
    staff_user: Any = None,
    api_key_label: str = "",
    task: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Make the hold final: a zero-point redeem entry; the points leave ``on_hold``."""
    cause = make_cause(
        occurred_at, sale=sale, staff_user=staff_user, api_key_label=api_key_label, task=task
    )
    with transaction.atomic():
        held, own, holder = _lock_open_hold(hold_entry, EntryKind.REDEEM, idempotency_key)
        entry = post(
            own,
            EntryKind.REDEEM,
            ZERO,
            cause,
            reverses=held,
            idempotency_key=idempotency_key,
            expected={"kind": EntryKind.REDEEM, "reverses_id": held.pk},
        )
        move_on_hold(holder, held.points)
        return entry
