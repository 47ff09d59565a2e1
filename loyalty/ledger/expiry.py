"""Expiring points: per lot (FIFO mode) or the whole balance (legacy mode).

Each account is expired in its own short transaction under its row lock, the same lock
every debit takes, so an expiry run and a redemption never both spend one lot: whichever
comes second sees what the first left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from aiq.accounts.models import Company
from loyalty.ledger.amounts import ZERO
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry, Lot, LoyaltyAccount
from loyalty.ledger.postings import FIFO, fifo_lots, make_cause, post

EXPIRE_TASK = "expire_points"


@dataclass
class ExpiryRun:
    """What one run expired (or, in a dry run, would expire)."""

    accounts: int = 0
    points: Decimal = ZERO
    entry_ids: list[int] = field(default_factory=list)


def expire(
    now: datetime, *, dry_run: bool = False, company: Company | None = None, task: str = EXPIRE_TASK
) -> ExpiryRun:
    """Expire every open lot whose expiry date has come: one entry per account."""
    due = Lot.objects.filter(remaining__gt=0, expires_at__lte=now)
    if company is not None:
        due = due.filter(company=company)
    run = ExpiryRun()
    if dry_run:
        totals = due.values("account_id").annotate(total=Sum("remaining"))
        for row in totals:
            run.accounts += 1
            run.points += row["total"]
        return run
    for account_id in sorted(set(due.values_list("account_id", flat=True))):
        entry = _expire_account(account_id, now, task)
        if entry is not None:
            run.accounts += 1
            run.points -= entry.points
            run.entry_ids.append(entry.pk)
    return run


def _expire_account(account_id: int, now: datetime, task: str) -> LedgerEntry | None:
    with transaction.atomic():
        account = LoyaltyAccount.objects.select_for_update().get(pk=account_id)
        # Read again under the lock: a redemption may have consumed them meanwhile.
        lots = list(
            Lot.objects.filter(account=account, remaining__gt=0, expires_at__lte=now).order_by(
                *FIFO
            )
        )
        if not lots:
            return None
        portions = [(lot, lot.remaining) for lot in lots]
        total = sum((portion for _lot, portion in portions), ZERO)
        dates = ", ".join(sorted({f"{lot.expires_at:%b %-d, %Y}" for lot in lots}))
        explanation = f"{total} points reached their expiry date ({dates})."
        cause = make_cause(now, task=task, explanation=explanation)
        return post(account, EntryKind.EXPIRE, -total, cause, allocations=portions)


def expire_legacy(
    account: LoyaltyAccount, *, now: datetime, task: str = EXPIRE_TASK, keep_gifted: bool = False
) -> LedgerEntry | None:
    """Expire the account's whole balance (legacy mode: N days without activity).

    The caller decides the account is inactive; returns None when there is nothing left.
    ``keep_gifted``: lots opened by manual adjustments stay (the program's choice).
    """
    with transaction.atomic():
        account = LoyaltyAccount.objects.select_for_update().get(pk=account.pk)
        lots = fifo_lots(account)
        if keep_gifted:
            lots = [lot for lot in lots if not is_gifted(lot)]
        if not lots:
            return None
        portions = [(lot, lot.remaining) for lot in lots]
        total = sum((portion for _lot, portion in portions), ZERO)
        since = account.last_activity_at
        explanation = f"The whole balance of {total} points expired" + (
            f": no activity since {since:%b %-d, %Y}." if since else "."
        )
        cause = make_cause(now, task=task, explanation=explanation)
        return post(account, EntryKind.EXPIRE, -total, cause, allocations=portions)


def is_gifted(lot: Lot) -> bool:
    """Whether the lot holds points of a manual adjustment (followed through merges)."""
    while lot.source_lot_id is not None:
        lot = Lot.objects.select_related("award").get(pk=lot.source_lot_id)
    return LedgerEntry.objects.filter(pk=lot.award_id, kind=EntryKind.ADJUST).exists()
