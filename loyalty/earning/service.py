"""Earning points on sales, set-based per batch and idempotent per sale.

Rules (issue 10, item 3; README "Earning points"):
- an enrolled persona earns on a sale dated (store's local day) on or after the later of
  their enrollment day and the accrual start (the program's, or the day after the sale's
  card's "Loyalty points imported on");
- ``compute_points`` decides the number and its explanation; visit points count the
  persona's earlier eligible sales of the same store-local day, so the daily cap holds
  whatever order the sales arrive in (a late earlier sale moves the visit to itself and
  the later sale gives its visit points back, each as its own entry);
- one earn entry per sale and version: the first is keyed ``earn:sale:<id>``, each
  correction ``earn:sale:<id>:<n>`` and moves exactly the difference between what the
  sale earns now and what its entries add up to. Nothing changed, nothing written;
- refunds earn nothing and take nothing (the persona card offers "Remove N points");
- a give-back the balance cannot cover is not forced: a zero-point entry explains the
  shortfall (staff decide on the persona card) and the sync batch goes on.

The batch's accounts are locked once, in id order, before their sales' entries are read,
so two writers never earn twice on one sale.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, OuterRef

from aiq.personas.models import Sale
from loyalty.earning.batch_sales import SaleRow, sales_with_neighbours
from loyalty.earning.collector import collector_paused
from loyalty.earning.context import EarningContext, load_context
from loyalty.ledger.accounts import LockedAccount, lock_accounts
from loyalty.ledger.amounts import ZERO
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.errors import LedgerError
from loyalty.ledger.ids import ids_in
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount
from loyalty.ledger.postings import BulkAward, Cause, make_cause, post, post_awards
from loyalty.ledger.reversals import reverse
from loyalty.program.points import say_money, say_points

logger = logging.getLogger(__name__)

BATCH = 1000
KEY_PREFIX = "earn:sale:"
TASK = "earning"


@dataclass
class Earned:
    """What one sale's keyed entries add up to so far."""

    points: Decimal = ZERO
    versions: int = 0
    awards: list[int] | None = None  # positive entries, newest last
    last_note: str = ""


@dataclass
class EarningSummary:
    sales_earned: int = 0
    points: Decimal = ZERO
    corrections: int = 0
    shortfalls: int = 0

    def add(self, other: EarningSummary) -> None:
        self.sales_earned += other.sales_earned
        self.points += other.points
        self.corrections += other.corrections
        self.shortfalls += other.shortfalls


# What a sale not earned before has so far (read only: never changed in place).
_NOTHING_YET = Earned()


def earn_key(sale_id: int, version: int) -> str:
    return f"{KEY_PREFIX}{sale_id}" if version == 1 else f"{KEY_PREFIX}{sale_id}:{version}"


def _chunks(ids: Collection[int], size: int) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def earn_for_sales(
    company_id: int, sale_ids: Collection[int], now: datetime, *, batch: int = BATCH
) -> EarningSummary:
    """Earn (or correct) the points of these sales; call inside the caller's transaction."""
    summary = EarningSummary()
    if not sale_ids:
        return summary
    context = load_context(company_id)
    if context is None:
        return summary
    for chunk in _chunks(sale_ids, batch):
        # Each chunk all or nothing; inside the caller's transaction no savepoint (two
        # round trips a batch): a failure fails the caller's batch anyway.
        with transaction.atomic(savepoint=False), collector_paused():
            summary.add(_earn_batch(context, company_id, chunk, now))
    return summary


def earn_for_personas(
    company_id: int, persona_ids: Collection[int], now: datetime
) -> EarningSummary:
    """Catch up: the eligible sales of these personas that have no earn entry yet (the
    persona was enrolled, or the sale linked to them, after the sale was written)."""
    summary = EarningSummary()
    if not persona_ids or load_context(company_id) is None:
        return summary
    earned = LedgerEntry.objects.filter(sale_id=OuterRef("pk"), kind=EntryKind.EARN)
    for chunk in _chunks(persona_ids, BATCH):
        sale_ids = list(
            Sale.objects.filter(
                company_id=company_id,
                persona_id__in=chunk,
                is_refund=False,
                # Sales from well before enrollment never earn: not worth a look on
                # every sync (a day's margin: enrollment counts by the store's day).
                occurred_at__gte=F("persona__loyalty_enrolled_at") - timedelta(days=1),
            )
            .exclude(Exists(earned))
            .values_list("pk", flat=True)
        )
        summary.add(earn_for_sales(company_id, sale_ids, now))
    return summary


def _earn_batch(
    context: EarningContext, company_id: int, sale_ids: list[int], now: datetime
) -> EarningSummary:
    summary = EarningSummary()
    # Refunds earn nothing and take nothing; members only: accounts are created for
    # members, never for a shopper who has not joined.
    wanted = set(sale_ids)
    days: dict[tuple[int, date], list[SaleRow]] = defaultdict(list)
    touched_keys: set[tuple[int, date]] = set()
    for row in sales_with_neighbours(context, company_id, sale_ids):
        key = (row.persona_id, row.day)
        days[key].append(row)  # in visit order
        if row.pk in wanted:
            touched_keys.add(key)
    persona_ids = {persona_id for persona_id, _day in days}
    if not persona_ids:
        return summary
    touched = {key: rows for key, rows in days.items() if key in touched_keys}

    accounts = lock_accounts(company_id, persona_ids)
    earned = _earned_so_far(company_id, [r.pk for rows in touched.values() for r in rows])
    awards: list[BulkAward] = []
    give_backs: list[tuple[SaleRow, Decimal, Earned, str]] = []
    # The loop runs once per sale of every sync batch: what it reads from the context is
    # looked up once here (bench_loyalty: the per-sale Python is most of earning's own time).
    compute = context.rule.compute
    mirrored, blocked_phones = context.mirrored, context.blocked_phones
    imported_on, store_names = context.imported_on, context.store_names
    expires_at = context.expires_at
    for (_persona_id, day), rows in touched.items():
        visits = 0
        for row in rows:
            (
                pk,
                persona_id,
                source,
                store_id,
                pos_key,
                occurred_at,
                total,
                tax,
                receipt_number,
                external_id,
                phone,
                _day,
                enrolled_day,
            ) = row
            if source in mirrored or enrolled_day > day:
                continue
            store_name = store_names.get(store_id)
            result = compute(
                receipt_number or external_id,
                f"POS location {pos_key}" if store_name is None else store_name,
                total,
                tax,
                day,
                visits,
                bool(phone) and phone in blocked_phones,
                imported_on.get(source),
            )
            if result.counts_as_visit:
                visits += 1
            so_far = earned.get(pk)
            if so_far is None:
                if pk not in wanted:
                    continue  # a neighbour not yet earned: the catch-up earns it
                so_far = _NOTHING_YET
            difference = result.points - so_far.points
            if difference == 0:
                continue
            if difference > 0:
                explanation = result.explanation
                if so_far.versions:
                    explanation = _correction(row, result.points, so_far.points) + explanation
                    summary.corrections += 1
                else:
                    summary.sales_earned += 1
                summary.points += difference
                awards.append(
                    BulkAward(
                        accounts[persona_id],
                        EntryKind.EARN,
                        difference,
                        # Cause itself, not make_cause: nothing here to default or check.
                        Cause(occurred_at, sale=pk, task=TASK, explanation=explanation),
                        expires_at(occurred_at),
                        earn_key(pk, so_far.versions + 1),
                    )
                )
            else:
                give_backs.append((row, result.points, so_far, result.explanation))
    post_awards(awards)
    for row, now_earns, so_far, explanation in give_backs:
        outcome = _give_back(row, now_earns, so_far, explanation, accounts[row.persona_id], now)
        summary.points += outcome
        summary.corrections += 1
        summary.shortfalls += outcome == 0
    return summary


def _earned_so_far(company_id: int, sale_ids: list[int]) -> dict[int, Earned]:
    """Per sale, what its earning entries (keyed ``earn:sale:...``) add up to."""
    earned: dict[int, Earned] = {}
    if not sale_ids:
        return earned
    for sale_id, pk, points, explanation in (
        # By sale alone (the sales are the company's): the sale index answers whatever
        # the planner believes about the company's share of the table.
        LedgerEntry.objects.filter(
            ids_in("sale_id", sale_ids), idempotency_key__startswith=KEY_PREFIX
        )
        .order_by("pk")
        .values_list("sale_id", "pk", "points", "explanation")
    ):
        so_far = earned.setdefault(sale_id, Earned(awards=[]))
        so_far.points += points
        so_far.versions += 1
        so_far.last_note = explanation if points == 0 else ""
        if points > 0:
            assert so_far.awards is not None
            so_far.awards.append(pk)
    return earned


def _correction(row: SaleRow, now_earns: Decimal, before: Decimal) -> str:
    return (
        f"Total changed at the POS (now {say_money(row.total)}): the sale now earns "
        f"{say_points(now_earns)} points, {say_points(before)} were earned before. "
    )


def _give_back(
    row: SaleRow,
    now_earns: Decimal,
    so_far: Earned,
    explanation: str,
    account: LockedAccount,
    now: datetime,
) -> Decimal:
    """Reverse the difference from the sale's own earn entries (their lots first); when
    the balance cannot cover it, write a zero-point entry that says so. Returns the
    (negative) points moved, zero for a shortfall."""
    amount = so_far.points - now_earns
    sale = Sale(pk=row.pk)
    versions = so_far.versions
    reason = _correction(row, now_earns, so_far.points).strip()
    moved = ZERO
    try:
        with transaction.atomic():
            left = amount
            for entry in reversed(so_far.awards or []):
                if left <= 0:
                    break
                award = LedgerEntry.objects.get(pk=entry)
                portion = min(left, _reversible(award))
                if portion <= 0:
                    continue
                versions += 1
                reverse(
                    award,
                    portion,
                    occurred_at=now,
                    reason=reason[:300],
                    sale=sale,
                    task=TASK,
                    idempotency_key=earn_key(row.pk, versions),
                )
                left -= portion
                moved -= portion
            return moved
    except LedgerError as refusal:
        note = (
            f"{reason} {say_points(amount)} points should be given back, but {refusal} "
            "Nothing was removed; staff can remove points on the persona card. "
            f"Now: {explanation}"
        )
        if so_far.last_note != note:
            logger.warning("Earning correction of sale %s refused: %s", row.pk, refusal)
            post(
                LoyaltyAccount.objects.select_for_update().get(pk=account.pk),
                EntryKind.EARN,
                ZERO,
                make_cause(now, sale=sale, task=TASK, explanation=note),
                idempotency_key=earn_key(row.pk, so_far.versions + 1),
            )
        return ZERO


def _reversible(award: LedgerEntry) -> Decimal:
    reversed_points = sum(
        (e.points for e in award.reversed_by.filter(kind=EntryKind.REVERSAL)), ZERO
    )
    return award.points + reversed_points
