"""Two personas found to be one shopper merge; the card explains and can undo it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aiq.personas.choices import Consent, MatchedOn
from aiq.personas.models import Persona, PersonaIdentity, PersonaMerge, Sale
from aiq.personas.models.persona import SUMMARY_FIELDS
from integrations.sync.choices import Stream
from tests.factories import IdentityFactory, PersonaFactory
from tests.sync.factories import SandboxCredentialFactory, customer, run_once, sale
from tests.sync.fakes import FakeProvider

pytestmark = pytest.mark.django_db


def _two_personas(company):  # type: ignore[no-untyped-def]
    """An older persona known by phone, a newer one known by email, each with history."""
    older = PersonaFactory(
        company=company,
        first_name="Ava",
        last_name="",
        phone="+12065550134",
        email="",
        sms_consent=Consent.OPTED_IN,
        brand_traits={"Tier": "gold"},
    )
    newer = PersonaFactory(
        company=company,
        first_name="Ava",
        last_name="Nguyen",
        phone="",
        email="ava@example.com",
        sms_consent=Consent.OPTED_OUT,
        loyalty_enrolled_at=timezone.now() - timedelta(days=30),
        loyalty_enrollment_route="signup_form",
    )
    IdentityFactory(persona=newer, source="signup_form", external_id="form-1")
    return older, newer


def test_a_record_tying_two_personas_merges_them_and_explains_each_field():
    # given two personas, one known by phone and one by email
    credential = SandboxCredentialFactory()
    older, newer = _two_personas(credential.company)
    run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1", customer_external_id="c9")]))
    Sale.objects.update(persona=newer)

    # when the POS sends a shopper with that phone and that email
    provider = FakeProvider([customer("c1", phone="2065550134", email="AVA@example.com")])
    run = run_once(credential, Stream.CUSTOMERS, provider)

    # then the newer persona is folded into the older one, with everything it had
    assert run.details["merges"] == 1
    assert list(Persona.objects.all()) == [older]
    assert set(older.identities.values_list("external_id", flat=True)) == {"form-1", "c1"}
    assert Sale.objects.get().persona == older
    older.refresh_from_db()
    assert (older.last_name, older.email) == ("Nguyen", "ava@example.com")
    assert older.sms_consent == Consent.OPTED_OUT
    assert older.brand_traits == {"Tier": "gold"}
    merge = PersonaMerge.objects.get()
    assert merge.matched_on == MatchedOn.EMAIL
    winners = merge.field_winners
    assert winners["sms_consent"]["winner"] == "merged"
    assert winners["sms_consent"]["reason"] == "an opt-out always wins"
    assert winners["last_name"]["reason"] == "the surviving profile had none"
    assert winners["loyalty_enrolled_at"]["reason"] == "the earliest membership is kept"
    assert {i["external_id"] for i in merge.snapshot["identities"]} == {"form-1"}


def test_undo_brings_both_personas_and_their_identities_back_exactly(owner_a, company_a):
    credential = SandboxCredentialFactory(integration__company=company_a)
    older, newer = _two_personas(company_a)
    # Its purchase summary is derived from the sales it has, checked below instead.
    fields = [f for f in Persona._meta.concrete_fields if f.name not in SUMMARY_FIELDS]
    before = {f.attname: getattr(newer, f.attname) for f in fields}
    older_before = Persona.objects.values().get(pk=older.pk)
    run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1")]))
    Sale.objects.update(persona=newer)
    run_once(
        credential,
        Stream.CUSTOMERS,
        FakeProvider([customer("c1", phone="2065550134", email="ava@example.com")]),
    )
    merge = PersonaMerge.objects.get()

    # when staff undo the merge from the persona card
    page = owner_a.get(f"/admin/personas/persona/{older.pk}/change/").content.decode()
    assert "Undo this merge" in page and "an opt-out always wins" in page
    response = owner_a.post(f"/admin/personas/persona/{older.pk}/merges/{merge.pk}/undo/")

    # then the merged persona is back as it was, with its identity and its sale
    assert response.status_code == 302
    restored = Persona.objects.get(pk=newer.pk)
    assert {f.attname: getattr(restored, f.attname) for f in fields} == before
    assert list(restored.identities.values_list("external_id", flat=True)) == ["form-1"]
    assert Sale.objects.get().persona == restored
    assert restored.last_sale_at == Sale.objects.get().occurred_at
    # and the survivor has its own values again (its POS identity stays with it)
    survivor = Persona.objects.values().get(pk=older.pk)
    for name in ("last_name", "email", "sms_consent", "loyalty_enrolled_at"):
        assert survivor[name] == older_before[name]
    assert PersonaIdentity.objects.get(external_id="c1").persona_id == older.pk
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == owner_a.user


def test_undo_twice_is_refused(owner_a, company_a):
    credential = SandboxCredentialFactory(integration__company=company_a)
    older, _newer = _two_personas(company_a)
    run_once(
        credential,
        Stream.CUSTOMERS,
        FakeProvider([customer("c1", phone="2065550134", email="ava@example.com")]),
    )
    merge = PersonaMerge.objects.get()
    url = f"/admin/personas/persona/{older.pk}/merges/{merge.pk}/undo/"
    owner_a.post(url)

    response = owner_a.post(url, follow=True)

    assert "already undone" in response.content.decode()
    assert Persona.objects.count() == 2


def test_another_companys_merge_cannot_be_undone(owner_a, company_b):
    credential = SandboxCredentialFactory(integration__company=company_b)
    older, _newer = _two_personas(company_b)
    run_once(
        credential,
        Stream.CUSTOMERS,
        FakeProvider([customer("c1", phone="2065550134", email="ava@example.com")]),
    )
    merge = PersonaMerge.objects.get()

    response = owner_a.post(f"/admin/personas/persona/{older.pk}/merges/{merge.pk}/undo/")

    assert response.status_code == 404
    assert Persona.objects.count() == 1


def test_personas_whose_phones_differ_never_merge():
    credential = SandboxCredentialFactory()
    a = PersonaFactory(company=credential.company, phone="+12065550134", email="")
    b = PersonaFactory(company=credential.company, phone="+12065550199", email="ava@example.com")

    run_once(
        credential,
        Stream.CUSTOMERS,
        FakeProvider([customer("c1", phone="2065550134", email="ava@example.com")]),
    )

    assert set(Persona.objects.all()) == {a, b}
    assert not PersonaMerge.objects.exists()
    assert PersonaIdentity.objects.get(external_id="c1").persona == a
