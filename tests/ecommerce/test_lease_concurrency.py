"""Two menu syncs of one store at the same moment: one takes the lease (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from ecommerce.menu import lease
from tests.ecommerce.conftest import enabled_settings

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def test_two_workers_claiming_the_same_store_at_once_one_wins():
    settings = enabled_settings()
    barrier = threading.Barrier(4)
    tokens: list[str | None] = []

    def claim() -> None:
        barrier.wait()
        try:
            tokens.append(lease.acquire(settings.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len([token for token in tokens if token]) == 1
    assert len(tokens) == 4
