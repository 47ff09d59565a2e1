"""Four workers pushing one confirmed order at the same moment: one claims it (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from ecommerce.models import Order
from ecommerce.orders import cova_sync
from ecommerce.orders.choices import CovaPushState
from tests.ecommerce.conftest import enabled_settings

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def test_four_workers_claiming_one_push_at_once_one_wins():
    settings = enabled_settings(sync_orders=True)
    order = Order.objects.create(
        company=settings.company,
        store=settings.store,
        first_name="Ada",
        last_name="Lovelace",
        phone="+12065550134",
        date_of_birth=timezone.localdate().replace(year=1990),
        status="confirmed",
        cova_push_state=CovaPushState.QUEUED,
    )
    barrier = threading.Barrier(4)
    won: list[bool] = []

    def claim() -> None:
        barrier.wait()
        try:
            won.append(cova_sync._claim_push(order.pk, timezone.now()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(won) == [False, False, False, True]
    order.refresh_from_db()
    assert (order.cova_push_state, order.cova_push_attempts) == (CovaPushState.SENDING, 1)
