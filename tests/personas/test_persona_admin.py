from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aiq.personas.choices import Source
from tests.factories import IdentityFactory, PersonaFactory, RetailStoreFactory

pytestmark = pytest.mark.django_db


def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_changelist_query_count_does_not_grow_with_rows(owner_a, company_a):
    store = RetailStoreFactory(company=company_a)
    for _ in range(3):
        IdentityFactory(persona=PersonaFactory(company=company_a, favorite_store=store))
    few = _page_queries(owner_a, "/admin/personas/persona/")

    for _ in range(30):
        persona = PersonaFactory(company=company_a, favorite_store=store)
        IdentityFactory(persona=persona, source=Source.CLOVER)
        IdentityFactory(persona=persona, source=Source.POSABIT)
    many = _page_queries(owner_a, "/admin/personas/persona/")

    assert many == few


@pytest.mark.parametrize("typed", ["(206) 201-7788", "206.201.7788", "+12062017788", "2062017788"])
def test_search_by_phone_in_any_format(owner_a, company_a, typed):
    PersonaFactory(company=company_a, first_name="Target", phone="+12062017788")
    PersonaFactory(company=company_a, first_name="Other", phone="+12062017789")

    page = owner_a.get("/admin/personas/persona/", {"q": typed}).content.decode()

    assert "Target" in page and "Other" not in page


def test_search_by_email_and_name(owner_a, company_a):
    PersonaFactory(
        company=company_a, first_name="Marisol", last_name="Vega", email="mv@example.com"
    )
    PersonaFactory(company=company_a, first_name="Pat", last_name="Quinn", email="pq@example.com")

    by_email = owner_a.get("/admin/personas/persona/", {"q": "MV@example"}).content.decode()
    by_name = owner_a.get("/admin/personas/persona/", {"q": "marisol ve"}).content.decode()
    by_last = owner_a.get("/admin/personas/persona/", {"q": "quin"}).content.decode()

    assert "Marisol" in by_email and "Pat" not in by_email
    assert "Marisol" in by_name and "Pat" not in by_name
    assert "Pat" in by_last and "Marisol" not in by_last


def test_invalid_phone_found_as_typed(owner_a, company_a):
    PersonaFactory(company=company_a, first_name="Raw", phone="", phone_raw="555-1234567")

    page = owner_a.get("/admin/personas/persona/", {"q": "555-1234567"}).content.decode()

    assert "Raw" in page


def test_sourced_from_and_filters(owner_a, company_a):
    store = RetailStoreFactory(company=company_a, name="Capitol")
    cova = PersonaFactory(company=company_a, first_name="Covan", favorite_store=store)
    IdentityFactory(persona=cova, source=Source.COVA)
    clover = PersonaFactory(company=company_a, first_name="Clovis")
    IdentityFactory(persona=clover, source=Source.CLOVER)

    page = owner_a.get("/admin/personas/persona/").content.decode()
    only_cova = owner_a.get("/admin/personas/persona/", {"source": "cova"}).content.decode()
    by_store = owner_a.get(
        "/admin/personas/persona/", {"favorite_store__id__exact": store.pk}
    ).content.decode()

    assert "Cova" in page and "Clover" in page
    assert "Covan" in only_cova and "Clovis" not in only_cova
    assert "Covan" in by_store and "Clovis" not in by_store


def test_loyalty_filter(owner_a, company_a):
    from django.utils import timezone

    PersonaFactory(company=company_a, first_name="Member", loyalty_enrolled_at=timezone.now())
    PersonaFactory(company=company_a, first_name="Guest")

    members = owner_a.get("/admin/personas/persona/", {"loyalty": "member"}).content.decode()

    assert "Member" in members and "Guest" not in members


def test_change_page_is_a_persona_card(owner_a, company_a):
    persona = PersonaFactory(company=company_a, first_name="Carda", phone="", phone_raw="12345")
    IdentityFactory(persona=persona, source=Source.POSABIT)

    page = owner_a.get(f"/admin/personas/persona/{persona.pk}/change/").content.decode()

    assert 'aria-label="Persona card"' in page
    assert "invalid, kept as typed" in page
    assert "POSaBIT" in page
