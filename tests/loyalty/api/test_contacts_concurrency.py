"""Real threads on PostgreSQL: two terminals signing up one new number at once make one
persona; one idempotency key sent by many retries at once adjusts once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from aiq.personas.models import Persona
from loyalty.api.adjustments import AdjustRequest, adjust
from loyalty.api.keys import create_api_key
from loyalty.api.signups import read_signup, sign_up
from loyalty.enrollment.models import Enrollment
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount
from tests.factories import CompanyFactory, PersonaFactory
from tests.loyalty.test_concurrency import run_at_once

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="locks are tested on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_signups_of_one_new_number_make_one_persona():
    # given a company that does not know the number yet
    company = CompanyFactory()
    key = create_api_key(company, "POSaBIT counter").key
    signup = read_signup({"mobilePhone": "2065550134", "optIn": True}, legacy=False)

    # when eight terminals sign it up at the same instant
    outcomes = run_at_once(*[lambda: sign_up(key, signup) for _ in range(8)])

    # then one persona, one enrollment, and every call answered with that persona
    assert not [o for o in outcomes if isinstance(o, Exception)]
    persona = Persona.objects.get(company=company)
    assert {o.persona.pk for o in outcomes} == {persona.pk}  # type: ignore[union-attr]
    assert sum(o.created for o in outcomes) == 1  # type: ignore[union-attr]
    assert Enrollment.objects.filter(persona=persona).count() == 1


def test_concurrent_retries_of_one_idempotency_key_adjust_once():
    company = CompanyFactory()
    key = create_api_key(company, "Cova terminal").key
    persona = PersonaFactory(company=company)
    award(persona, 100, EntryKind.ADJUST, reason="Opening balance")
    request = AdjustRequest(Decimal("-30.00"), "Returned item", "api:adjust:retry-1")

    outcomes = run_at_once(*[lambda: adjust(persona, request, key) for _ in range(10)])

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert len({o.pk for o in outcomes}) == 1  # type: ignore[union-attr]
    assert LedgerEntry.objects.filter(reason="Returned item").count() == 1
    assert LoyaltyAccount.objects.get(persona=persona).balance == Decimal("70.00")
