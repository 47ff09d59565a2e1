"""Sync Orders by hand: ``manage.py cova_order_sync --push REF`` sends one confirmed order to
Cova now (again, if Cova refused it), ``--cancel REF`` sends the cancellation of an order
cancelled here (again, if Cova did not cancel it), ``--poll REF`` reads its status once, and
``--poll-due`` runs the 2-minute beat job's batch in this process."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecommerce.models import Order
from ecommerce.orders.choices import CovaCancelState, CovaPushState
from ecommerce.orders.cova_cancel import CancelRetry, cancel_again, send_cancel
from ecommerce.orders.cova_sync import PushRetry, claim_due_polls, poll, push, push_again


def _order(value: str) -> Order:
    """An order by its id, its GUID or the 8-character reference staff read out."""
    value = value.strip()
    found = Order.objects.filter(pk=int(value)) if value.isdigit() else Order.objects.none()
    if not found.exists():
        found = Order.objects.filter(uuid__istartswith=value.lower().replace("-", "")[:8])
        if len(value) > 8:
            found = Order.objects.filter(uuid=value)
    orders = list(found[:2])
    if len(orders) != 1:
        raise CommandError(f"No single order matches {value!r}.")
    return orders[0]


class Command(BaseCommand):
    help = "Push or cancel an online order at Cova, or read orders' statuses at Cova, now."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--push", metavar="ORDER", help="order id, GUID or reference")
        group.add_argument("--cancel", metavar="ORDER", help="order id, GUID or reference")
        group.add_argument("--poll", metavar="ORDER", help="order id, GUID or reference")
        group.add_argument("--poll-due", action="store_true", help="every order due a poll")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["push"]:
            order = _order(options["push"])
            if order.cova_push_state != CovaPushState.QUEUED and not push_again(
                order.pk, enqueue=False
            ):
                state = order.get_cova_push_state_display().lower()
                raise CommandError(f"Order {order.reference} is not waiting to be sent ({state}).")
            try:
                outcome = push(order.pk)
            except PushRetry as again:
                raise CommandError(f"Cova is unavailable: {again.error.user_message}") from again
            order.refresh_from_db()
            self.stdout.write(f"Order {order.reference}: {outcome} {order.cova_error}".rstrip())
        elif options["cancel"]:
            order = _order(options["cancel"])
            if order.cova_cancel_state != CovaCancelState.QUEUED and not cancel_again(
                order.pk, enqueue=False
            ):
                state = order.get_cova_cancel_state_display().lower()
                raise CommandError(f"Order {order.reference} has no cancel to send ({state}).")
            try:
                outcome = send_cancel(order.pk)
            except CancelRetry as again:
                raise CommandError(f"Cova is unavailable: {again.error.user_message}") from again
            order.refresh_from_db()
            self.stdout.write(f"Order {order.reference}: {outcome} {order.cova_error}".rstrip())
        elif options["poll"]:
            order = _order(options["poll"])
            result = poll(order.pk)
            self.stdout.write(
                f"Order {order.reference}: Cova status {result.cova_status}, "
                f"moved to {result.moved_to or 'no new status'} {result.note}".rstrip()
            )
        else:
            claimed = claim_due_polls()
            for order_id in claimed:
                poll(order_id)
            self.stdout.write(f"{len(claimed)} orders polled")
