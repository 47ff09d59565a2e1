"""The customers stream: POS shoppers become personas, matched by phone, email, and
name + date of birth where the company enables it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aiq.personas.models import Persona, PersonaIdentity, PersonaMerge
from integrations.providers.errors import MalformedRecord
from integrations.sync.choices import RunStatus, Stream
from tests.factories import IdentityFactory, PersonaFactory
from tests.sync.factories import SandboxCredentialFactory, customer, run_once
from tests.sync.fakes import FakeProvider

pytestmark = pytest.mark.django_db

PHONE = "(206) 555-0134"
E164 = "+12065550134"


def test_new_shoppers_become_personas_sourced_from_the_provider(owner_a, company_a):
    # given a Cova card and two POS shoppers with PII
    credential = SandboxCredentialFactory(integration__company=company_a)
    provider = FakeProvider([customer("c1", phone=PHONE), customer("c2", email="Zoe@Example.com")])

    # when the customers stream runs
    run = run_once(credential, Stream.CUSTOMERS, provider)

    # then two personas with normalised PII and a Cova identity each
    assert (run.status, run.created, run.updated, run.unchanged) == (RunStatus.OK, 2, 0, 0)
    first = Persona.objects.get(identities__external_id="c1")
    assert (first.phone, first.phone_raw) == (E164, PHONE)
    assert Persona.objects.get(identities__external_id="c2").email == "zoe@example.com"
    assert set(PersonaIdentity.objects.values_list("source", flat=True)) == {"cova"}
    page = owner_a.get("/admin/personas/persona/").content.decode()
    assert page.count('<td class="field-sourced_from">Cova</td>') == 2


def test_a_shopper_without_usable_pii_creates_no_persona():
    # given a shopper with an invalid phone and no email
    credential = SandboxCredentialFactory()
    provider = FakeProvider([customer("c1", phone="555-12", email=None)])

    run = run_once(credential, Stream.CUSTOMERS, provider)

    assert (run.created, run.skipped) == (0, 1)
    assert run.details == {"no_usable_pii": 1}
    assert not Persona.objects.exists()
    assert not PersonaIdentity.objects.exists()


def test_matches_an_existing_persona_by_phone_then_email():
    credential = SandboxCredentialFactory()
    by_phone = PersonaFactory(company=credential.company, phone=E164, email="")
    by_email = PersonaFactory(company=credential.company, phone="", email="kai@example.com")
    provider = FakeProvider(
        [
            customer("c1", phone="206.555.0134", email="other@example.com"),
            customer("c2", phone=None, email="KAI@example.com"),
        ]
    )

    run_once(credential, Stream.CUSTOMERS, provider)

    assert PersonaIdentity.objects.get(external_id="c1").persona == by_phone
    assert PersonaIdentity.objects.get(external_id="c2").persona == by_email
    assert Persona.objects.count() == 2
    by_phone.refresh_from_db()
    # A blank is filled; nothing already there is overwritten.
    assert by_phone.email == "other@example.com"


def test_two_pos_shoppers_sharing_a_phone_are_one_persona_with_two_identities():
    credential = SandboxCredentialFactory()
    provider = FakeProvider(
        [customer("c1", phone=PHONE, email=None), customer("c2", phone="2065550134", email=None)],
        page_size=5,
    )

    run_once(credential, Stream.CUSTOMERS, provider)

    assert Persona.objects.count() == 1
    assert PersonaIdentity.objects.filter(persona=Persona.objects.get()).count() == 2


def test_a_different_phone_is_a_different_shopper_even_with_the_same_email():
    credential = SandboxCredentialFactory()
    family = PersonaFactory(
        company=credential.company, phone="+12065550100", email="fam@example.com"
    )
    provider = FakeProvider([customer("c1", phone=PHONE, email="fam@example.com")])

    run_once(credential, Stream.CUSTOMERS, provider)

    assert PersonaIdentity.objects.get(external_id="c1").persona != family
    assert Persona.objects.count() == 2


@pytest.mark.parametrize("enabled", [True, False])
def test_name_and_birth_date_match_only_where_the_company_enables_it(enabled):
    credential = SandboxCredentialFactory()
    company = credential.company
    company.match_personas_on_name_and_birth_date = enabled
    company.save()
    known = PersonaFactory(
        company=company, first_name="Ava", last_name="Nguyen", birth_date=date(1990, 4, 2), phone=""
    )
    provider = FakeProvider(
        [customer("c1", first_name="ava", last_name="NGUYEN", birth_date=date(1990, 4, 2))]
    )

    run_once(credential, Stream.CUSTOMERS, provider)

    matched = PersonaIdentity.objects.get(external_id="c1").persona == known
    assert matched is enabled
    assert Persona.objects.count() == (1 if enabled else 2)


def test_name_alone_never_matches():
    credential = SandboxCredentialFactory()
    company = credential.company
    company.match_personas_on_name_and_birth_date = True
    company.save()
    PersonaFactory(company=company, first_name="Ava", last_name="Nguyen", birth_date=None)

    run_once(credential, Stream.CUSTOMERS, FakeProvider([customer("c1", birth_date=None)]))

    assert Persona.objects.count() == 2


def test_a_second_sync_of_unchanged_shoppers_writes_nothing():
    credential = SandboxCredentialFactory()
    shoppers = [customer(f"c{i}", phone=f"206555{i:04d}") for i in range(5)]
    run_once(credential, Stream.CUSTOMERS, FakeProvider(shoppers))

    with CaptureQueriesContext(connection) as queries:
        run = run_once(credential, Stream.CUSTOMERS, FakeProvider(shoppers))

    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE")) and '"personas_' in q["sql"]
    ]
    assert writes == []
    assert (run.created, run.updated, run.unchanged) == (0, 0, 5)


def test_a_changed_record_updates_its_identity_and_fills_blanks():
    credential = SandboxCredentialFactory()
    run_once(credential, Stream.CUSTOMERS, FakeProvider([customer("c1", phone=PHONE, city=None)]))

    run = run_once(
        credential, Stream.CUSTOMERS, FakeProvider([customer("c1", phone=PHONE, city="Tacoma")])
    )

    assert (run.created, run.updated) == (0, 1)
    assert Persona.objects.get().city == "Tacoma"


def test_malformed_shoppers_are_quarantined_while_the_rest_land():
    credential = SandboxCredentialFactory()
    bad = MalformedRecord("missing field 'Id'", raw={"Name": "x"}, kind="customer")
    provider = FakeProvider([customer("c1", phone=PHONE), bad, customer("c2", email="b@x.io")])

    run = run_once(credential, Stream.CUSTOMERS, provider)

    assert (run.created, run.quarantined) == (2, 1)
    record = credential.quarantined_records.get()
    assert (record.reason, record.payload, record.resolved) == (
        "missing field 'Id'",
        {"Name": "x"},
        False,
    )


def test_anonymous_sales_are_linked_when_their_shopper_becomes_a_persona():
    from aiq.personas.models import Sale
    from tests.sync.factories import sale

    credential = SandboxCredentialFactory()
    run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1", customer_external_id="c1")]))
    assert Sale.objects.get().persona is None

    run_once(credential, Stream.CUSTOMERS, FakeProvider([customer("c1", phone=PHONE)]))

    assert Sale.objects.get().persona == Persona.objects.get()


def test_records_of_another_company_never_match():
    credential = SandboxCredentialFactory()
    IdentityFactory(persona=PersonaFactory(phone=E164))  # another company's shopper

    run_once(credential, Stream.CUSTOMERS, FakeProvider([customer("c1", phone=PHONE)]))

    mine = PersonaIdentity.objects.get(external_id="c1").persona
    assert mine.company == credential.company
    assert not PersonaMerge.objects.exists()
