"""createUpdateSale on PostgreSQL with real threads: one pos_id posted at once by several
terminals is one sale that earns once; one new shopper named at once is one persona."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client

from aiq.personas.models import Persona, Sale
from loyalty.api.keys import create_api_key
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount
from tests.factories import PersonaFactory
from tests.loyalty.factories import LoyaltyProgramFactory
from tests.loyalty.test_concurrency import run_at_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

CALLS = 8


def _poster(uid: str, plaintext: str, body: dict):
    def call() -> int:
        response = Client().post(
            f"/api/v1.1/createUpdateSale/{uid}",
            json.dumps(body),
            content_type="application/json",
            HTTP_X_APIKEY=plaintext,
        )
        return response.status_code

    return call


def _visit(member: dict) -> dict:
    return {
        "visit": {
            "pos_id": "S-1",
            "transaction_date": "2026-05-04 19:03:53 +0000",
            "transaction_total": 40,
            "visit_details_attributes": [{"sku": "A", "price": 40, "quantity": 1}],
            "member": member,
        }
    }


def test_one_pos_id_posted_at_once_is_one_sale_that_earns_once(company_a):
    # given an enrolled member
    LoyaltyProgramFactory(company=company_a)
    member = PersonaFactory(
        company=company_a,
        phone="+12065550134",
        loyalty_enrolled_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    key = create_api_key(company_a, "Terminal")
    body = _visit({"mobilePhone": "2065550134"})

    # when eight terminals post the same sale at the same instant
    statuses = run_at_once(*[_poster(company_a.uid, key.plaintext, body)] * CALLS)

    # then every call succeeds, and there is one sale with one earn entry
    assert statuses == [200] * CALLS
    sale = Sale.objects.get(company=company_a)
    assert sale.persona_id == member.pk
    assert LedgerEntry.objects.filter(sale=sale).count() == 1
    assert LoyaltyAccount.objects.get(persona=member).balance == 40


def test_one_new_shopper_named_at_once_is_one_persona(company_a):
    key = create_api_key(company_a, "Terminal")
    body = _visit({"firstName": "Sam", "mobilePhone": "2065550199"})

    statuses = run_at_once(*[_poster(company_a.uid, key.plaintext, body)] * CALLS)

    assert statuses == [200] * CALLS
    assert Persona.objects.filter(company=company_a).count() == 1
    assert Sale.objects.get(company=company_a).persona_id == Persona.objects.get().pk
