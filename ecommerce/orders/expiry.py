"""The sweeper (beat every minute; twin: manage.py expire_order_holds).

Availability already ignores an expired hold; the sweeper makes the records say so:
  1. a pending order whose hold ran out is cancelled (staff did not confirm it in time);
  2. a closed order's holds are released once a menu sync that started after the close
     has succeeded (Cova's stock now counts the sale);
  3. any other hold past its time limit is marked released, so nothing stays held.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ecommerce.choices import MenuSyncStatus
from ecommerce.models import InventoryHold, MenuSyncRun, Order
from ecommerce.orders import limits
from ecommerce.orders.actors import SYSTEM
from ecommerce.orders.choices import HoldReleaseReason, OrderStatus
from ecommerce.orders.transitions import TransitionRefused, cancel_order

logger = logging.getLogger("aiq.ecommerce")


@dataclass(frozen=True)
class SweepResult:
    cancelled: int
    counted: int
    expired: int


def sweep(now: datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    cancelled = _cancel_unconfirmed(now)
    counted = _release_counted_by_sync(now)
    expired = InventoryHold.objects.filter(released_at__isnull=True, expires_at__lte=now).update(
        released_at=now, release_reason=HoldReleaseReason.EXPIRED
    )
    if cancelled or counted or expired:
        logger.info(
            "Order holds: %s unconfirmed orders cancelled, %s holds counted by a sync, %s expired",
            cancelled,
            counted,
            expired,
        )
    return SweepResult(cancelled, counted, expired)


def _cancel_unconfirmed(now: datetime) -> int:
    stale = (
        Order.objects.filter(
            status=OrderStatus.PENDING,
            holds__released_at__isnull=True,
            holds__expires_at__lte=now,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    minutes = int(limits.pending_hold().total_seconds() // 60)
    cancelled = 0
    for pk in list(stale):
        try:
            cancel_order(pk, SYSTEM, f"Not confirmed within {minutes} minutes.", now=now)
        except TransitionRefused:
            continue  # staff moved it meanwhile (the status check runs under the row lock)
        cancelled += 1
    return cancelled


def _release_counted_by_sync(now: datetime) -> int:
    synced_since_close = MenuSyncRun.objects.filter(
        settings__store_id=OuterRef("order__store_id"),
        status__in=[MenuSyncStatus.OK, MenuSyncStatus.PARTIAL],
        started_at__gt=OuterRef("order__closed_at"),
    )
    counted = InventoryHold.objects.filter(
        released_at__isnull=True,
        order__status=OrderStatus.CLOSED,
    ).filter(Exists(synced_since_close))
    return InventoryHold.objects.filter(pk__in=list(counted.values_list("pk", flat=True))).update(
        released_at=now, release_reason=HoldReleaseReason.COUNTED_BY_SYNC
    )
