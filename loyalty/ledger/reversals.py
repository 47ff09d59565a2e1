"""Reversals: a refund, a voided redemption, a correction, each a new entry.

Reversing a debit restores exactly the lots that debit consumed (never others), up to
what is not reversed yet; a partial reversal restores the most recently consumed first.
Reversing an award (the refund case: "remove N points") takes the award's own lot first,
then FIFO from the others, and is refused when the balance cannot cover it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from loyalty.ledger.accounts import holder_of, lock
from loyalty.ledger.amounts import ZERO, positive_points
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.errors import InsufficientPoints, NotReversible
from loyalty.ledger.merges import carry_open_lots, live_pieces_of_lot
from loyalty.ledger.models import Allocation, LedgerEntry, Lot, LoyaltyAccount
from loyalty.ledger.postings import (
    Cause,
    check_replay,
    fifo_lots,
    make_cause,
    post,
    replayable,
    take,
)

REVERSIBLE_AWARDS = frozenset(
    {EntryKind.EARN, EntryKind.VISIT_BONUS, EntryKind.IMPORT, EntryKind.MIRROR, EntryKind.ADJUST}
)
REVERSIBLE_DEBITS = frozenset(
    {EntryKind.REDEEM, EntryKind.ADJUST, EntryKind.MIRROR, EntryKind.HOLD}
)
# Entries that give a debit's lots back: its reversals, and the release of a hold.
RESTORING_KINDS = (EntryKind.REVERSAL, EntryKind.RELEASE)


@replayable
def reverse(
    entry: LedgerEntry,
    points: Decimal | int | None = None,
    *,
    occurred_at: datetime | None = None,
    reason: str = "",
    sale: Any = None,
    staff_user: Any = None,
    api_key_label: str = "",
    task: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Reverse ``points`` of ``entry`` (all that is left of it when ``points`` is None)."""
    amount = positive_points(points) if points is not None else None
    cause = make_cause(
        occurred_at,
        sale=sale,
        staff_user=staff_user,
        api_key_label=api_key_label,
        task=task,
        reason=reason,
    )
    with transaction.atomic():
        entry = LedgerEntry.objects.select_related("account").get(pk=entry.pk)
        if entry.points > 0 and entry.kind in REVERSIBLE_AWARDS:
            return _reverse_award(entry, amount, cause, idempotency_key)
        if entry.points < 0 and entry.kind in REVERSIBLE_DEBITS:
            return _reverse_debit(entry, amount, cause, idempotency_key)
        raise NotReversible(
            f"{entry.get_kind_display()} entries cannot be reversed; write an adjustment."
        )


def given_back_by_lot(debit: LedgerEntry) -> dict[int, Decimal]:
    """Per lot, what the debit's reversals (or its release) gave back: negative sums."""
    given_back: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for lot_id, points in Allocation.objects.filter(
        entry__reverses=debit, entry__kind__in=RESTORING_KINDS
    ).values_list("lot_id", "points"):
        given_back[lot_id] += points
    return given_back


def _reverse_debit(
    debit: LedgerEntry, amount: Decimal | None, cause: Cause, key: str | None
) -> LedgerEntry:
    own, holder = lock(debit.account, holder_of(debit.account))
    expected = {"kind": EntryKind.REVERSAL, "reverses_id": debit.pk, "points": amount}
    check_replay(own.company_id, key, expected)
    committed = debit.reversed_by.filter(kind=EntryKind.REDEEM).exists()
    if debit.kind == EntryKind.HOLD and not committed:
        raise NotReversible("An open hold is released, not reversed.")
    given_back = given_back_by_lot(debit)
    # Most recently consumed first: the debit's allocations were written in FIFO order.
    consumed = list(debit.allocations.select_related("lot").order_by("-id"))
    open_by_lot = [(a.lot, a.points + given_back[a.lot_id]) for a in consumed]
    left = sum((points for _lot, points in open_by_lot), ZERO)
    if left <= 0:
        raise NotReversible("Nothing of this entry is left to reverse.")
    amount = amount or left
    if amount > left:
        raise NotReversible(f"Only {left} points of this entry are left to reverse.")
    restores: list[tuple[Lot, Decimal]] = []
    wanted = amount
    for lot, still_out in open_by_lot:
        portion = min(still_out, wanted)
        if portion > 0:
            restores.append((lot, -portion))
            wanted -= portion
    entry = post(
        own,
        EntryKind.REVERSAL,
        amount,
        cause,
        allocations=restores,
        reverses=debit,
        idempotency_key=key,
        expected=expected,
    )
    carry_if_merged(own, holder, cause)
    return entry


def carry_if_merged(own: LoyaltyAccount, holder: LoyaltyAccount, cause: Cause) -> None:
    """Lots given back to a merged account go on to the account that holds its points."""
    if own.pk != holder.pk and own.merged_into is not None:
        carry_open_lots(own, holder, own.merged_into, cause)


def _reverse_award(
    award: LedgerEntry, amount: Decimal | None, cause: Cause, key: str | None
) -> LedgerEntry:
    (holder,) = lock(holder_of(award.account))
    expected = {
        "kind": EntryKind.REVERSAL,
        "reverses_id": award.pk,
        "points": -amount if amount else None,
    }
    check_replay(holder.company_id, key, expected)
    reversed_so_far = -(
        award.reversed_by.filter(kind=EntryKind.REVERSAL).aggregate(total=Sum("points"))["total"]
        or ZERO
    )
    left = award.points - reversed_so_far
    if left <= 0:
        raise NotReversible("This award is already fully reversed.")
    amount = amount or left
    if amount > left:
        raise NotReversible(f"Only {left} points of this award are left to reverse.")
    if amount > holder.balance:
        raise InsufficientPoints(holder.balance, amount)
    own_lots = live_pieces_of_lot(award.lot.pk, holder)
    lots = fifo_lots(holder)
    ordered = [lot for lot in lots if lot.pk in own_lots] + [
        lot for lot in lots if lot.pk not in own_lots
    ]
    return post(
        holder,
        EntryKind.REVERSAL,
        -amount,
        cause,
        allocations=take(ordered, amount, balance=holder.balance),
        reverses=award,
        idempotency_key=key,
        expected=expected,
    )
