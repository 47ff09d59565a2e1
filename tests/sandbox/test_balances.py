"""The sandboxes' loyalty balances agree with the sales they serve, deterministically."""

from __future__ import annotations

from collections import Counter

import pytest

from integrations.sandbox import balances
from integrations.sandbox.cova import payloads as cova_payloads
from integrations.sandbox.posabit import payloads as posabit_payloads
from integrations.sandbox.sales import sale
from tests.sandbox.conftest import INTEGRATOR, VENUE, Cova, basic, posabit_account

pytestmark = pytest.mark.django_db
AUTH_POSABIT = {"HTTP_AUTHORIZATION": basic(INTEGRATOR, VENUE)}


def earned_by_shopper(account) -> Counter[int]:  # type: ignore[no-untyped-def]
    totals: Counter[int] = Counter()
    for index in range(account.sales):
        current = sale(account, index)
        if current.customer is not None and not current.is_refund:
            totals[current.customer] += current.subtotal_cents // 100
    return totals


def test_a_balance_is_the_points_of_the_shoppers_sales_and_stays_the_same():
    account = posabit_account()
    expected = earned_by_shopper(account)

    served = {index: balances.points_of(account, index) for index in range(account.customers)}
    balances._points_by_shopper.cache_clear()
    again = {index: balances.points_of(account, index) for index in range(account.customers)}

    assert served == again
    assert served == {index: expected.get(index, 0) for index in range(account.customers)}
    assert sum(points > 0 for points in served.values()) > 10
    assert balances.points_of(account, None) == 0


def test_cova_summary_and_invoice_serve_that_balance(client):
    cova = Cova(client)
    location = cova_payloads.location_ids(cova.account)[0]
    shopper = next(
        index
        for index in range(cova.account.customers)
        if balances.points_of(cova.account, index) > 0
    )
    customer = cova_payloads.customer_id(cova.account, shopper)

    summary = cova.get(
        cova.url("iqloyalty", f"Entities({location})/customers({customer})/summary")
    ).json()

    points = balances.points_of(cova.account, shopper)
    assert summary == {"PointsBalance": points, "LifetimePointsBalance": points}


def test_posabit_customers_carry_that_balance(client):
    account = posabit_account()
    shopper = next(
        index for index in range(account.customers) if balances.points_of(account, index) > 0
    )
    customer = posabit_payloads.customer_id(account, shopper)

    body = client.get(f"/sandbox/posabit/api/v3/venue/customers/{customer}", **AUTH_POSABIT)

    assert body.status_code == 200
    assert body.json()["customer"]["loyalty_points"] == balances.points_of(account, shopper)
