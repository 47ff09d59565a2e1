"""Celery tasks of the ecommerce app: thin wrappers over ``ecommerce.menu``."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from ecommerce.choices import MenuSyncTrigger


@shared_task(name="ecommerce.dispatch_menu_syncs")
def dispatch_menu_syncs() -> int:
    """Beat, every minute: queue the menu sync of every store that is due (every 10 min)."""
    from ecommerce.menu.scheduling import dispatch

    return len(dispatch())


@shared_task(name="ecommerce.sync_menu")
def sync_menu(settings_id: int, trigger: str = MenuSyncTrigger.SCHEDULE) -> str | None:
    """One store's menu sync; quiet when its settings are gone or disabled."""
    from ecommerce.menu.runner import run_menu_sync

    run = run_menu_sync(settings_id, trigger)
    return run.status if run else None


@worker_ready.connect
def _dispatch_when_a_worker_starts(**kwargs: Any) -> None:
    # A store enabled while no worker ran (the demo seeded just before `make run` starts
    # the worker) syncs now rather than at beat's first tick. Claims are conditional
    # updates, so several workers starting at once queue each store once.
    dispatch_menu_syncs.delay()


@shared_task(name="ecommerce.expire_order_holds")
def expire_order_holds() -> int:
    """Beat, every minute: cancel unconfirmed orders past their time limit, release holds
    a sync has counted or that ran out (ecommerce/orders/expiry.py)."""
    from ecommerce.orders.expiry import sweep

    result = sweep()
    return result.cancelled + result.counted + result.expired


@shared_task(name="ecommerce.push_order_to_cova", bind=True, max_retries=None)
def push_order_to_cova(self: Any, order_id: int) -> str:
    """Sync Orders: send one confirmed order to Cova (ecommerce/orders/cova_sync.py).

    A retried or duplicated task claims nothing once the order is at Cova; a transient
    failure retries with capped backoff (the service counts and bounds the attempts).
    """
    from ecommerce.orders.cova_sync import PushRetry, push

    try:
        return push(order_id, retries=self.request.retries)
    except PushRetry as again:
        raise self.retry(countdown=again.countdown, exc=again.error) from again


@shared_task(name="ecommerce.cancel_order_at_cova", bind=True, max_retries=None)
def cancel_order_at_cova(self: Any, order_id: int) -> str:
    """Sync Orders: cancel at Cova an order cancelled here (ecommerce/orders/cova_cancel.py).

    A retried or duplicated task claims nothing once the cancel is sent; a transient
    failure retries with capped backoff (the service counts and bounds the attempts).
    """
    from ecommerce.orders.cova_cancel import CancelRetry, send_cancel

    try:
        return send_cancel(order_id, retries=self.request.retries)
    except CancelRetry as again:
        raise self.retry(countdown=again.countdown, exc=again.error) from again


@shared_task(name="ecommerce.poll_cova_order_status")
def poll_cova_order_status(order_id: int) -> int | None:
    """One order's status at Cova applied here (the quick polls right after a push)."""
    from ecommerce.orders.cova_sync import poll

    return poll(order_id).cova_status


@shared_task(name="ecommerce.poll_cova_order_statuses")
def poll_cova_order_statuses() -> int:
    """Beat, every 2 minutes: claim the pushed orders due for a status read and queue each
    (and queue again any push or cancel whose task was lost)."""
    from ecommerce.orders.cova_cancel import requeue_stuck_cancels
    from ecommerce.orders.cova_sync import claim_due_polls, requeue_stuck_pushes

    requeue_stuck_pushes()
    requeue_stuck_cancels()
    claimed = claim_due_polls()
    for order_id in claimed:
        poll_cova_order_status.delay(order_id)
    return len(claimed)
