"""Sync Orders (issue 14, items 5 and 6): a confirmed order pushed into Cova once, and its
status read back every 2 minutes (sooner right after the push) until Cova's is final.

Only for a store whose ecommerce settings have Sync Orders on. The Cova calls are
``ecommerce.cova_orders``; this module decides when to make them and what they change here:

- ``queue_push`` (the transitions service calls it when an order is confirmed) marks the
  order queued and, once the transaction commits, queues the push task.
- ``push`` claims the order with a conditional UPDATE (queued/retrying -> sending), so two
  workers never both send it, and a retried task finds nothing to claim once it is at Cova.
  The GUID is ours and Cova answers a second PUT of it with "already exists", so even a
  worker that died after Cova took the order only re-sends what Cova already has.
- ``poll`` reads Cova's status, writes what it saw on the timeline, and moves our status
  forward through ``transition_order`` (a cancellation at Cova releases the hold there).
- ``claim_due_polls`` is the 2-minute beat job's batch, each order claimed by moving its
  ``cova_next_poll_at`` forward (only one poller wins an order).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ecommerce.cova_client import provider_for
from ecommerce.cova_orders import assumptions as a
from ecommerce.cova_orders import values as cova
from ecommerce.cova_orders.client import read_status, send_order
from ecommerce.cova_orders.errors import (
    CovaOrderMissing,
    CovaOrderRejected,
    CovaOrderRetryable,
)
from ecommerce.cova_orders.integrator import integrator_id_for
from ecommerce.models import CovaEcommerceSettings, Order
from ecommerce.orders.actors import Actor, record
from ecommerce.orders.choices import (
    ALLOWED_TRANSITIONS,
    CovaPushState,
    Fulfillment,
    OrderEventKind,
    OrderStatus,
)
from ecommerce.orders.transitions import TransitionRefused, transition_order

logger = logging.getLogger("aiq.ecommerce")

COVA = Actor("cova")

# Cova's advice: poll every few seconds right after the push, then every few minutes.
POLL_INTERVAL = timedelta(minutes=2)
QUICK_POLLS = (20, 40)  # seconds after a push
POLL_BATCH = 100  # orders per 2-minute run; the rest wait their turn at the next
# A push claimed longer ago than this is from a worker that died: it may be claimed again.
PUSH_LEASE = timedelta(minutes=10)
# Celery's retries of a transient failure: 30 s, 1 min, 2 min ... capped at 30 min, for
# about half a day in all before the order says so and waits for a person.
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 30 * 60
MAX_PUSH_RETRIES = 30

# Cova's statuses (mapped by the order layer onto its names) as our OrderStatus values.
OURS = {
    a.PENDING: OrderStatus.PENDING,
    a.CONFIRMED: OrderStatus.CONFIRMED,
    a.CHECKED_IN: OrderStatus.CHECKED_IN,
    a.READY_FOR_PICKUP: OrderStatus.READY_FOR_PICKUP,
    a.CLOSED: OrderStatus.CLOSED,
    a.CANCELLED_STATUS: OrderStatus.CANCELLED,
}
# How far along each status is: a reading only ever moves an order forward (Cova's
# "confirmed" does not undo a check-in staff made here).
PROGRESS = {status: rank for rank, status in enumerate(OrderStatus)}
COVA_STATUS_NAMES = {
    a.SUBMITTED_FOR_PROCESSING: "SubmittedForProcessing",
    a.TRANSIENT_FAILURE: "TransientProcessingFailure",
    a.NON_TRANSIENT_FAILURE: "NonTransientProcessingFailure",
    a.SUBMITTED_FOR_FINAL_PROCESSING: "SubmittedForFinalProcessing",
    a.READY_FOR_PAYMENT: "ReadyForPayment",
    a.CANCELLED: "Cancelled",
    a.COMPLETED: "Completed",
}


class PushOutcome(StrEnum):
    PUSHED = "pushed"  # Cova has the order now
    ALREADY_THERE = "already_there"  # Cova had this GUID already (a re-sent push)
    SKIPPED = "skipped"  # nothing to claim: sent, being sent, refused, or not queued
    NOT_SYNCED = "not_synced"  # Sync Orders is off, or the order was cancelled first
    REFUSED = "refused"  # Cova refused it; the order shows why


class PushRetry(Exception):
    """Cova could not take the order just now; send it again after ``countdown`` seconds."""

    def __init__(self, countdown: int, error: CovaOrderRetryable) -> None:
        super().__init__(str(error))
        self.countdown = countdown
        self.error = error


def retry_countdown(retries: int) -> int:
    """Seconds before the next push attempt: doubling from 30 s, capped at 30 minutes."""
    return min(RETRY_BASE_SECONDS * 2 ** min(retries, 16), RETRY_CAP_SECONDS)


def syncs_orders(settings: CovaEcommerceSettings | None) -> bool:
    return bool(settings and settings.enabled and settings.sync_orders)


def _settings_of(order: Order) -> CovaEcommerceSettings | None:
    return CovaEcommerceSettings.objects.filter(store_id=order.store_id).first()


# Queueing -----------------------------------------------------------------------------


def queue_push(order: Order) -> bool:
    """On confirmation: mark the order for Cova and queue its push after the commit.

    Called inside the confirming transaction; nothing is queued if it rolls back.
    """
    if order.cova_push_state or not syncs_orders(_settings_of(order)):
        return False
    Order.objects.filter(pk=order.pk, cova_push_state=CovaPushState.NOT_SENT).update(
        cova_push_state=CovaPushState.QUEUED
    )
    order.cova_push_state = CovaPushState.QUEUED
    pk = order.pk
    transaction.on_commit(lambda: _enqueue_push(pk))
    return True


def _enqueue_push(order_id: int, countdown: int = 0) -> None:
    from ecommerce.tasks import push_order_to_cova

    push_order_to_cova.apply_async((order_id,), countdown=countdown or None)


def _enqueue_quick_polls(order_id: int) -> None:
    from ecommerce.tasks import poll_cova_order_status

    for seconds in QUICK_POLLS:
        poll_cova_order_status.apply_async((order_id,), countdown=seconds)


# Pushing ------------------------------------------------------------------------------


def _claim_push(order_id: int, now: datetime) -> bool:
    claimable = Q(cova_push_state__in=[CovaPushState.QUEUED, CovaPushState.RETRYING]) | Q(
        cova_push_state=CovaPushState.SENDING, cova_push_claimed_at__lt=now - PUSH_LEASE
    )
    won = (
        Order.objects.filter(pk=order_id)
        .filter(claimable)
        .update(
            cova_push_state=CovaPushState.SENDING,
            cova_push_claimed_at=now,
            cova_push_attempts=F("cova_push_attempts") + 1,
        )
    )
    return won == 1


def cova_phone(phone: str) -> str:
    """The number as Cova keeps it: [I] North American numbers as their 10 digits (Cova's
    customer screens take them so), others as all their digits."""
    number = re.sub(r"\D", "", phone)
    if phone.startswith("+1") and len(number) == 11:
        return number[1:]
    return number


def order_to_push(order: Order, settings: CovaEcommerceSettings) -> cova.OrderToPush:
    """Our order as the Cova order layer takes it.

    The line price is the one the shopper saw on the menu, which is Cova's own shelf price
    for the location (tax included at a TIP location, before tax at a TEP one), so no tax
    is added on top: ``unit_tax`` stays 0 and the POS computes the taxes.
    """
    lines = tuple(
        cova.OrderLine(
            product_id=line.cova_product_id,
            quantity=Decimal(line.quantity),
            unit_price=line.price_paid,
        )
        for line in order.lines.all()
    )
    address = None
    if order.fulfillment == Fulfillment.DELIVERY:
        address = cova.Address(
            line1=order.address_line1,
            line2=order.address_line2,
            city=order.city,
            state=order.state,
            postal_code=order.postal_code,
        )
    return cova.OrderToPush(
        order_id=order.uuid,
        location_id=settings.location_id,
        shopper=cova.Shopper(
            order.first_name,
            order.last_name,
            cova_phone(order.phone),
            birth_date=order.date_of_birth,
        ),
        fulfillment=cova.Fulfillment(order.fulfillment),
        lines=lines,
        delivery_address=address,
        external_order_id=order.reference,
        notes=order.notes,
    )


def push(order_id: int, *, retries: int = 0, now: datetime | None = None) -> PushOutcome:
    """Send order ``order_id`` to Cova if it is waiting to be sent.

    Raises ``PushRetry`` on a transient failure (the task retries with backoff); a refusal
    is stored on the order in Cova's words and returned as ``REFUSED``.
    """
    now = now or timezone.now()
    if not _claim_push(order_id, now):
        return PushOutcome.SKIPPED
    order = Order.objects.select_related("store").get(pk=order_id)
    settings = _settings_of(order)
    if not syncs_orders(settings) or order.status in (OrderStatus.PENDING, OrderStatus.CANCELLED):
        set_order_fields(order, cova_push_state=CovaPushState.NOT_SENT, cova_push_claimed_at=None)
        return PushOutcome.NOT_SYNCED
    assert settings is not None
    try:
        result = send_order(
            provider_for(settings),
            order_to_push(order, settings),
            integrator_id=integrator_id_for(settings),
        )
    except CovaOrderRejected as refused:
        _refused(order, refused, now)
        return PushOutcome.REFUSED
    except CovaOrderRetryable as error:
        return _retry_later(order, error, retries, now)
    except ValueError as unusable:  # the order cannot be put into Cova's shape
        _refused(
            order, CovaOrderRejected(str(unusable), user_message=f"Not sent: {unusable}."), now
        )
        return PushOutcome.REFUSED
    customer = result.customer
    done = timezone.now()
    with transaction.atomic():
        set_order_fields(
            order,
            cova_push_state=CovaPushState.PUSHED,
            cova_push_claimed_at=None,
            cova_pushed_at=done,
            cova_customer_id=customer.customer_id if customer else "",
            cova_error="",
            cova_next_poll_at=done + POLL_INTERVAL,
        )
        record(order, COVA, OrderEventKind.COVA, _pushed_note(result))
        # Cancelled here while the push was in flight: Cova now has an order to cancel.
        from ecommerce.orders.cova_cancel import queue_cancel

        queue_cancel(order)
    transaction.on_commit(lambda: _enqueue_quick_polls(order_id))
    return PushOutcome.PUSHED if result.created else PushOutcome.ALREADY_THERE


def _pushed_note(result: cova.PushResult) -> str:
    parts = [
        "Sent to Cova" if result.created else "Cova already had this order",
        f"({result.tax_pricing.value} pricing)",
    ]
    link = result.customer
    if link is not None:
        who = "new customer created" if link.created else "customer found by phone"
        parts.append(f"; {who} {link.customer_id}")
        if link.address_written:
            parts.append(", delivery address written")
    return " ".join(parts[:2]) + "".join(parts[2:]) + "."


def _refused(order: Order, refused: CovaOrderRejected, now: datetime) -> None:
    words = refused.user_message
    with transaction.atomic():
        set_order_fields(
            order,
            cova_push_state=CovaPushState.FAILED,
            cova_push_claimed_at=None,
            cova_error=words,
            cova_next_poll_at=None,
        )
        record(order, COVA, OrderEventKind.COVA, words)
    logger.warning("Order %s refused by Cova: %s", order.uuid, refused)


def _retry_later(
    order: Order, error: CovaOrderRetryable, retries: int, now: datetime
) -> PushOutcome:
    if retries >= MAX_PUSH_RETRIES:
        words = (
            f"Cova could not take the order after {retries + 1} attempts; the last answer: "
            f"{error.order_message or error.user_message}"
        )
        _refused(order, CovaOrderRejected(str(error), user_message=words), now)
        return PushOutcome.REFUSED
    countdown = retry_countdown(retries)
    set_order_fields(
        order,
        cova_push_state=CovaPushState.RETRYING,
        cova_push_claimed_at=None,
        cova_error=error.order_message or error.user_message,
    )
    logger.info("Order %s: Cova unavailable (%s); again in %s s", order.uuid, error, countdown)
    raise PushRetry(countdown, error)


def set_order_fields(order: Order, **fields: object) -> None:
    """Write ``fields`` to the order's row and the instance: an UPDATE of those columns
    (and ``updated_at``) only, never a full save over columns others may be moving."""
    for name, value in fields.items():
        setattr(order, name, value)
    Order.objects.filter(pk=order.pk).update(**fields, updated_at=timezone.now())


def push_again(order_id: int, *, enqueue: bool = True) -> bool:
    """Staff (or the command, which then pushes itself: ``enqueue=False``) ask for a
    refused or stuck order to be sent again."""
    queued = (
        Order.objects.filter(
            pk=order_id,
            cova_push_state__in=[
                CovaPushState.FAILED,
                CovaPushState.RETRYING,
                CovaPushState.NOT_SENT,
            ],
        )
        .exclude(status__in=[OrderStatus.PENDING, OrderStatus.CANCELLED])
        .update(cova_push_state=CovaPushState.QUEUED, cova_push_claimed_at=None)
    )
    if queued and enqueue:
        transaction.on_commit(lambda: _enqueue_push(order_id))
    return bool(queued)


def requeue_stuck_pushes(now: datetime | None = None, limit: int = POLL_BATCH) -> list[int]:
    """Pushes whose task was lost (the broker was down at the commit, a worker died while
    sending, a retry never came back): queued again by the 2-minute job. The claim keeps
    a push that is merely slow from being sent twice at once."""
    now = now or timezone.now()
    stale = now - PUSH_LEASE
    stuck = (
        Order.objects.filter(
            Q(cova_push_state=CovaPushState.QUEUED, updated_at__lt=stale)
            | Q(cova_push_state=CovaPushState.SENDING, cova_push_claimed_at__lt=stale)
            | Q(
                cova_push_state=CovaPushState.RETRYING,
                updated_at__lt=stale - timedelta(seconds=RETRY_CAP_SECONDS),
            )
        )
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(stuck)
    for order_id in ids:
        _enqueue_push(order_id)
    return ids


# Status -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollResult:
    order_id: int
    cova_status: int | None = None
    moved_to: str | None = None
    note: str = ""


def claim_due_polls(now: datetime | None = None, limit: int = POLL_BATCH) -> list[int]:
    """Pushed orders whose poll is due, each claimed for this caller (oldest due first)."""
    now = now or timezone.now()
    due = (
        Order.objects.filter(cova_push_state=CovaPushState.PUSHED, cova_next_poll_at__lte=now)
        .order_by("cova_next_poll_at", "pk")
        .values_list("pk", "cova_next_poll_at")[:limit]
    )
    claimed = []
    for pk, due_at in list(due):
        won = Order.objects.filter(pk=pk, cova_next_poll_at=due_at).update(
            cova_next_poll_at=now + POLL_INTERVAL
        )
        if won:
            claimed.append(pk)
    return claimed


def poll(order_id: int, now: datetime | None = None) -> PollResult:
    """Read the order's status at Cova once and apply it here."""
    order = Order.objects.filter(pk=order_id, cova_push_state=CovaPushState.PUSHED).first()
    if order is None:
        return PollResult(order_id, note="not at Cova")
    settings = _settings_of(order)
    if settings is None or not settings.enabled:
        return PollResult(order_id, note="the store's Cova settings are off")
    try:
        reading = read_status(provider_for(settings), str(order.uuid))
    except CovaOrderMissing:
        # Cova has no such order (it never arrived whole): send the same GUID again.
        set_order_fields(order, cova_push_state=CovaPushState.QUEUED, cova_next_poll_at=None)
        transaction.on_commit(lambda: _enqueue_push(order_id))
        return PollResult(order_id, note="missing at Cova: sent again")
    except CovaOrderRejected as refused:
        # NonTransientProcessingFailure: Cova will not make a sale of it.
        _saw(order, a.NON_TRANSIENT_FAILURE, refused.user_message, now)
        _refused(order, refused, now or timezone.now())
        return PollResult(order_id, a.NON_TRANSIENT_FAILURE, note=refused.user_message)
    except CovaOrderRetryable as error:
        if error.order_message:
            # TransientProcessingFailure: Cova asks for the order again (same GUID).
            _saw(order, a.TRANSIENT_FAILURE, error.order_message, now)
            set_order_fields(order, cova_push_state=CovaPushState.QUEUED, cova_next_poll_at=None)
            transaction.on_commit(lambda: _enqueue_push(order_id))
            return PollResult(order_id, a.TRANSIENT_FAILURE, note="sent again")
        return PollResult(order_id, note=f"Cova unavailable: {error}")  # next poll retries
    return _apply(order, reading, now)


def _saw(order: Order, number: int, message: str, now: datetime | None) -> bool:
    """Remember Cova's status and write it on the timeline when it changed."""
    seen = now or timezone.now()
    changed = order.cova_status != number
    set_order_fields(order, cova_status=number, cova_status_seen_at=seen)
    if changed:
        name = COVA_STATUS_NAMES.get(number, "an unknown status")
        note = f"Cova: {name} ({number})" + (f": {message}" if message else "")
        record_at(order, note, seen)
    return changed


def record_at(order: Order, note: str, at: datetime) -> None:
    from ecommerce.models import OrderEvent

    OrderEvent.objects.create(
        company_id=order.company_id,
        order=order,
        kind=OrderEventKind.COVA,
        actor=COVA.label,
        note=note,
        at=at,
    )


def _apply(order: Order, reading: cova.StatusReading, now: datetime | None) -> PollResult:
    seen = now or timezone.now()
    with transaction.atomic():
        _saw(order, reading.cova_status, reading.message, seen)
        if reading.is_final:
            set_order_fields(order, cova_next_poll_at=None)
        target = OURS.get(reading.status or "")
        moved = None
        if target and _moves_forward(order.status, target):
            name = COVA_STATUS_NAMES.get(reading.cova_status, str(reading.cova_status))
            note = f"Cova's status {name}, seen {seen:%Y-%m-%d %H:%M:%S} UTC."
            try:
                transition_order(order.pk, target, COVA, note, now=seen)
                moved = target
            except TransitionRefused as refused:
                logger.info("Order %s: Cova says %s, not applied: %s", order.uuid, target, refused)
        if moved in (OrderStatus.CLOSED, OrderStatus.CANCELLED) or (
            moved is None and order.status in (OrderStatus.CLOSED, OrderStatus.CANCELLED)
        ):
            # Final here: nothing Cova says later changes the order.
            set_order_fields(order, cova_next_poll_at=None)
    return PollResult(order.pk, reading.cova_status, moved)


def _moves_forward(current: str, target: str) -> bool:
    return target in ALLOWED_TRANSITIONS.get(current, ()) and PROGRESS[target] > PROGRESS[current]
