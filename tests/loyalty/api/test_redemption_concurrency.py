"""Fifty registers at once, over the real view, each thread on its own connection.

SQLite serialises whole transactions and would hide every race here, so these run on
PostgreSQL only (CI sets DATABASE_URL).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from loyalty.api.keys import create_api_key
from loyalty.api.redemption.models import Redemption
from loyalty.api.redemption.releasing import release_if_expired
from loyalty.discounts.models import DiscountUse
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry
from loyalty.ledger.verify import verify
from tests.factories import CompanyFactory
from tests.loyalty.api.redemption_support import call, discount_of, member_with, url
from tests.loyalty.helpers import D, account, balance

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and races are tested on PostgreSQL; SQLite serialises everything",
    ),
    pytest.mark.django_db(transaction=True),
]

REGISTERS = 50


def run_at_once(*calls: Callable[[], object]) -> list[object]:
    """Start every call at the same instant, each on its own connection; their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def worker(index: int, call_: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call_()
        except Exception as error:  # the outcome is what the test checks
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.fixture
def company():
    return CompanyFactory()


@pytest.fixture
def key(company) -> str:
    return create_api_key(company, "Register").plaintext


def test_fifty_redemptions_on_one_balance_take_exactly_what_it_allows(company, key):
    # given 1,000 points and a 70-point discount: floor(1000 / 70) = 14 redemptions
    member = member_with(company, 1000)
    discount = discount_of(company, 70, "7")

    # when fifty registers redeem it at the same instant, each with its own transaction
    outcomes = run_at_once(
        *[lambda n=n: call("PUT", url(member, discount, f"T-{n}"), key) for n in range(REGISTERS)]
    )

    # then exactly 14 succeed, 36 are told "not enough points", and 20 points are left
    statuses = sorted(getattr(o, "status_code", repr(o)) for o in outcomes)
    assert statuses == [200] * 14 + [422] * 36
    refused = [o.json() for o in outcomes if o.status_code == 422]
    assert {body["code"] for body in refused} == {"not_enough_points"}
    assert balance(member) == D("20.00")
    assert LedgerEntry.objects.filter(kind=EntryKind.REDEEM).count() == 14
    assert Redemption.objects.count() == DiscountUse.objects.count() == 14
    # each success saw the balance the one before it left: 930, 860, ... 20, no repeats
    left = sorted(o.json()["data"]["loyaltyPoints"] for o in outcomes if o.status_code == 200)
    assert left == list(range(20, 1000, 70))
    assert verify().drifts == []


def test_fifty_retries_of_one_transaction_debit_once(company, key):
    member = member_with(company, 1000)
    discount = discount_of(company, 70, "7")

    outcomes = run_at_once(
        *[lambda: call("PUT", url(member, discount, "T-SAME"), key) for _ in range(REGISTERS)]
    )

    # every retry gets the same (first) answer, and the points left once
    assert [getattr(o, "status_code", repr(o)) for o in outcomes] == [200] * REGISTERS
    assert len({o.content for o in outcomes}) == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.REDEEM).count() == 1
    assert Redemption.objects.count() == DiscountUse.objects.count() == 1
    assert balance(member) == D("930.00")
    assert verify().drifts == []


def test_fifty_holds_on_one_balance_reserve_exactly_what_it_allows(company, key):
    member = member_with(company, 1000)
    discount = discount_of(company, 70, "7")

    outcomes = run_at_once(
        *[
            lambda n=n: call("POST", url(member, discount, f"CART-{n}"), key)
            for n in range(REGISTERS)
        ]
    )

    statuses = sorted(getattr(o, "status_code", repr(o)) for o in outcomes)
    assert statuses == [200] * 14 + [422] * 36
    assert (balance(member), account(member).on_hold) == (D("20.00"), D("980.00"))
    assert verify().drifts == []


@pytest.mark.parametrize("round_", range(3))
def test_a_commit_racing_the_expiry_job_settles_the_hold_once(company, key, round_):
    # given a hold past its time, the checkout committing it as the job runs
    member = member_with(company, 1000)
    discount = discount_of(company, 70, "7")
    call("POST", url(member, discount, "CART-1"), key)
    redemption = Redemption.objects.get()
    later = timezone.now() + timedelta(hours=1)

    commit, released = run_at_once(
        lambda: call("PUT", url(member, discount, "CART-1"), key),
        lambda: release_if_expired(redemption.pk, later),
    )

    # then either the commit came first (the job found nothing to do) or the release did
    # (the commit debited afresh): 70 points out either way, never 0 and never 140
    assert getattr(commit, "status_code", commit) == 200
    assert released in (True, False)
    assert balance(member) == D("930.00")
    assert account(member).on_hold == D("0.00")
    assert Redemption.objects.get().status == "redeemed"
    assert verify().drifts == []


def test_one_transaction_id_sent_for_many_shoppers_at_once_redeems_one(company, key):
    # given ten shoppers, each with a redemption URL of their own
    discount = discount_of(company, 70, "7")
    members = [member_with(company, 100) for _ in range(10)]

    # when ten registers send the same transaction id at the same instant (their account
    # locks differ: only the unique request key stands between them)
    outcomes = run_at_once(
        *[lambda m=m: call("PUT", url(m, discount, "ORDER-1"), key) for m in members]
    )

    # then one order got one discount; the others were told so, with nothing debited
    statuses = sorted(getattr(o, "status_code", repr(o)) for o in outcomes)
    assert statuses == [200] + [409] * 9
    codes = {o.json()["code"] for o in outcomes if o.status_code == 409}
    assert codes == {"one_discount_per_order"}
    assert sorted(balance(m) for m in members) == [D("30.00")] + [D("100.00")] * 9
    assert LedgerEntry.objects.filter(kind=EntryKind.REDEEM).count() == 1
    assert verify().drifts == []
