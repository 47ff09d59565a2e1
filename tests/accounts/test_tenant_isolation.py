"""A staff member of company A never sees or reaches company B's rows in the admin."""

from __future__ import annotations

import json

import pytest
from django.http import HttpRequest

from tests.factories import IdentityFactory, PersonaFactory, RetailStoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_rows(company_b):
    store = RetailStoreFactory(company=company_b, name="B Downtown")
    persona = PersonaFactory(company=company_b, first_name="Bianca", favorite_store=store)
    IdentityFactory(persona=persona)
    return store, persona


@pytest.fixture
def a_rows(company_a):
    store = RetailStoreFactory(company=company_a, name="A Uptown")
    persona = PersonaFactory(company=company_a, first_name="Alma", favorite_store=store)
    return store, persona


def test_other_company_change_urls_are_404(owner_a, a_rows, b_rows):
    b_store, b_persona = b_rows
    a_store, a_persona = a_rows

    # given/when: A's owner opens B's persona and store by id
    persona_response = owner_a.get(f"/admin/personas/persona/{b_persona.pk}/change/")
    store_response = owner_a.get(f"/admin/stores/retailstore/{b_store.pk}/change/")
    delete_response = owner_a.get(f"/admin/personas/persona/{b_persona.pk}/delete/")
    history_response = owner_a.get(f"/admin/stores/retailstore/{b_store.pk}/history/")

    # then: all 404, while A's own rows open
    assert persona_response.status_code == 404
    assert store_response.status_code == 404
    assert delete_response.status_code == 404
    assert history_response.status_code == 404
    assert owner_a.get(f"/admin/personas/persona/{a_persona.pk}/change/").status_code == 200
    assert owner_a.get(f"/admin/stores/retailstore/{a_store.pk}/change/").status_code == 200


def test_changelists_show_no_rows_of_other_company(owner_a, a_rows, b_rows):
    personas = owner_a.get("/admin/personas/persona/").content.decode()
    stores = owner_a.get("/admin/stores/retailstore/").content.decode()

    assert "Alma" in personas and "Bianca" not in personas
    assert "A Uptown" in stores and "B Downtown" not in stores


def test_list_filters_offer_only_own_stores(owner_a, a_rows, b_rows):
    personas = owner_a.get("/admin/personas/persona/").content.decode()

    assert "A Uptown" in personas
    assert "B Downtown" not in personas


def test_autocomplete_returns_only_own_stores(owner_a, a_rows, b_rows):
    response = owner_a.get(
        "/admin/autocomplete/",
        {
            "app_label": "personas",
            "model_name": "persona",
            "field_name": "favorite_store",
            "term": "",
        },
    )

    assert response.status_code == 200
    names = [row["text"] for row in json.loads(response.content)["results"]]
    assert names == ["A Uptown"]


def test_add_form_dropdown_and_company_are_scoped(owner_a, company_a, a_rows, b_rows):
    b_store, _ = b_rows
    page = owner_a.get("/admin/stores/retailstore/add/").content.decode()
    assert 'name="company"' not in page  # staff never pick a company

    # when: A's owner creates a persona pointing at B's store
    response = owner_a.post(
        "/admin/personas/persona/add/",
        {
            "first_name": "Nova",
            "last_name": "Reyes",
            "email": " Nova@Example.COM ",
            "phone_raw": "(206) 201-7788",
            "favorite_store": b_store.pk,
            "sms_consent": "unknown",
            "email_consent": "unknown",
            "brand_traits": "{}",
            "identities-TOTAL_FORMS": "0",
            "identities-INITIAL_FORMS": "0",
        },
    )

    # then: the form refuses B's store and nothing is created
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    from aiq.personas.models import Persona

    assert not Persona.objects.filter(first_name="Nova").exists()


def test_create_sets_company_and_normalises_contact(owner_a, company_a, a_rows):
    a_store, _ = a_rows
    response = owner_a.post(
        "/admin/personas/persona/add/",
        {
            "first_name": "Nova",
            "last_name": "Reyes",
            "email": " Nova@Example.COM ",
            "phone_raw": "(206) 201-7788",
            "favorite_store": a_store.pk,
            "sms_consent": "unknown",
            "email_consent": "unknown",
            "brand_traits": "{}",
            "identities-TOTAL_FORMS": "0",
            "identities-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    from aiq.personas.models import Persona

    persona = Persona.objects.get(first_name="Nova")
    assert persona.company == company_a
    assert persona.email == "nova@example.com"
    assert persona.phone == "+12062017788"


def test_actions_cannot_touch_other_company(owner_a, a_rows, b_rows):
    _, b_persona = b_rows
    _, a_persona = a_rows

    # when: a forged bulk delete names B's persona
    owner_a.post(
        "/admin/personas/persona/",
        {"action": "delete_selected", "_selected_action": [b_persona.pk], "post": "yes"},
    )

    # then: B's persona survives
    from aiq.personas.models import Persona

    assert Persona.objects.filter(pk=b_persona.pk).exists()
    assert Persona.objects.filter(pk=a_persona.pk).exists()


def test_company_admin_shows_only_own_company(owner_a, company_a, company_b):
    page = owner_a.get("/admin/accounts/company/", follow=True).content.decode()

    assert "Company A" in page and "Company B" not in page
    assert owner_a.get(f"/admin/accounts/company/{company_b.pk}/change/").status_code == 404


def test_superuser_sees_every_company(client, django_user_model, a_rows, b_rows):
    django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-2026")
    client.login(request=HttpRequest(), username="root", password="pw-root-2026")

    page = client.get("/admin/personas/persona/").content.decode()

    assert "Alma" in page and "Bianca" in page
