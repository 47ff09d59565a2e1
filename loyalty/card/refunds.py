"""Refunds beside the points their original sale earned, and "Remove N points".

Refunds never take points back by themselves (seed 000 FAQ); staff decide. The POS data
has no link from a refund to the sale it refunds, so the original is found on the same
persona: first a sale with the refund's receipt number (same source), else the latest
earlier sale whose total equals the refund's amount that no other refund has claimed.

Removing writes one reversal per earn entry of the original sale, each linked to that
sale and to the earn entry (the ledger restores exactly from the earn's own lot first).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from aiq.personas.models import Persona, Sale
from loyalty.ledger.amounts import ZERO
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.errors import InsufficientPoints, NotReversible
from loyalty.ledger.models import LedgerEntry
from loyalty.ledger.reversals import reverse
from loyalty.program.points import say_money, say_points

BY_RECEIPT = "receipt number"
BY_TOTAL = "same total"


@dataclass(frozen=True)
class RefundOffer:
    """One refund and what can be taken back for it."""

    refund: Sale
    original: Sale | None
    matched_by: str
    earned: Decimal  # what the original sale's earn entries gave
    removable: Decimal  # what is not reversed yet
    removed: list[LedgerEntry] = field(default_factory=list)

    @property
    def refund_amount(self) -> str:
        return say_money(abs(self.refund.total))

    @property
    def offered(self) -> bool:
        return self.removable > 0


def _earn_entries(sale: Sale) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(sale=sale, kind=EntryKind.EARN, points__gt=0).order_by("id")
    )


def _left(earn: LedgerEntry) -> Decimal:
    reversed_total = earn.reversed_by.filter(kind=EntryKind.REVERSAL).aggregate(
        total=Sum("points")
    )["total"]
    return earn.points + (reversed_total or ZERO)


def match_originals(persona: Persona, refunds: list[Sale]) -> dict[int, tuple[Sale, str]]:
    """refund id -> (original sale, how it was matched), oldest refund first."""
    sales = list(
        Sale.objects.filter(persona=persona, is_refund=False).order_by("-occurred_at", "-id")
    )
    claimed: set[int] = set()
    found: dict[int, tuple[Sale, str]] = {}
    for refund in sorted(refunds, key=lambda sale: (sale.occurred_at, sale.pk)):
        match = None
        if refund.receipt_number:
            match = next(
                (
                    (sale, BY_RECEIPT)
                    for sale in sales
                    if sale.receipt_number == refund.receipt_number and sale.source == refund.source
                ),
                None,
            )
        if match is None:
            match = next(
                (
                    (sale, BY_TOTAL)
                    for sale in sales
                    if sale.pk not in claimed
                    and sale.occurred_at <= refund.occurred_at
                    and sale.total == abs(refund.total)
                ),
                None,
            )
        if match is not None:
            claimed.add(match[0].pk)
            found[refund.pk] = match
    return found


def _all_refunds(persona: Persona) -> list[Sale]:
    # Matching is over all of them, so a sale one refund claimed is not offered twice.
    return list(Sale.objects.filter(persona=persona, is_refund=True))


def refund_offers(persona: Persona, limit: int = 20) -> list[RefundOffer]:
    """The persona's latest refunds, newest first, each with its original's points."""
    refunds = list(
        Sale.objects.filter(persona=persona, is_refund=True).order_by("-occurred_at", "-id")[:limit]
    )
    originals = match_originals(persona, _all_refunds(persona))
    # The offers' earn entries and their reversals in two queries, whatever the count.
    sale_ids = {original.pk for original, _how in originals.values()}
    earns_by_sale: dict[int, list[LedgerEntry]] = defaultdict(list)
    for earn in LedgerEntry.objects.filter(
        sale_id__in=sale_ids, kind=EntryKind.EARN, points__gt=0
    ).order_by("id"):
        earns_by_sale[earn.sale_id].append(earn)
    reversals_by_earn: dict[int, list[LedgerEntry]] = defaultdict(list)
    for reversal in (
        LedgerEntry.objects.filter(
            reverses__in=[earn for earns in earns_by_sale.values() for earn in earns],
            kind=EntryKind.REVERSAL,
        )
        .select_related("staff_user")
        .order_by("id")
    ):
        reversals_by_earn[reversal.reverses_id].append(reversal)
    offers = []
    for refund in refunds:
        original, how = originals.get(refund.pk, (None, ""))
        earns = earns_by_sale.get(original.pk, []) if original is not None else []
        removed = [reversal for earn in earns for reversal in reversals_by_earn[earn.pk]]
        removed.sort(key=lambda entry: entry.pk)
        earned = sum((earn.points for earn in earns), ZERO)
        # A reversal's points are negative: what is left is the earn plus its reversals.
        removable = earned + sum((reversal.points for reversal in removed), ZERO)
        offers.append(RefundOffer(refund, original, how, earned, removable, removed))
    return offers


def remove_refund_points(persona: Persona, refund_id: int, *, staff_user: Any) -> Decimal:
    """Reverse what the refund's original sale earned and is not reversed yet.

    Returns the points removed; raises ``NotReversible`` (nothing written) when there is
    nothing to remove or the balance cannot cover it.
    """
    refund = Sale.objects.filter(persona=persona, is_refund=True, pk=refund_id).first()
    if refund is None:
        raise NotReversible("That refund is not on this persona's card.")
    original, _how = match_originals(persona, _all_refunds(persona)).get(refund.pk, (None, ""))
    if original is None:
        raise NotReversible("No original sale was found for this refund.")
    label = refund.receipt_number or refund.external_id
    removed = ZERO
    try:
        with transaction.atomic():
            for earn in _earn_entries(original):
                if _left(earn) <= 0:
                    continue
                entry = reverse(
                    earn,
                    reason=f"Refund {label}: points of the original sale removed",
                    sale=original,
                    staff_user=staff_user,
                    # A double click replays the first reversal instead of writing a second.
                    idempotency_key=f"refund:{refund.pk}:earn:{earn.pk}",
                )
                removed -= entry.points
    except InsufficientPoints as short:
        raise NotReversible(
            f"Can't remove {say_points(short.requested)} points: the balance is only "
            f"{say_points(short.balance)}. Nothing was changed."
        ) from short
    if removed <= 0:
        raise NotReversible("The points of this refund's sale were already removed.")
    return removed
