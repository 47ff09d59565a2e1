"""Queries per call on the hot paths a POS hits at every checkout (``bench_api`` measures
them over HTTP): a regression here shows up as a number, before a benchmark run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from loyalty.api.keys import create_api_key
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from tests.factories import PersonaFactory
from tests.loyalty.api.redemption_support import discount_of, url
from tests.loyalty.factories import DiscountUseFactory, LoyaltyProgramFactory

pytestmark = pytest.mark.django_db


def queries_of(call: Callable[[], object]) -> list[str]:
    seen: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call()
    return [sql for sql in seen if "SAVEPOINT" not in sql]  # SQLite and PG differ here


@pytest.fixture
def setup(company_a):
    LoyaltyProgramFactory(company=company_a, enabled=True)
    persona = PersonaFactory(
        company=company_a,
        phone="+12065550134",
        loyalty_enrolled_at=timezone.now() - timedelta(days=30),
    )
    award(persona, 5000, EntryKind.ADJUST, reason="Welcome gift")
    discounts = [discount_of(company_a, points=100, value=str(n)) for n in (5, 10, 20)]
    DiscountUseFactory(discount=discounts[0], persona=persona, company=company_a)
    key = create_api_key(company_a, "Cova terminal").plaintext
    return persona, discounts, key


def test_a_wallet_read_is_four_queries(setup):
    # Given a key used a moment ago (its last_used_at is fresh) and three discounts
    _, _, key = setup
    client = Client()
    client.get("/api/v2/wallet/+12065550134", HTTP_X_APIKEY=key)

    # When the wallet is read again
    queries = queries_of(lambda: client.get("/api/v2/wallet/+12065550134", HTTP_X_APIKEY=key))

    # Then: the key (with company and program), the shopper (with account), the discounts
    # (with the shopper's uses), the request log
    assert len(queries) == 4, queries
    assert sum("INSERT" in sql for sql in queries) == 1


def test_a_redemption_put_is_thirteen_queries_and_its_retry_five(setup):
    # Given a key used a moment ago
    persona, discounts, key = setup
    client = Client()
    client.get("/api/v2/wallet/+12065550134", HTTP_X_APIKEY=key)
    address = url(persona, discounts[1], "T-1")

    # When a redemption is PUT, then retried
    first = queries_of(lambda: client.put(address, HTTP_X_APIKEY=key))
    retry = queries_of(lambda: client.put(address, HTTP_X_APIKEY=key))

    # Then each is within its count (savepoints aside)
    assert len(first) == 13, first
    assert len(retry) == 5, retry
