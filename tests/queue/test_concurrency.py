from __future__ import annotations

import threading

import pytest
from django.db import connection

from aiq.personas.models import Persona
from stores.queue.choices import CheckInDoor
from stores.queue.models import CheckIn
from stores.queue.services import Arrival, check_in, queue_of
from tests.factories import CompanyFactory, RetailStoreFactory


@pytest.mark.django_db(transaction=True)
def test_two_doors_checking_in_one_new_number_at_once_make_one_persona():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the lock is PostgreSQL's")
    store = RetailStoreFactory(company=CompanyFactory(), opt_in_queue_enabled=True)
    queue_of(store)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def arrive() -> None:
        try:
            barrier.wait()
            check_in(store, Arrival(phone="2065550123"), CheckInDoor.CHECK_IN_PAGE)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=arrive) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert CheckIn.objects.count() == 2
    assert Persona.objects.filter(phone="+12065550123").count() == 1
    assert len(set(CheckIn.objects.values_list("persona_id", flat=True))) == 1
