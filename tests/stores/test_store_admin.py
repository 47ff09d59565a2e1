from __future__ import annotations

import pytest

from stores.models import RetailStore

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Ballard",
    "phone": "(206) 201-4455",
    "address_line1": "5300 Ballard Ave NW",
    "city": "Seattle",
    "state": " wa ",
    "postal_code": "98107",
    "country": "US",
    "time_zone": "America/Los_Angeles",
}


def test_store_is_created_with_e164_phone_and_upper_state(owner_a, company_a):
    response = owner_a.post("/admin/stores/retailstore/add/", VALID)

    assert response.status_code == 302
    store = RetailStore.objects.get(name="Ballard")
    assert (store.company, store.phone, store.state) == (company_a, "+12062014455", "WA")


def test_bad_phone_says_which_field_and_why(owner_a):
    response = owner_a.post("/admin/stores/retailstore/add/", {**VALID, "phone": "555-12"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["phone"]
    assert "not a valid phone number" in errors["phone"][0]
    assert not RetailStore.objects.filter(name="Ballard").exists()


def test_store_name_unique_within_company_only(owner_a, company_b):
    RetailStore.objects.create(company=company_b, name="Ballard", state="WA")

    assert owner_a.post("/admin/stores/retailstore/add/", VALID).status_code == 302
    assert RetailStore.objects.filter(name="Ballard").count() == 2
