"""The wallet's one statement (``find_wallet_shopper``) reads what the two separate reads
read: the shopper with their account, and the company's active discounts with this
shopper's uses of each, in the wallet's order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loyalty.api.shoppers import find_shopper, find_wallet_shopper
from loyalty.discounts.services import _with_usage
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LoyaltyAccount
from tests.factories import PersonaFactory
from tests.loyalty.factories import DiscountFactory, DiscountUseFactory

pytestmark = pytest.mark.django_db

EARLY = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATE = datetime(2026, 5, 9, 18, 30, tzinfo=UTC)


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _discounts(discounts):
    return [(_fields(d), d.persona_uses) for d in discounts]


@pytest.fixture
def shopper(company_a, company_b):
    persona = PersonaFactory(company=company_a, phone="+12065550134", email="zoey@example.com")
    award(persona, 300, EntryKind.ADJUST, reason="Welcome gift")
    # Cheapest first, then by name: the order is the query's, not the creation's.
    pricey = DiscountFactory(company=company_a, name="$20 off", points_cost=200)
    cheap_b = DiscountFactory(company=company_a, name="B $5 off", points_cost=50)
    cheap_a = DiscountFactory(company=company_a, name="A $5 off", points_cost=50)
    DiscountFactory(company=company_a, name="Retired", points_cost=10, is_active=False)
    DiscountFactory(company=company_b, name="Other company", points_cost=10)
    DiscountUseFactory(discount=pricey, persona=persona, company=company_a, used_at=EARLY)
    DiscountUseFactory(discount=pricey, persona=persona, company=company_a, used_at=LATE)
    # Another shopper's use of the same discount is not this shopper's.
    DiscountUseFactory(discount=cheap_a, company=company_a, used_at=LATE)
    return persona, [cheap_a, cheap_b, pricey]


def test_one_statement_reads_what_the_two_reads_read(company_a, shopper):
    persona, expected = shopper

    with CaptureQueriesContext(connection) as queries:
        found = find_wallet_shopper(company_a, phone="(206) 555-0134")
        account = found.persona.loyalty_account
    assert len(queries) == 1

    alone = find_shopper(company_a, phone="(206) 555-0134")
    assert _fields(found.persona) == _fields(alone)
    assert _fields(account) == _fields(alone.loyalty_account)
    assert account.balance == 300
    assert [d.pk for d in found.discounts] == [d.pk for d in expected]
    assert _discounts(found.discounts) == _discounts(_with_usage(company_a.pk, persona))
    uses = {d.name: (d.persona_uses.count, d.persona_uses.last_used_at) for d in found.discounts}
    assert uses == {"A $5 off": (0, None), "B $5 off": (0, None), "$20 off": (2, LATE)}


def test_the_email_and_the_raw_phone_find_the_shopper_too(company_a, shopper):
    persona, expected = shopper
    PersonaFactory(company=company_a, phone="", phone_raw="555-CANNA")

    by_email = find_wallet_shopper(company_a, phone="999", email=" Zoey@Example.com")
    by_raw = find_wallet_shopper(company_a, phone="555-CANNA")

    assert by_email.persona.pk == persona.pk
    assert [d.pk for d in by_email.discounts] == [d.pk for d in expected]
    assert by_raw.persona.phone_raw == "555-CANNA"
    with pytest.raises(LoyaltyAccount.DoesNotExist):  # no entry yet: no account
        by_raw.persona.loyalty_account  # noqa: B018 - the access is the test


def test_a_company_without_discounts_reads_the_shopper_and_an_empty_list(company_b):
    persona = PersonaFactory(company=company_b, phone="+12065550177")

    found = find_wallet_shopper(company_b, phone="+12065550177")

    assert found.persona.pk == persona.pk
    assert found.discounts == []


def test_another_companys_shopper_is_never_found(company_a, company_b, shopper):
    assert find_wallet_shopper(company_b, phone="+12065550134") is None
    assert find_wallet_shopper(company_a, phone="+12065550199") is None
