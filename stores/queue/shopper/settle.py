"""Counter holds committed by the sale that carries their discount.

A POS that holds through the API commits its hold itself (PUT on the redemption URL). At
the counter nobody does: the budtender applies the discount in the POS, and the POS's
sale reaches us later through the sync. So when a synced sale of the shopper, at the
store of the hold, made after it, carries the discount, the hold is committed through the
same service (a PUT on the hold's transaction id); a sale without it leaves the hold to
lapse by itself after ``LOYALTY_HOLD_MINUTES``. Called by ``loyalty.hooks.sales_written``
inside the sync batch's transaction.

A sale can reach us after its hold lapsed (a sync behind, a long queue at the till): the
discount was still given, so a hold released by time (not by a budtender) within
``LOYALTY_RECONCILE_HOURS`` is redeemed afresh by its sale, the service judging the
balance as on any redemption. The shopper never gets the discount for free, and never
pays twice: the transaction id is the hold's, and the service redeems it once.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from aiq.personas.models import Sale
from loyalty.api.redemption import service
from loyalty.api.redemption.choices import RedemptionStatus
from loyalty.api.redemption.models import Redemption
from loyalty.api.redemption.reconcile import sale_carries_discount
from loyalty.api.redemption.refusals import RedemptionRefused
from loyalty.api.redemption.service import Caller, RedemptionRequest
from loyalty.discounts.models import DiscountUse
from loyalty.ledger.ids import ids_in
from stores.queue.models import CounterRedemption

logger = logging.getLogger(__name__)

# A POS clock a little behind ours still rings up the sale "before" the hold.
CLOCK_SLACK = timedelta(minutes=5)


def commit_counter_holds(company_id: int, sale_ids: Collection[int], now: datetime) -> list[int]:
    """Commit the open counter holds these sales carry; the ids of the redemptions."""
    lapsed_since = now - timedelta(hours=settings.LOYALTY_RECONCILE_HOURS)
    candidates = CounterRedemption.objects.filter(
        Q(redemption__status=RedemptionStatus.HELD)
        | Q(
            redemption__status=RedemptionStatus.RELEASED,
            released_by__isnull=True,  # a budtender's release is a decision; time's is not
            created_at__gte=lapsed_since,
        ),
        company_id=company_id,
    )
    holds = _latest_per_order(
        candidates.select_related("redemption__discount", "persona", "store").order_by(
            "order_key", "-attempt"
        )
    )
    if not holds:
        return []  # the usual batch: one query
    persona_ids = {hold.persona_id for hold in holds}
    sales = list(
        Sale.objects.filter(ids_in("id", sale_ids), is_refund=False, persona_id__in=persona_ids)
        .select_related("store")
        .order_by("occurred_at", "pk")
    )
    committed = []
    for hold in holds:
        sale = next((s for s in sales if _settles(s, hold)), None)
        if sale is not None and _commit(hold, sale, now):
            committed.append(hold.redemption_id)
            sales.remove(sale)  # one sale, one loyalty discount
    return committed


def _latest_per_order(rows: Iterable[CounterRedemption]) -> list[CounterRedemption]:
    # A visit whose lapsed hold was followed by a new one: only the newest may settle.
    latest: dict[str, CounterRedemption] = {}
    for row in rows:
        latest.setdefault(row.order_key, row)
    return list(latest.values())


def _settles(sale: Sale, hold: CounterRedemption) -> bool:
    return (
        sale.persona_id == hold.persona_id
        and sale.store_id in (hold.store_id, None)
        and sale.occurred_at >= hold.created_at - CLOCK_SLACK
        and sale_carries_discount(sale, hold.redemption.discount)
    )


def _commit(hold: CounterRedemption, sale: Sale, now: datetime) -> bool:
    request = RedemptionRequest(
        caller=Caller.counter(hold.store, None),
        persona=hold.persona,
        discount=hold.redemption.discount,
        at=now,
        transaction_id=hold.transaction_id,
        staff=True,
    )
    try:
        service.redeem(request)
    except RedemptionRefused as refused:
        logger.warning("Counter hold %s not committed: %s", hold.pk, refused.message)
        return False
    redemption = Redemption.objects.get(pk=hold.redemption_id)
    if redemption.status != RedemptionStatus.REDEEMED:
        return False
    number = sale.receipt_number or sale.external_id
    redemption.sale = sale
    redemption.note = f"Committed by {sale.get_source_display()} sale {number}"[:300]
    redemption.save(update_fields=["sale", "note", "updated_at"])
    if redemption.discount_use_id is not None:
        DiscountUse.objects.filter(pk=redemption.discount_use_id).update(sale=sale)
    return True
