"""Sync Orders' decisions against the Cova sandbox over ``responses``: what confirming
queues, the push claimed once, retries and refusals, polls moving the order, a Cova
cancellation releasing the hold, and the 2-minute beat job."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ecommerce import tasks
from ecommerce.cova_orders import assumptions as a
from ecommerce.cova_orders.errors import CovaOrderRetryable
from ecommerce.models import InventoryHold, MenuProduct, Order, OrderEvent
from ecommerce.orders import cova_sync
from ecommerce.orders.actors import SYSTEM
from ecommerce.orders.availability import held_quantities
from ecommerce.orders.choices import (
    CovaCancelState,
    CovaPushState,
    Fulfillment,
    HoldReleaseReason,
    OrderEventKind,
    OrderStatus,
)
from ecommerce.orders.cova_sync import PushOutcome, PushRetry
from ecommerce.orders.placement import place_order
from ecommerce.orders.transitions import confirm_order
from integrations.sandbox import records
from integrations.sandbox.cova import orders as sandbox_orders
from integrations.sandbox.cova import payloads
from integrations.sandbox_credentials import DEMO_SANDBOX_CREDENTIALS, issue_sandbox_credentials
from tests.ecommerce.conftest import enabled_settings, sandbox_account
from tests.ecommerce.shop_helpers import cart, make_product, shopper
from tests.factories import RetailStoreFactory

pytestmark = pytest.mark.django_db

ISSUED = issue_sandbox_credentials("cova", DEMO_SANDBOX_CREDENTIALS["cova"])


@pytest.fixture
def queued(monkeypatch) -> dict[str, list]:  # type: ignore[type-arg,no-untyped-def]
    calls: dict[str, list] = {"push": [], "poll": [], "cancel": []}  # type: ignore[type-arg]

    def push(args, countdown=None):  # type: ignore[no-untyped-def]
        calls["push"].append((args, countdown))

    def poll(args, countdown=None):  # type: ignore[no-untyped-def]
        calls["poll"].append((args, countdown))

    monkeypatch.setattr(tasks.push_order_to_cova, "apply_async", push)
    monkeypatch.setattr(tasks.poll_cova_order_status, "apply_async", poll)
    monkeypatch.setattr(tasks.poll_cova_order_status, "delay", lambda *args: poll(args))
    monkeypatch.setattr(
        tasks.cancel_order_at_cova,
        "apply_async",
        lambda args, countdown=None: calls["cancel"].append((args, countdown)),
    )
    return calls


def syncing_store(**fields):  # type: ignore[no-untyped-def]
    # Issued credentials: the sandbox accepts writes (customers, orders) only with them.
    return enabled_settings(sync_orders=True, credentials=ISSUED, **fields)


def account():  # type: ignore[no-untyped-def]
    return sandbox_account(ISSUED)


def sandbox_product(settings, index: int, stock: int = 20):  # type: ignore[no-untyped-def]
    cova_id = payloads.product_id(account(), index)
    existing = MenuProduct.objects.filter(store=settings.store, cova_product_id=cova_id).first()
    return existing or make_product(
        settings,
        cova_product_id=payloads.product_id(account(), index),
        in_stock_quantity=stock,
    )


def confirmed_order(settings, **customer) -> Order:  # type: ignore[no-untyped-def]
    first, second = sandbox_product(settings, 3), sandbox_product(settings, 8)
    order = place_order(settings, cart((first, 2), (second, 1)), shopper(**customer))
    return confirm_order(order.pk, SYSTEM)


def sandbox_orders_count() -> int:
    return len(records.load(account(), sandbox_orders.KIND))


def test_beat_shows_the_2_minute_status_job_beside_the_10_minute_menu_job():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert schedule["ecommerce-order-status-every-2-minutes"] == {
        "task": "ecommerce.poll_cova_order_statuses",
        "schedule": 120.0,
    }
    assert "ecommerce-menu-sync-every-10-minutes" in schedule
    assert timedelta(minutes=2) == cova_sync.POLL_INTERVAL


def test_confirming_queues_the_push_after_commit_only_when_sync_orders_is_on(
    queued, django_capture_on_commit_callbacks
):
    on = syncing_store()
    off = enabled_settings()
    with django_capture_on_commit_callbacks(execute=True):
        pushed = confirmed_order(on)
        not_pushed = confirmed_order(off)

    assert queued["push"] == [((pushed.pk,), None)]
    assert Order.objects.get(pk=pushed.pk).cova_push_state == CovaPushState.QUEUED
    assert Order.objects.get(pk=not_pushed.pk).cova_push_state == CovaPushState.NOT_SENT


def test_a_pending_order_is_not_pushed(queued, cova_sandbox, django_capture_on_commit_callbacks):
    settings = syncing_store()
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(settings, cart((sandbox_product(settings, 1), 1)), shopper())
    assert queued["push"] == []
    assert cova_sync.push(order.pk) == PushOutcome.SKIPPED


def test_the_push_happens_once_and_a_retried_task_sends_nothing_new(queued, cova_sandbox):
    settings = syncing_store()
    order = confirmed_order(settings)

    assert cova_sync.push(order.pk) == PushOutcome.PUSHED

    order.refresh_from_db()
    assert order.cova_push_state == CovaPushState.PUSHED
    assert order.cova_pushed_at is not None and order.cova_push_attempts == 1
    assert order.cova_customer_id
    assert order.cova_next_poll_at is not None
    stored = sandbox_orders.find_order(account(), str(order.uuid))
    assert stored["Id"] == str(order.uuid) and stored["CustomerId"] == order.cova_customer_id
    assert [line["Price"] for line in stored["Lines"]] == ["30.00", "30.00"]
    note = order.events.filter(kind=OrderEventKind.COVA).get().note
    assert note.startswith("Sent to Cova (TEP pricing); new customer created")

    # A retried (or duplicated) task finds nothing to claim: no second request at all
    calls_before = len(cova_sandbox.calls)
    assert tasks.push_order_to_cova.apply((order.pk,)).get() == PushOutcome.SKIPPED
    assert len(cova_sandbox.calls) == calls_before
    assert sandbox_orders_count() == 1

    # A worker that died after Cova took the order: the re-claimed push is "already there"
    Order.objects.filter(pk=order.pk).update(
        cova_push_state=CovaPushState.SENDING,
        cova_push_claimed_at=timezone.now() - cova_sync.PUSH_LEASE - timedelta(seconds=1),
    )
    assert cova_sync.push(order.pk) == PushOutcome.ALREADY_THERE
    assert sandbox_orders_count() == 1


def test_two_workers_claiming_one_order_only_one_wins():
    settings = syncing_store()
    order = confirmed_order(settings)
    now = timezone.now()
    assert cova_sync._claim_push(order.pk, now) is True
    assert cova_sync._claim_push(order.pk, now) is False


def test_the_customer_is_found_by_phone_and_the_delivery_address_written(queued, cova_sandbox):
    settings = syncing_store()
    first = confirmed_order(settings)
    cova_sync.push(first.pk)
    delivery = confirmed_order(
        settings,
        fulfillment=Fulfillment.DELIVERY,
        address_line1="400 Broadway E",
        city="Seattle",
        state="WA",
        postal_code="98102",
    )

    cova_sync.push(delivery.pk)

    first.refresh_from_db()
    delivery.refresh_from_db()
    assert delivery.cova_customer_id == first.cova_customer_id  # found by phone
    note = delivery.events.filter(kind=OrderEventKind.COVA).get().note
    assert "customer found by phone" in note and "delivery address written" in note
    from ecommerce.cova_client import provider_for

    (customer,) = provider_for(settings).find_customers(phone="2065550134")
    assert (customer.line1, customer.city, customer.postal_code) == (
        "400 Broadway E",
        "Seattle",
        "98102",
    )


def test_a_transient_failure_retries_with_capped_backoff(monkeypatch, queued):
    settings = syncing_store()
    order = confirmed_order(settings)

    def unavailable(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise CovaOrderRetryable("503 from Cova")

    monkeypatch.setattr(cova_sync, "send_order", unavailable)

    with pytest.raises(PushRetry) as caught:
        cova_sync.push(order.pk, retries=0)
    assert caught.value.countdown == 30
    order.refresh_from_db()
    assert order.cova_push_state == CovaPushState.RETRYING
    assert order.cova_error == CovaOrderRetryable.default_user_message

    with pytest.raises(PushRetry) as caught:
        cova_sync.push(order.pk, retries=12)
    assert caught.value.countdown == cova_sync.RETRY_CAP_SECONDS == 1800
    assert [cova_sync.retry_countdown(n) for n in range(4)] == [30, 60, 120, 240]

    # Past the budget: the order says so and waits for a person
    assert cova_sync.push(order.pk, retries=cova_sync.MAX_PUSH_RETRIES) == PushOutcome.REFUSED
    order.refresh_from_db()
    assert order.cova_push_state == CovaPushState.FAILED
    assert "after 31 attempts" in order.cova_error


def test_the_task_retries_through_celery_and_pushes_once_cova_is_back(monkeypatch, cova_sandbox):
    settings = syncing_store()
    order = confirmed_order(settings)
    real, failures = cova_sync.send_order, []

    def flaky(*args, **kwargs):  # type: ignore[no-untyped-def]
        if len(failures) < 2:
            failures.append(1)
            raise CovaOrderRetryable("timeout")
        return real(*args, **kwargs)

    monkeypatch.setattr(cova_sync, "send_order", flaky)
    monkeypatch.setattr(cova_sync, "_enqueue_quick_polls", lambda order_id: None)

    # eager: Celery's retry runs the task again at once (the countdown is not waited)
    tasks.push_order_to_cova.apply((order.pk,))

    order.refresh_from_db()
    assert (order.cova_push_state, order.cova_push_attempts) == (CovaPushState.PUSHED, 3)
    assert sandbox_orders_count() == 1


def test_a_refusal_shows_covas_message_in_plain_words_on_the_order(
    monkeypatch, queued, cova_sandbox, owner_a, company_a
):
    settings = syncing_store(store=RetailStoreFactory(company=company_a))
    order = confirmed_order(settings)
    monkeypatch.setattr(cova_sync, "integrator_id_for", lambda s: str(uuid.uuid4()))

    assert cova_sync.push(order.pk) == PushOutcome.REFUSED

    order.refresh_from_db()
    assert order.cova_push_state == CovaPushState.FAILED
    assert order.cova_error == f"Cova refused the order: {sandbox_orders.INVALID_INTEGRATOR}"
    assert sandbox_orders_count() == 0
    page = owner_a.get(reverse("admin:ecommerce_order_change", args=[order.pk])).content.decode()
    assert 'id="cova-refused"' in page and sandbox_orders.INVALID_INTEGRATOR in page


def test_polls_move_the_order_forward_and_the_timeline_shows_when_each_was_seen(
    queued, cova_sandbox
):
    settings = syncing_store()
    order = confirmed_order(settings)
    cova_sync.push(order.pk)
    assert queued["poll"] == []  # the quick polls go after the commit

    start = timezone.now()
    times = [start + timedelta(minutes=2 * step) for step in range(4)]
    seen = [cova_sync.poll(order.pk, now=at) for at in times]

    assert [r.cova_status for r in seen] == [0, 3, 4, 8]
    assert [r.moved_to for r in seen] == [None, None, OrderStatus.READY_FOR_PICKUP, "closed"]
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    assert order.cova_status == a.COMPLETED and order.cova_next_poll_at is None
    cova_events = list(order.events.filter(kind=OrderEventKind.COVA, note__startswith="Cova:"))
    assert [e.note for e in cova_events] == [
        "Cova: SubmittedForProcessing (0)",
        "Cova: SubmittedForFinalProcessing (3)",
        "Cova: ReadyForPayment (4)",
        "Cova: Completed (8)",
    ]
    assert [e.at for e in cova_events] == times  # when each status was seen
    closing = order.events.get(kind=OrderEventKind.STATUS, to_status=OrderStatus.CLOSED)
    assert closing.actor == "cova" and "Completed, seen" in closing.note
    # final at Cova: nothing is due any more
    assert cova_sync.claim_due_polls(timezone.now() + timedelta(hours=1)) == []


def test_a_cancellation_at_cova_cancels_the_order_and_frees_the_hold(queued, cova_sandbox):
    settings = syncing_store()
    order = confirmed_order(settings)
    product_ids = list(order.lines.values_list("product_id", flat=True))
    cova_sync.push(order.pk)
    cova_sync.poll(order.pk)
    assert held_quantities(product_ids, timezone.now())

    call_command("cova_sandbox_order", store=settings.store_id, order=str(order.uuid), cancel=True)
    result = cova_sync.poll(order.pk)

    order.refresh_from_db()
    assert (result.cova_status, order.status) == (a.CANCELLED, OrderStatus.CANCELLED)
    assert order.cancel_reason.startswith("Cova's status Cancelled")
    # Cova cancelled it first: no cancel is sent back to Cova
    assert order.cova_cancel_state == CovaCancelState.NOT_NEEDED
    assert queued["cancel"] == []
    assert held_quantities(product_ids, timezone.now()) == {}
    assert set(
        InventoryHold.objects.filter(order=order).values_list("release_reason", flat=True)
    ) == {HoldReleaseReason.CANCELLED}


def test_cova_rejecting_after_intake_marks_the_order_refused(queued, cova_sandbox):
    settings = syncing_store()
    order = confirmed_order(settings)
    Order.objects.filter(pk=order.pk).update(cova_push_state=CovaPushState.QUEUED)
    order.lines.update(cova_product_id=str(uuid.uuid4()))  # a product the catalog lacks
    cova_sync.push(order.pk)

    result = cova_sync.poll(order.pk)

    order.refresh_from_db()
    assert result.cova_status == a.NON_TRANSIENT_FAILURE
    assert order.cova_push_state == CovaPushState.FAILED
    assert "is not available for sale at" in order.cova_error
    assert order.status == OrderStatus.CONFIRMED  # staff decide; the order is not cancelled


def test_the_2_minute_job_claims_each_due_order_once_in_a_bounded_batch(queued):
    settings = syncing_store()
    now = timezone.now()
    due = [confirmed_order(settings) for _ in range(3)]
    for order in due:
        Order.objects.filter(pk=order.pk).update(
            cova_push_state=CovaPushState.PUSHED, cova_next_poll_at=now - timedelta(seconds=5)
        )
    later = confirmed_order(settings)
    Order.objects.filter(pk=later.pk).update(
        cova_push_state=CovaPushState.PUSHED, cova_next_poll_at=now + timedelta(minutes=1)
    )

    assert len(cova_sync.claim_due_polls(now, limit=2)) == 2
    assert tasks.poll_cova_order_statuses() == 1  # the third; the later one is not due
    assert tasks.poll_cova_order_statuses() == 0  # claimed ones moved 2 minutes on
    assert sorted(args[0] for args, _ in queued["poll"]) == [due[2].pk]


def test_the_command_pushes_and_polls_one_order(queued, cova_sandbox, capsys):
    settings = syncing_store()
    order = confirmed_order(settings)

    call_command("cova_order_sync", push=order.reference)
    call_command("cova_order_sync", poll=str(order.uuid))

    out = capsys.readouterr().out
    assert f"Order {order.reference}: pushed" in out
    assert "Cova status 0" in out
    with pytest.raises(Exception, match="not waiting to be sent"):
        call_command("cova_order_sync", push=str(order.pk))
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.COVA).count() == 2


def test_the_2_minute_job_queues_again_a_push_whose_task_was_lost(queued):
    settings = syncing_store()
    now = timezone.now()
    lost, sending, fresh = (confirmed_order(settings) for _ in range(3))
    long_ago = now - cova_sync.PUSH_LEASE - timedelta(minutes=1)
    Order.objects.filter(pk=lost.pk).update(
        cova_push_state=CovaPushState.QUEUED, updated_at=long_ago
    )
    Order.objects.filter(pk=sending.pk).update(
        cova_push_state=CovaPushState.SENDING, cova_push_claimed_at=long_ago
    )
    Order.objects.filter(pk=fresh.pk).update(cova_push_state=CovaPushState.QUEUED)

    assert sorted(cova_sync.requeue_stuck_pushes(now)) == sorted([lost.pk, sending.pk])
    assert sorted(args[0] for args, _ in queued["push"]) == sorted([lost.pk, sending.pk])
