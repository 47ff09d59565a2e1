"""Merging two personas' ledgers, and undoing it, without recomputing history.

A merge detaches the merged persona's account (its entries stay where they were written)
and carries each of its open lots to the survivor: a ``merge_out`` entry consumes the lot,
a ``merge_in`` entry opens a new lot on the survivor with the same earned and expiry
dates and ``source_lot`` pointing back. The points the merged account had on hold are
shown on the survivor from then on; the hold entries themselves stay on the merged
account, so releasing or committing one later still finds the lots it consumed.

Undo moves back exactly what remains of each carried lot, wherever later merges carried
it, into the lot it came from.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from aiq.personas.models import Persona, PersonaMerge
from loyalty.ledger.accounts import (
    account_of,
    accounts_answered_for,
    lock,
    open_holds_total,
)
from loyalty.ledger.amounts import ZERO
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import Lot, LoyaltyAccount
from loyalty.ledger.postings import Cause, NewLot, fifo_lots, make_cause, move_on_hold, post

MERGE_TASK = "merge_personas"


def carry_lots(
    source: LoyaltyAccount,
    target: LoyaltyAccount,
    portions: list[tuple[Lot, Decimal]],
    merge: PersonaMerge,
    cause: Cause,
) -> Decimal:
    """Move ``portions`` of lots from ``source`` to new lots on ``target`` (both locked)."""
    total = sum((portion for _lot, portion in portions), ZERO)
    if not total:
        return ZERO
    post(source, EntryKind.MERGE_OUT, -total, cause, allocations=portions, merge=merge)
    for lot, portion in portions:
        explanation = (
            f"{portion} points carried over by merge {merge.pk} from lot {lot.pk} "
            f"(earned {lot.earned_at:%b %-d, %Y}"
            + (f", expiring {lot.expires_at:%b %-d, %Y})" if lot.expires_at else ", no expiry)")
        )
        post(
            target,
            EntryKind.MERGE_IN,
            portion,
            cause._replace(explanation=explanation),
            opens=NewLot(portion, lot.earned_at, lot.expires_at, source_lot=lot),
            merge=merge,
        )
    return total


def carry_open_lots(
    source: LoyaltyAccount, target: LoyaltyAccount, merge: PersonaMerge, cause: Cause
) -> Decimal:
    """Carry every open lot of ``source`` to ``target``."""
    return carry_lots(
        source, target, [(lot, lot.remaining) for lot in fifo_lots(source)], merge, cause
    )


def merge_ledgers(
    survivor: Persona, merged: Persona, merge: PersonaMerge, *, now: datetime | None = None
) -> None:
    """Fold the merged persona's points into the survivor's; call inside the merge.

    Must run before the merged persona is deleted: it detaches the account that
    protects the persona row.
    """
    merged_account = LoyaltyAccount.objects.filter(persona=merged).first()
    if merged_account is None:
        return
    source, target = lock(merged_account, account_of(survivor))
    cause = make_cause(now, task=MERGE_TASK, reason=f"Merged into {survivor}"[:300])
    carry_open_lots(source, target, merge, cause)
    held = source.on_hold
    move_on_hold(target, held)
    move_on_hold(source, -held)
    LoyaltyAccount.objects.filter(pk=source.pk).update(persona=None, merged_into=merge)


def live_pieces(merge: PersonaMerge, holder: LoyaltyAccount) -> list[tuple[Lot, int]]:
    """What remains on ``holder`` of the lots ``merge`` carried: (lot, id of its origin).

    A carried lot may have been carried on by a later merge (``source_lot`` chains), so
    the remaining points are looked for down every chain; the origin is the merged
    account's lot the chain started from.
    """
    roots = dict(Lot.objects.filter(award__merge=merge).values_list("pk", "source_lot_id"))
    origin = _down_the_chains({pk: source for pk, source in roots.items() if source not in roots})
    pieces = Lot.objects.filter(pk__in=list(origin), account=holder, remaining__gt=0)
    return [(lot, origin[lot.pk]) for lot in pieces.order_by("pk")]


def live_pieces_of_lot(lot_id: int, holder: LoyaltyAccount) -> set[int]:
    """The open lots on ``holder`` that are ``lot_id`` itself or carried from it."""
    lineage = _down_the_chains({lot_id: lot_id})
    return set(
        Lot.objects.filter(pk__in=list(lineage), account=holder, remaining__gt=0).values_list(
            "pk", flat=True
        )
    )


def _down_the_chains(origin: dict[int, int]) -> dict[int, int]:
    """Extend {lot id: origin} to every lot carried (by merges) from those lots."""
    frontier = list(origin)
    while frontier:
        children = Lot.objects.filter(source_lot_id__in=frontier).values_list("pk", "source_lot_id")
        frontier = []
        for pk, parent in children:
            if pk not in origin:
                origin[pk] = origin[parent]
                frontier.append(pk)
    return origin


def unmerge_ledgers(merge: PersonaMerge, *, now: datetime | None = None) -> None:
    """Split the ledgers back: call after the merged persona is restored, in the undo.

    The restored persona gets back what remains of each lot the merge carried (into the
    very lot it came from), the open holds written on its account, and the points of
    personas merged into it earlier that reached the survivor while it was merged.
    """
    restored = LoyaltyAccount.objects.filter(merged_into=merge).first()
    if restored is None:
        return
    restored, survivor = lock(restored, account_of(merge.survivor_id, merge.company_id))
    LoyaltyAccount.objects.filter(pk=restored.pk).update(
        persona_id=merge.merged_persona_id, merged_into=None
    )
    restored.persona_id, restored.merged_into = merge.merged_persona_id, None
    cause = make_cause(now, task=MERGE_TASK, reason=f"Merge {merge.pk} undone")
    pieces = live_pieces(merge, survivor)
    if pieces:
        portions = [(lot, lot.remaining) for lot, _origin in pieces]
        restores: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for lot, origin_id in pieces:
            restores[origin_id] += lot.remaining
        total = sum(restores.values(), ZERO)
        post(survivor, EntryKind.MERGE_OUT, -total, cause, allocations=portions, merge=merge)
        origins = Lot.objects.in_bulk(list(restores))
        post(
            restored,
            EntryKind.MERGE_IN,
            total,
            cause,
            allocations=[(origins[pk], -points) for pk, points in restores.items()],
            merge=merge,
        )
    # Personas merged into the restored one earlier: their points that were carried to
    # the survivor while it held them come back too, still carried (so undoing those
    # merges later finds them).
    earlier = PersonaMerge.objects.filter(
        survivor_id=merge.merged_persona_id, undone_at__isnull=True
    ).exclude(pk=merge.pk)
    for other in earlier:
        carry_lots(
            survivor,
            restored,
            [(lot, lot.remaining) for lot, _origin in live_pieces(other, survivor)],
            other,
            cause,
        )
    held = open_holds_total(accounts_answered_for(restored))
    move_on_hold(restored, held)
    move_on_hold(survivor, -held)
