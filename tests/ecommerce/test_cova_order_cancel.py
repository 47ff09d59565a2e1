"""A cancellation made here sent to Cova (ecommerce/orders/cova_cancel.py), against the Cova
sandbox over ``responses``: queued only for an order Cova has, sent once, read back as
Cancelled (7) by the poll, and a failure written on the timeline and retried or left
visibly for staff, never an error page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ecommerce import tasks
from ecommerce.cova_orders import assumptions as a
from ecommerce.cova_orders.errors import CovaOrderRetryable
from ecommerce.models import Order
from ecommerce.orders import cova_cancel, cova_sync
from ecommerce.orders.actors import SYSTEM, Actor
from ecommerce.orders.choices import CovaCancelState, CovaPushState, OrderEventKind, OrderStatus
from ecommerce.orders.cova_cancel import CancelOutcome, CancelRetry
from ecommerce.orders.placement import place_order
from ecommerce.orders.transitions import cancel_order, confirm_order
from integrations.sandbox.cova import orders as sandbox_orders
from integrations.sandbox_credentials import DEMO_SANDBOX_CREDENTIALS, issue_sandbox_credentials
from tests.ecommerce.conftest import enabled_settings, sandbox_account
from tests.ecommerce.shop_helpers import cart, make_product, shopper
from tests.factories import RetailStoreFactory, UserFactory

pytestmark = pytest.mark.django_db

ISSUED = issue_sandbox_credentials("cova", DEMO_SANDBOX_CREDENTIALS["cova"])
CANCEL_PATH = "/pointofsale/Companies("


@pytest.fixture
def queued(monkeypatch) -> dict[str, list]:  # type: ignore[type-arg,no-untyped-def]
    """The tasks the services queue, captured instead of sent to a broker."""
    calls: dict[str, list] = {"push": [], "poll": [], "cancel": []}  # type: ignore[type-arg]
    for name, task in (
        ("push", tasks.push_order_to_cova),
        ("poll", tasks.poll_cova_order_status),
        ("cancel", tasks.cancel_order_at_cova),
    ):
        monkeypatch.setattr(
            task, "apply_async", lambda args, countdown=None, n=name: calls[n].append(args)
        )
    return calls


def account():  # type: ignore[no-untyped-def]
    return sandbox_account(ISSUED)


def pushed_order(store=None) -> Order:  # type: ignore[no-untyped-def]
    """A confirmed order Cova has (pushed into the sandbox)."""
    settings = enabled_settings(
        sync_orders=True, credentials=ISSUED, **({"store": store} if store else {})
    )
    from integrations.sandbox.cova import payloads

    product = make_product(settings, cova_product_id=payloads.product_id(account(), 3))
    order = place_order(settings, cart((product, 1)), shopper())
    confirm_order(order.pk, SYSTEM)
    assert cova_sync.push(order.pk) == cova_sync.PushOutcome.PUSHED
    order.refresh_from_db()
    return order


def cancel_calls(cova_sandbox) -> list:  # type: ignore[no-untyped-def,type-arg]
    return [c for c in cova_sandbox.calls if CANCEL_PATH in c.request.url]


def test_staff_cancelling_an_order_cova_has_cancels_it_there_and_the_poll_reads_7(
    queued, cova_sandbox, django_capture_on_commit_callbacks
):
    # Given an order at Cova
    order = pushed_order()
    staff = Actor.staff(UserFactory())

    # When staff cancel it here
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order.pk, staff, "Cancelled by the store.")

    # Then the cancel is queued after the commit, and the task sends it once
    assert queued["cancel"] == [(order.pk,)]
    assert Order.objects.get(pk=order.pk).cova_cancel_state == CovaCancelState.QUEUED
    with django_capture_on_commit_callbacks(execute=True):
        assert cova_cancel.send_cancel(order.pk) == CancelOutcome.CANCELLED
    (call,) = cancel_calls(cova_sandbox)
    assert call.request.method == "DELETE" and str(order.uuid) in call.request.url
    assert sandbox_orders.find_order(account(), str(order.uuid))["Cancelled"] is True
    order.refresh_from_db()
    assert order.cova_cancel_state == CovaCancelState.SENT
    assert queued["poll"][-1] == (order.pk,)  # a quick read of Cova's status follows

    # And the poll agrees: Cova says Cancelled (7), written on the timeline, polls stop
    cova_sync.poll(order.pk)
    order.refresh_from_db()
    assert (order.status, order.cova_status) == (OrderStatus.CANCELLED, a.CANCELLED)
    assert order.cova_next_poll_at is None
    notes = list(order.events.filter(kind=OrderEventKind.COVA).values_list("note", flat=True))
    assert notes[-2:] == ["Cancelled at Cova.", "Cova: Cancelled (7)"]

    # A retried task sends nothing more
    assert cova_cancel.send_cancel(order.pk) == CancelOutcome.SKIPPED
    assert len(cancel_calls(cova_sandbox)) == 1


def test_an_order_never_pushed_cancels_here_only(
    queued, cova_sandbox, django_capture_on_commit_callbacks
):
    settings = enabled_settings(sync_orders=True, credentials=ISSUED)
    order = place_order(settings, cart((make_product(settings), 1)), shopper())  # pending
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order.pk, SYSTEM, "Not confirmed in time.")

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cova_cancel_state == CovaCancelState.NOT_NEEDED
    assert queued["cancel"] == [] and cancel_calls(cova_sandbox) == []
    assert cova_cancel.send_cancel(order.pk) == CancelOutcome.SKIPPED


def test_cancelled_while_the_push_was_in_flight_the_push_queues_the_cancel(
    queued, cova_sandbox, django_capture_on_commit_callbacks
):
    from integrations.sandbox.cova import payloads

    settings = enabled_settings(sync_orders=True, credentials=ISSUED)
    product = make_product(settings, cova_product_id=payloads.product_id(account(), 3))
    order = confirm_order(place_order(settings, cart((product, 1)), shopper()).pk, SYSTEM)
    # The push claims the order, then staff cancel while it is being sent
    assert cova_sync._claim_push(order.pk, timezone.now())
    cancel_order(order.pk, SYSTEM, "Changed their mind.")
    assert Order.objects.get(pk=order.pk).cova_cancel_state == CovaCancelState.NOT_NEEDED
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.CONFIRMED, cova_push_state=CovaPushState.QUEUED
    )
    # (the push saw a confirmed order; the cancel commits before Cova answers)
    real_send = cova_sync.send_order

    def send_then_cancel(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = real_send(*args, **kwargs)
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)
        return result

    cova_sync.send_order = send_then_cancel  # type: ignore[assignment]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            cova_sync.push(order.pk)
    finally:
        cova_sync.send_order = real_send  # type: ignore[assignment]

    assert Order.objects.get(pk=order.pk).cova_cancel_state == CovaCancelState.QUEUED
    assert queued["cancel"] == [(order.pk,)]


def test_a_transient_failure_is_on_the_timeline_once_and_retried_with_backoff(
    monkeypatch, queued, cova_sandbox
):
    order = pushed_order()
    cancel_order(order.pk, SYSTEM, "Cancelled by the store.")

    def unavailable(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise CovaOrderRetryable("503 from Cova", user_message="Cova is unavailable.")

    monkeypatch.setattr(cova_cancel, "cancel_order", unavailable)

    with pytest.raises(CancelRetry) as first:
        cova_cancel.send_cancel(order.pk, retries=0)
    with pytest.raises(CancelRetry) as second:
        cova_cancel.send_cancel(order.pk, retries=1)

    assert (first.value.countdown, second.value.countdown) == (30, 60)
    order.refresh_from_db()
    assert order.cova_cancel_state == CovaCancelState.RETRYING
    assert order.cova_error == "Cova is unavailable."
    notes = list(order.events.filter(kind=OrderEventKind.COVA).values_list("note", flat=True))
    assert (
        notes.count(
            "Cova could not take the cancellation just now (Cova is unavailable.); sending again."
        )
        == 1
    )
    assert sandbox_orders.find_order(account(), str(order.uuid))["Cancelled"] is False

    # After the last retry it is left for staff, in plain words
    outcome = cova_cancel.send_cancel(order.pk, retries=cova_sync.MAX_PUSH_RETRIES)
    order.refresh_from_db()
    assert outcome == CancelOutcome.REFUSED
    assert order.cova_cancel_state == CovaCancelState.FAILED
    assert order.cova_error.startswith("Cova did not cancel the order after 31 attempts")


def test_a_refusal_is_kept_visible_on_the_order_and_staff_can_send_it_again(
    queued, cova_sandbox, owner_a, company_a, django_capture_on_commit_callbacks
):
    # Given an order Cova completed (paid) before staff cancelled it here
    order = pushed_order(store=RetailStoreFactory(company=company_a))
    for _ in range(4):  # the sandbox moves it 0 -> 3 -> 4 -> 8 (Completed)
        cova_sync.poll(order.pk)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CONFIRMED)
    cancel_order(order.pk, SYSTEM, "Cancelled by the store.")

    # When the cancel is sent, Cova refuses it
    assert cova_cancel.send_cancel(order.pk) == CancelOutcome.REFUSED

    # Then the order and its timeline say why; nothing retries it by itself
    order.refresh_from_db()
    words = f"Cova refused the cancellation: {sandbox_orders.PAID_CANNOT_BE_CANCELLED}"
    assert (order.cova_cancel_state, order.cova_error) == (CovaCancelState.FAILED, words)
    assert order.events.filter(kind=OrderEventKind.COVA, note=words).count() == 1
    Order.objects.filter(pk=order.pk).update(updated_at=timezone.now() - timedelta(days=1))
    assert cova_cancel.requeue_stuck_cancels() == []
    page = owner_a.get(reverse("admin:ecommerce_order_change", args=[order.pk])).content.decode()
    assert 'id="cova-not-cancelled"' in page
    assert "Cova did not cancel it" in page and sandbox_orders.PAID_CANNOT_BE_CANCELLED in page

    # And staff may send it again from the changelist
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a.post(
            reverse("admin:ecommerce_order_changelist"),
            {"action": "cancel_at_cova_again_selected", "_selected_action": [order.pk]},
            follow=True,
        )
    assert "1 cancellation queued for Cova" in response.content.decode()
    assert Order.objects.get(pk=order.pk).cova_cancel_state == CovaCancelState.QUEUED
    assert queued["cancel"] == [(order.pk,)]


def test_the_admin_cancel_button_never_errors_when_the_broker_or_cova_is_down(
    monkeypatch, cova_sandbox, owner_a, company_a, django_capture_on_commit_callbacks
):
    # Given an order at Cova, and the broker down when the request commits
    order = pushed_order(store=RetailStoreFactory(company=company_a))

    def broker_down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.cancel_order_at_cova, "apply_async", broker_down)

    # When staff press "Cancel order"
    url = reverse("admin:ecommerce_order_move", args=[order.pk, OrderStatus.CANCELLED])
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a.post(url, follow=True)

    # Then the page says it is cancelled here and being sent to Cova; the cancel waits
    assert response.status_code == 200
    assert "the cancellation is being sent there" in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.cova_cancel_state) == (
        OrderStatus.CANCELLED,
        CovaCancelState.QUEUED,
    )

    # And when the task runs with Cova down, it is marked for a retry, with the reason
    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise CovaOrderRetryable("timeout", user_message="Cova did not answer.")

    monkeypatch.setattr(cova_cancel, "cancel_order", down)
    with pytest.raises(CancelRetry):
        cova_cancel.send_cancel(order.pk)
    order.refresh_from_db()
    assert order.cova_cancel_state == CovaCancelState.RETRYING
    assert order.events.filter(note__contains="Cova did not answer.").count() == 1
    assert sandbox_orders.find_order(account(), str(order.uuid))["Cancelled"] is False


def test_the_2_minute_job_queues_again_a_cancel_whose_task_was_lost(queued):
    order = Order.objects.get(pk=pushed_order_without_cova().pk)
    Order.objects.filter(pk=order.pk).update(
        cova_cancel_state=CovaCancelState.QUEUED,
        updated_at=timezone.now() - cova_sync.PUSH_LEASE - timedelta(seconds=1),
    )
    tasks.poll_cova_order_statuses.apply()
    assert queued["cancel"] == [(order.pk,)]


def pushed_order_without_cova() -> Order:
    """An order marked as at Cova and cancelled here, without any HTTP."""
    settings = enabled_settings(sync_orders=True, credentials=ISSUED)
    order = place_order(settings, cart((make_product(settings), 1)), shopper())
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.CANCELLED, cova_push_state=CovaPushState.PUSHED
    )
    return order


def test_the_command_sends_a_waiting_cancel_and_refuses_an_order_with_none(
    queued, cova_sandbox, capsys
):
    from django.core.management import call_command

    order = pushed_order()
    cancel_order(order.pk, SYSTEM, "Cancelled by the store.")

    call_command("cova_order_sync", cancel=order.reference)

    assert f"Order {order.reference}: cancelled" in capsys.readouterr().out
    assert sandbox_orders.find_order(account(), str(order.uuid))["Cancelled"] is True
    with pytest.raises(Exception, match="has no cancel to send"):
        call_command("cova_order_sync", cancel=str(order.pk))
