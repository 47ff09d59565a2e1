"""Hand-written hot-path SELECTs (aiq/raw_rows.py) build the same instances the ORM
builds, with their related objects cached so nothing queries again."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from aiq.personas.models import Persona
from loyalty.api.keys import create_api_key, find_active_key
from loyalty.api.shoppers import find_shopper
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LoyaltyAccount
from loyalty.program.models import LoyaltyProgram
from stores.models import RetailStore
from tests.factories import PersonaFactory, RetailStoreFactory

pytestmark = pytest.mark.django_db


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_key_comes_with_company_program_and_store_as_the_orm_reads_them(company_a):
    LoyaltyProgram.objects.create(company=company_a, enabled=True, points_per_dollar=Decimal("1.5"))
    store = RetailStoreFactory(company=company_a)
    new = create_api_key(company_a, "Counter", store=store)

    with CaptureQueriesContext(connection) as queries:
        key = find_active_key(new.plaintext)
        program = key.company.loyalty_program
        scoped = key.store
    assert len(queries) == 1
    assert _fields(key) == _fields(type(key).objects.get(pk=new.key.pk))
    assert _fields(key.company) == _fields(type(key.company).objects.get(pk=company_a.pk))
    assert _fields(program) == _fields(LoyaltyProgram.objects.get(company=company_a))
    assert program.points_per_dollar == Decimal("1.5")
    assert _fields(scoped) == _fields(RetailStore.objects.get(pk=store.pk))
    assert not key._state.adding and key._state.db == "default"


def test_a_key_without_program_or_store_reads_them_as_absent(company_a):
    new = create_api_key(company_a, "Counter")
    key = find_active_key(new.plaintext)
    with CaptureQueriesContext(connection) as queries:
        assert key.store is None
        with pytest.raises(LoyaltyProgram.DoesNotExist):
            key.company.loyalty_program  # noqa: B018 - the access is the test
    assert len(queries) == 0


def test_the_shopper_and_account_round_trip_json_and_decimals(company_a):
    persona = PersonaFactory(
        company=company_a, phone="+12065550123", brand_traits={"CovaPricingGroup": "VIP"}
    )
    award(persona, Decimal("12.25"), EntryKind.ADJUST, reason="test")

    found = find_shopper(company_a, phone="(206) 555-0123")
    with CaptureQueriesContext(connection) as queries:
        account = found.loyalty_account
    assert len(queries) == 0
    assert model_to_dict(found) == model_to_dict(Persona.objects.get(pk=persona.pk))
    assert found.brand_traits == {"CovaPricingGroup": "VIP"}
    assert _fields(account) == _fields(LoyaltyAccount.objects.get(persona=persona))
    assert account.balance == Decimal("12.25")


def test_a_shopper_without_account_reads_it_as_absent(company_a, company_b):
    PersonaFactory(company=company_a, phone="+12065550124", email="a@example.com")
    found = find_shopper(company_a, email="A@Example.com ")
    with pytest.raises(LoyaltyAccount.DoesNotExist):
        found.loyalty_account  # noqa: B018 - the access is the test
    assert find_shopper(company_b, phone="+12065550124") is None


def test_the_company_audiences_read_as_the_orm_reads_them(company_a, company_b):
    from aiq.audiences.membership import company_audiences
    from aiq.audiences.models import Audience

    for name in ("Vips", "Delivery", "Birthdays"):
        Audience.objects.create(
            company=company_a,
            name=name,
            conditions=[{"type": "brand_trait", "key": "CovaPricingGroup", "value": "VIP"}],
        )
    Audience.objects.create(company=company_b, name="Theirs")

    read = company_audiences(company_a.pk)

    orm = list(Audience.objects.filter(company=company_a).order_by("name"))
    assert [a.name for a in read] == ["Birthdays", "Delivery", "Vips"]
    assert [_fields(a) for a in read] == [_fields(a) for a in orm]
    assert read[0].conditions == [
        {"type": "brand_trait", "key": "CovaPricingGroup", "value": "VIP"}
    ]
    assert company_audiences(company_a.pk + company_b.pk + 1000) == []
