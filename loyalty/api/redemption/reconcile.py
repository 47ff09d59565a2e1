"""Points back for redemptions a POS deducted on apply but that never reached a sale.

Cova redeems when the budtender applies the discount and sends nothing when it is removed
again before checkout (seed 000). So such a redemption stays open until the sale of its
transaction syncs: a sale that carries the discount confirms it; a sale without it, or no
sale within ``LOYALTY_RECONCILE_HOURS``, returns the points as a reversal whose reason says
why. Called from the sync (``loyalty.hooks.sales_written``, inside the batch) and by the
periodic task for the deadline.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from aiq.personas.models import Sale
from loyalty.api.redemption.choices import RedemptionStatus
from loyalty.api.redemption.models import Redemption
from loyalty.discounts.choices import DiscountKind
from loyalty.discounts.models import Discount, DiscountUse
from loyalty.ledger.accounts import lock_persona_account
from loyalty.ledger.amounts import CENT
from loyalty.ledger.errors import NotReversible
from loyalty.ledger.ids import ids_in
from loyalty.ledger.reversals import reverse
from loyalty.program.points import say_points

logger = logging.getLogger(__name__)

RECONCILE_TASK = "reconcile_redemptions"


@dataclass
class ReconcileRun:
    confirmed: list[int] = field(default_factory=list)
    returned: list[int] = field(default_factory=list)


def awaiting_sale(company_id: int | None = None) -> QuerySet[Redemption]:
    rows = Redemption.objects.filter(
        status=RedemptionStatus.REDEEMED, reconcile_by__isnull=False, reconciled_at__isnull=True
    )
    return rows if company_id is None else rows.filter(company_id=company_id)


def sale_carries_discount(sale: Sale, discount: Discount) -> bool:
    """Whether the sale's discounts hold this one (see assumptions: the sync keeps amounts,
    not discount names, so another discount of the same size would pass too)."""
    if sale.discount <= 0:
        return False
    if discount.kind == DiscountKind.PERCENT:
        wanted = (sale.subtotal * discount.value / 100).quantize(CENT)
    else:
        wanted = discount.value
    return sale.discount >= wanted - CENT


def reconcile_for_sales(company_id: int, sale_ids: Collection[int], now: datetime) -> ReconcileRun:
    """The sync wrote these sales: judge the open redemptions of their transactions."""
    run = ReconcileRun()
    waiting = dict(
        awaiting_sale(company_id).exclude(transaction_id="").values_list("transaction_id", "pk")
    )
    if not waiting:
        return run  # the usual case: one indexed query per batch
    sales = Sale.objects.filter(ids_in("id", sale_ids), is_refund=False).filter(
        Q(external_id__in=list(waiting)) | Q(receipt_number__in=list(waiting))
    )
    for sale in sales:
        pk = waiting.get(sale.external_id) or waiting.get(sale.receipt_number)
        if pk is not None:
            _judge_safely(pk, sale, now, run)
    return run


def reconcile_due(now: datetime, *, limit: int = 500) -> ReconcileRun:
    """Redemptions past their deadline: the sale if it came after all, else points back."""
    run = ReconcileRun()
    due = list(
        awaiting_sale()
        .filter(reconcile_by__lte=now)
        .order_by("reconcile_by", "pk")
        .values_list("pk", "company_id", "transaction_id")[:limit]
    )
    for pk, company_id, transaction_id in due:
        sale = (
            Sale.objects.filter(company_id=company_id, is_refund=False)
            .filter(Q(external_id=transaction_id) | Q(receipt_number=transaction_id))
            .order_by("occurred_at")
            .first()
        )
        _judge_safely(pk, sale, now, run)
    return run


def _judge_safely(pk: int, sale: Sale | None, now: datetime, run: ReconcileRun) -> None:
    # One bad row must not hold up the others (nor, from the sync, the batch's sales).
    try:
        _judge(pk, sale, now, run)
    except Exception:
        logger.exception("Could not reconcile redemption %s", pk)


def _judge(redemption_id: int, sale: Sale | None, now: datetime, run: ReconcileRun) -> None:
    with transaction.atomic():
        redemption = (
            Redemption.objects.select_related("persona", "discount")
            .filter(pk=redemption_id)
            .first()
        )
        if redemption is None:
            return
        lock_persona_account(redemption.persona)  # the lock every redemption path takes first
        redemption = (
            # of=self: PostgreSQL cannot lock the nullable side of the outer joins.
            Redemption.objects.select_for_update(of=("self",))
            .select_related("discount", "discount_use", "hold_entry", "redeem_entry")
            .get(pk=redemption_id)
        )
        if redemption.status != RedemptionStatus.REDEEMED or redemption.reconciled_at:
            return
        redemption.reconciled_at = now
        redemption.sale = sale
        if sale is not None and sale_carries_discount(sale, redemption.discount):
            redemption.note = f"Confirmed by {_sale_words(sale)}"[:300]
            if redemption.discount_use is not None:
                redemption.discount_use.sale = sale
                redemption.discount_use.save(update_fields=["sale"])
            redemption.save()
            run.confirmed.append(redemption.pk)
            return
        _give_back(redemption, sale, now)
        run.returned.append(redemption.pk)


def _give_back(redemption: Redemption, sale: Sale | None, now: datetime) -> None:
    discount = redemption.discount
    points = say_points(redemption.points)
    if sale is not None:
        why = (
            f'{_sale_words(sale)} arrived without "{discount.name}" (transaction '
            f"{redemption.transaction_id}): the {points} points deducted when it was applied "
            "are returned"
        )
    else:
        hours = settings.LOYALTY_RECONCILE_HOURS
        why = (
            f"No sale for transaction {redemption.transaction_id} arrived within {hours} hours "
            f'of applying "{discount.name}": the {points} points are returned'
        )
    debit_entry = redemption.debit_entry
    assert debit_entry is not None
    try:
        redemption.return_entry = reverse(
            debit_entry,
            occurred_at=now,
            reason=why[:300],
            sale=sale,
            task=RECONCILE_TASK,
            idempotency_key=f"redemption:{redemption.pk}:reconcile",
        )
    except NotReversible as already:
        # Staff gave the points back by hand on the persona card first.
        redemption.note = f"Nothing to return: {already}"[:300]
        redemption.save()
        return
    redemption.status = RedemptionStatus.REVERSED
    redemption.note = why[:300]
    # The discount was not used after all: single use and cooldowns forget this use.
    if redemption.discount_use is not None:
        DiscountUse.objects.filter(pk=redemption.discount_use.pk).delete()
        redemption.discount_use = None
    redemption.save()
    logger.info("Redemption %s: %s", redemption.pk, why)


def _sale_words(sale: Sale) -> str:
    number = sale.receipt_number or sale.external_id
    return f"{sale.get_source_display()} sale {number}"
