"""A cancellation made here (staff in the admin, the shopper, the sweeper) sent to Cova when
the order is already there, so the POS does not keep an order nobody will collect.

- ``queue_cancel`` (the transitions service calls it when an order is cancelled) marks the
  order when Cova has it (push state "at Cova") and queues the cancel once the transaction
  commits. An order never pushed cancels here only, as does one Cova cancelled first (the
  status poll read Cancelled and cancelled it here). An order whose push is still in
  flight is caught by the push itself: it queues the cancel when it lands on a cancelled
  order (``cova_sync.push``).
- ``send_cancel`` claims the order (queued/retrying -> sending, a conditional UPDATE) and
  calls Cova. Cancelled: the timeline says so and a quick status poll follows, so Cova's
  Cancelled (7) is read back and shown. A transient failure (5xx, 429, a timeout) is
  written on the timeline once and retried with the push's backoff, and the 2-minute job
  queues again a cancel whose task was lost. A refusal (Cova: a paid order cannot be
  cancelled; no such order; after about half a day of transient failures) is not retried:
  sending it again would get the same answer. It stays visibly "Cova did not cancel it",
  with Cova's words on the order and its timeline, for staff to settle at the store and
  send again from the admin if they want.

Nothing here raises into the admin: the cancel runs in a task after the commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import StrEnum

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ecommerce.cova_client import provider_for
from ecommerce.cova_orders import assumptions as a
from ecommerce.cova_orders.client import cancel_order
from ecommerce.cova_orders.errors import CovaOrderRejected, CovaOrderRetryable
from ecommerce.models import CovaEcommerceSettings, Order
from ecommerce.orders.actors import record
from ecommerce.orders.choices import CovaCancelState, CovaPushState, OrderEventKind, OrderStatus
from ecommerce.orders.cova_sync import (
    COVA,
    MAX_PUSH_RETRIES,
    PUSH_LEASE,
    RETRY_CAP_SECONDS,
    retry_countdown,
    set_order_fields,
)

logger = logging.getLogger("aiq.ecommerce")

QUICK_POLL_SECONDS = 5  # read Cova's status back soon after it took the cancel


class CancelOutcome(StrEnum):
    CANCELLED = "cancelled"  # Cova took the cancellation
    SKIPPED = "skipped"  # nothing to claim: sent, being sent, refused, or not queued
    REFUSED = "refused"  # Cova did not cancel it; the order shows why


class CancelRetry(Exception):
    """Cova could not take the cancel just now; send it again after ``countdown`` seconds."""

    def __init__(self, countdown: int, error: CovaOrderRetryable) -> None:
        super().__init__(str(error))
        self.countdown = countdown
        self.error = error


def queue_cancel(order: Order) -> bool:
    """On cancellation: when Cova has the order, queue its cancel there after the commit.

    Called inside the cancelling transaction; nothing is queued if it rolls back.
    """
    queued = (
        Order.objects.filter(
            pk=order.pk,
            status=OrderStatus.CANCELLED,
            cova_push_state=CovaPushState.PUSHED,
            cova_cancel_state=CovaCancelState.NOT_NEEDED,
        )
        # Cancelled at Cova first (the status poll read 7 and cancelled it here): nothing
        # to send back.
        .exclude(cova_status=a.CANCELLED)
        .update(cova_cancel_state=CovaCancelState.QUEUED, updated_at=timezone.now())
    )
    if not queued:
        return False
    order.cova_cancel_state = CovaCancelState.QUEUED
    pk = order.pk
    # robust: a broker that is down at the commit must not fail the staff's request; the
    # order stays queued and the 2-minute job sends it (requeue_stuck_cancels).
    transaction.on_commit(lambda: _enqueue_cancel(pk), robust=True)
    return True


def _enqueue_cancel(order_id: int, countdown: int = 0) -> None:
    from ecommerce.tasks import cancel_order_at_cova

    cancel_order_at_cova.apply_async((order_id,), countdown=countdown or None)


def _claim(order_id: int, now: datetime) -> bool:
    claimable = Q(cova_cancel_state__in=[CovaCancelState.QUEUED, CovaCancelState.RETRYING]) | Q(
        cova_cancel_state=CovaCancelState.SENDING, updated_at__lt=now - PUSH_LEASE
    )
    won = (
        Order.objects.filter(pk=order_id)
        .filter(claimable)
        .update(cova_cancel_state=CovaCancelState.SENDING, updated_at=now)
    )
    return won == 1


def send_cancel(order_id: int, *, retries: int = 0, now: datetime | None = None) -> CancelOutcome:
    """Cancel order ``order_id`` at Cova if its cancel is waiting to be sent.

    Raises ``CancelRetry`` on a transient failure (the task retries with backoff); a
    refusal is stored on the order in Cova's words and returned as ``REFUSED``.
    """
    now = now or timezone.now()
    if not _claim(order_id, now):
        return CancelOutcome.SKIPPED
    order = Order.objects.get(pk=order_id)
    settings = CovaEcommerceSettings.objects.filter(store_id=order.store_id).first()
    if settings is None or not settings.enabled:
        _failed(order, "Not cancelled at Cova: the store's COVA settings are off.")
        return CancelOutcome.REFUSED
    try:
        cancel_order(provider_for(settings), str(order.uuid))
    except CovaOrderRejected as refused:
        _failed(order, refused.user_message)
        return CancelOutcome.REFUSED
    except CovaOrderRetryable as error:
        return _retry_later(order, error, retries)
    done = timezone.now()
    with transaction.atomic():
        set_order_fields(
            order,
            cova_cancel_state=CovaCancelState.SENT,
            cova_error="",
            # Read Cova's status back (Cancelled, 7): the poll writes it on the timeline.
            cova_next_poll_at=done,
        )
        record(order, COVA, OrderEventKind.COVA, "Cancelled at Cova.")
    transaction.on_commit(lambda: _enqueue_poll(order_id), robust=True)
    return CancelOutcome.CANCELLED


def _enqueue_poll(order_id: int) -> None:
    from ecommerce.tasks import poll_cova_order_status

    poll_cova_order_status.apply_async((order_id,), countdown=QUICK_POLL_SECONDS)


def _failed(order: Order, words: str) -> None:
    with transaction.atomic():
        set_order_fields(order, cova_cancel_state=CovaCancelState.FAILED, cova_error=words)
        record(order, COVA, OrderEventKind.COVA, words)
    logger.warning("Order %s not cancelled at Cova: %s", order.uuid, words)


def _retry_later(order: Order, error: CovaOrderRetryable, retries: int) -> CancelOutcome:
    reason = error.order_message or error.user_message or str(error)
    if retries >= MAX_PUSH_RETRIES:
        _failed(
            order,
            f"Cova did not cancel the order after {retries + 1} attempts; the last answer: "
            f"{reason}",
        )
        return CancelOutcome.REFUSED
    with transaction.atomic():
        set_order_fields(order, cova_cancel_state=CovaCancelState.RETRYING, cova_error=reason)
        if retries == 0:  # once per sending, not on every one of its retries
            note = f"Cova could not take the cancellation just now ({reason}); sending again."
            record(order, COVA, OrderEventKind.COVA, note)
    countdown = retry_countdown(retries)
    logger.info("Order %s: cancel at Cova failed (%s); again in %s s", order.uuid, error, countdown)
    raise CancelRetry(countdown, error)


def cancel_again(order_id: int, *, enqueue: bool = True) -> bool:
    """Staff ask for a cancel Cova refused (or that is waiting) to be sent again."""
    queued = Order.objects.filter(
        pk=order_id,
        status=OrderStatus.CANCELLED,
        cova_push_state=CovaPushState.PUSHED,
        cova_cancel_state__in=[CovaCancelState.FAILED, CovaCancelState.RETRYING],
    ).update(cova_cancel_state=CovaCancelState.QUEUED, updated_at=timezone.now())
    if queued and enqueue:
        transaction.on_commit(lambda: _enqueue_cancel(order_id), robust=True)
    return bool(queued)


def requeue_stuck_cancels(now: datetime | None = None, limit: int = 100) -> list[int]:
    """Cancels whose task was lost (the broker was down at the commit, a worker died, a
    retry never came back): queued again by the 2-minute job."""
    now = now or timezone.now()
    stale = now - PUSH_LEASE
    ids = list(
        Order.objects.filter(
            Q(
                cova_cancel_state__in=[CovaCancelState.QUEUED, CovaCancelState.SENDING],
                updated_at__lt=stale,
            )
            | Q(
                cova_cancel_state=CovaCancelState.RETRYING,
                updated_at__lt=stale - timedelta(seconds=RETRY_CAP_SECONDS),
            )
        )
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for order_id in ids:
        _enqueue_cancel(order_id)
    return ids
