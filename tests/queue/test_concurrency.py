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


@pytest.mark.django_db(transaction=True)
def test_two_budtenders_redeeming_for_one_visit_at_once_hold_one_discount():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the lock is PostgreSQL's")
    from loyalty.api.redemption.models import Redemption
    from stores.queue.shopper.redeem import ONE_PER_ORDER, CounterRefused, hold_at_counter
    from tests.loyalty.helpers import D, account
    from tests.queue.shopper_support import checked_in_member, discount_of

    # given a member with points for both discounts, checked in once
    store = RetailStoreFactory(company=CompanyFactory(), opt_in_queue_enabled=True)
    queue_of(store)
    persona, entry = checked_in_member(store, 1000)
    discounts = [discount_of(store.company, 400, "40"), discount_of(store.company, 100, "10")]
    barrier = threading.Barrier(2)
    refusals: list[str] = []
    errors: list[BaseException] = []

    def redeem(discount) -> None:
        try:
            barrier.wait()
            hold_at_counter(persona, discount, store, by=None, check_in=entry)
        except CounterRefused as refused:
            refusals.append(str(refused))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    # when two budtenders redeem a different discount for that visit at the same moment
    threads = [threading.Thread(target=redeem, args=(d,)) for d in discounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then one discount is held and the other budtender is told why not
    assert errors == []
    assert refusals == [ONE_PER_ORDER]
    held = Redemption.objects.get(persona=persona)
    assert account(persona).on_hold == held.points
    assert held.points in (D("400"), D("100"))
