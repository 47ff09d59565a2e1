"""Queries per call on the hot paths a POS hits at every checkout (``bench_api`` measures
them over HTTP): a regression here shows up as a number, before a benchmark run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from aiq.audiences.models import Audience
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


def test_a_wallet_read_is_three_queries(setup):
    # Given a key used a moment ago (its last_used_at is fresh), three discounts and no
    # audience
    _, _, key = setup
    client = Client()
    client.get("/api/v2/wallet/+12065550134", HTTP_X_APIKEY=key)

    # When the wallet is read again
    queries = queries_of(lambda: client.get("/api/v2/wallet/+12065550134", HTTP_X_APIKEY=key))

    # Then: the key (with company, program, and whether the company has any audience), the
    # shopper (with account, and the discounts with the shopper's uses), the request log
    assert len(queries) == 3, queries
    assert sum("INSERT" in sql for sql in queries) == 1


def test_audiences_add_two_queries_to_the_wallet_however_many(setup, company_a):
    # Given audiences of every kind, two of them limiting discounts
    _, discounts, key = setup
    conditions = [
        [{"type": "fulfillment", "value": "delivery", "days": 90}],
        [{"type": "total_spend", "amount": "100", "days": 30}],
        [{"type": "purchase_count", "count": 2, "days": 365}],
        [{"type": "brand", "value": "Acme Farms"}, {"type": "category", "value": "Flower"}],
        [{"type": "loyalty_member", "value": "yes"}, {"type": "points", "points": "100"}],
        [{"type": "brand_trait", "key": "CovaPricingGroup", "value": "VIP"}],
        [],
    ]
    audiences = [
        Audience.objects.create(company=company_a, name=f"Audience {n}", conditions=rows)
        for n, rows in enumerate(conditions)
    ]
    discounts[1].audience = audiences[0]
    discounts[1].save()
    discounts[2].audience = audiences[4]
    discounts[2].save()
    client = Client()
    client.get("/api/v2/wallet/+12065550134", HTTP_X_APIKEY=key)

    # When the wallet is read again
    queries = queries_of(lambda: client.get("/api/v2/wallet/+12065550134", HTTP_X_APIKEY=key))

    # Then two queries more than with no audience: the company's audiences, then every
    # membership, also the discounts', in one SELECT
    assert len(queries) == 5, queries
    body = client.get("/api/v2/wallet/+12065550134", HTTP_X_APIKEY=key).json()["data"]
    assert [a["name"] for a in body["audiences"]] == ["Audience 4", "Audience 6"]
    # a member and 5,000 points: in audience 4, not in audience 0 (no delivery)
    offered = {t["id"] for t in body["discountTemplates"]}
    assert discounts[2].pk in offered and discounts[1].pk not in offered


def test_a_redemption_put_is_seven_queries_on_postgresql_and_its_retry_five(setup):
    # Given a key used a moment ago
    persona, discounts, key = setup
    client = Client()
    client.get("/api/v2/wallet/+12065550134", HTTP_X_APIKEY=key)
    address = url(persona, discounts[1], "T-1")

    # When a redemption is PUT, then retried
    first = queries_of(lambda: client.put(address, HTTP_X_APIKEY=key))
    retry = queries_of(lambda: client.put(address, HTTP_X_APIKEY=key))

    # Then each is within its count (savepoints aside): on PostgreSQL the redemption, the
    # shopper's uses of the discount and the open lots are read in one statement under
    # the account's lock (loyalty/api/redemption/reads.py), the ledger's entry,
    # allocation, lot and balance are written in one (loyalty/ledger/one_statement.py),
    # the discount use and the redemption in another (loyalty/api/redemption/writes.py)
    assert len(first) == (7 if connection.vendor == "postgresql" else 13), first
    assert len(retry) == 5, retry
