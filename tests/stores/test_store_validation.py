"""Bad input on the Retail Store screen is a form error that says which field and why,
never a 500 and never a silently mangled value."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from stores.models import RetailStore
from tests.factories import RetailStoreFactory

pytestmark = pytest.mark.django_db
ADD = "/admin/stores/retailstore/add/"

VALID = {
    "name": "Ballard",
    "phone": "(206) 201-4455",
    "address_line1": "5300 Ballard Ave NW",
    "city": "Seattle",
    "state": "WA",
    "postal_code": "98107",
    "country": "US",
    "time_zone": "America/Los_Angeles",
}


def form_errors(response) -> dict[str, list[str]]:
    errors = response.context["adminform"].form.errors
    return {name: list(messages) for name, messages in errors.items()}


@pytest.mark.parametrize("typed", ["Capitol Hill", "capitol hill ", "  CAPITOL   HILL"])
def test_duplicate_store_name_is_a_form_error(owner_a, company_a, typed):
    # given: a store named Capitol Hill
    RetailStoreFactory(company=company_a, name="Capitol Hill")

    # when: another one is added under the same name, typed differently
    response = owner_a.post(ADD, {**VALID, "name": typed})

    # then: the form says so, and no second store exists
    assert response.status_code == 200
    assert form_errors(response) == {
        "name": ["You already have a retail store named \u201cCapitol Hill\u201d."]
    }
    assert RetailStore.objects.filter(company=company_a).count() == 1


def test_renaming_a_store_to_its_own_name_in_other_case_is_allowed(owner_a, company_a):
    store = RetailStoreFactory(company=company_a, name="Capitol Hill")

    response = owner_a.post(
        f"/admin/stores/retailstore/{store.pk}/change/", {**VALID, "name": "CAPITOL HILL"}
    )

    assert response.status_code == 302
    store.refresh_from_db()
    assert store.name == "CAPITOL HILL"


def test_database_refuses_names_differing_only_in_case_or_spaces(company_a):
    # the backstop behind the form check (two saves racing)
    RetailStoreFactory(company=company_a, name="Capitol Hill")

    with pytest.raises(IntegrityError), transaction.atomic():
        RetailStore.objects.create(company=company_a, name="capitol hill ", state="WA")

    assert RetailStore.objects.filter(company=company_a).count() == 1


def test_name_is_stored_trimmed_with_single_spaces(owner_a, company_a):
    response = owner_a.post(ADD, {**VALID, "name": "  Capitol   Hill "})

    assert response.status_code == 302
    assert RetailStore.objects.get(company=company_a).name == "Capitol Hill"


@pytest.mark.parametrize(
    ("typed", "country", "stored"),
    [
        ("Washington", "US", "WA"),
        (" wa ", "US", "WA"),
        ("district of columbia", "US", "DC"),
        ("ON", "CA", "ON"),
        ("British Columbia", "CA", "BC"),
    ],
)
def test_state_is_stored_as_its_two_letter_code(owner_a, company_a, typed, country, stored):
    data = {**VALID, "state": typed, "country": country, "phone": ""}

    response = owner_a.post(ADD, data)

    assert response.status_code == 302, form_errors(response)
    assert RetailStore.objects.get(company=company_a).state == stored


@pytest.mark.parametrize(
    ("typed", "country", "message"),
    [
        (
            "Ontario",
            "US",
            "Ontario is not a state of the United States. Use the two-letter code of a US "
            "state or DC, e.g. WA for Washington.",
        ),
        (
            "WA",
            "CA",
            "WA is not a province or territory of Canada. Use the two-letter code of a "
            "Canadian province or territory, e.g. ON for Ontario.",
        ),
        (
            "Washingtn",
            "US",
            "Washingtn is not a state of the United States. Use the two-letter code of a US "
            "state or DC, e.g. WA for Washington.",
        ),
    ],
)
def test_state_outside_the_country_is_a_form_error(owner_a, company_a, typed, country, message):
    response = owner_a.post(ADD, {**VALID, "state": typed, "country": country, "phone": ""})

    assert response.status_code == 200
    assert form_errors(response) == {"state": [message]}
    assert not RetailStore.objects.filter(company=company_a).exists()


def test_unknown_country_is_a_form_error(owner_a, company_a):
    response = owner_a.post(ADD, {**VALID, "country": "Atlantis"})

    assert response.status_code == 200
    assert list(form_errors(response)) == ["country"]
    assert not RetailStore.objects.filter(company=company_a).exists()


def test_time_zones_are_a_short_list_with_north_america_first(owner_a):
    response = owner_a.get(ADD)

    field = response.context["adminform"].form.fields["time_zone"]
    groups = [group for group, _options in field.choices if group]
    _group, first_options = field.choices[1]
    assert groups[0] == "United States and Canada"
    assert first_options[0] == ("America/Los_Angeles", "Pacific Time (Los Angeles)")
    assert ("America/Toronto", "Eastern Time (Toronto)") in first_options
    every_option = [value for _group, options in field.choices[1:] for value, _label in options]
    assert len(every_option) < 80
    assert "Etc/GMT+5" not in every_option and "US/Pacific" not in every_option
    assert 'class="time-zone-select' in response.content.decode()


def test_time_zone_outside_the_list_is_a_form_error(owner_a, company_a):
    response = owner_a.post(ADD, {**VALID, "time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 200
    assert list(form_errors(response)) == ["time_zone"]
    assert not RetailStore.objects.filter(company=company_a).exists()


def test_a_store_keeps_a_zone_it_already_has_outside_the_list(owner_a, company_a):
    store = RetailStoreFactory(company=company_a, name="Ballard", time_zone="Asia/Kathmandu")

    response = owner_a.post(
        f"/admin/stores/retailstore/{store.pk}/change/",
        {**VALID, "time_zone": "Asia/Kathmandu"},
    )

    assert response.status_code == 302
    store.refresh_from_db()
    assert store.time_zone == "Asia/Kathmandu"


def test_a_save_racing_another_is_a_message_not_a_500(owner_a, company_a, monkeypatch):
    # given: the form passed, but another save took the name first (the database says so)
    from stores import admin as store_admin

    def taken(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(store_admin.TenantAdmin, "save_model", taken)

    # when
    response = owner_a.post(ADD, VALID, follow=True)

    # then: the form comes back with a message, and nothing was saved
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [store_admin.RACE_MESSAGE]
    assert not RetailStore.objects.filter(company=company_a).exists()


@pytest.mark.parametrize(
    ("field", "label", "typed", "character"),
    [
        ("name", "Name", "Ball\x00ard", "NUL"),
        ("city", "City", "Seat\x1btle", "U+001B"),
        ("address_line1", "Address", "5300 Ballard\x7f Ave NW", "U+007F"),
    ],
)
def test_a_control_character_is_a_form_error_naming_the_field(
    owner_a, company_a, field, label, typed, character
):
    # given: a value carrying an invisible control character (a NUL is a database error)
    # when: the store is added with it
    response = owner_a.post(ADD, {**VALID, field: typed})

    # then: that field says so, and nothing was saved
    assert response.status_code == 200
    assert form_errors(response) == {
        field: [
            f"{label} contains an invisible control character ({character}). "
            "Remove it, or type the value again."
        ]
    }
    assert not RetailStore.objects.filter(company=company_a).exists()


def test_tabs_and_line_breaks_are_not_control_characters_to_refuse(owner_a, company_a):
    response = owner_a.post(ADD, {**VALID, "address_line1": "5300 Ballard\tAve NW"})

    assert response.status_code == 302
    assert RetailStore.objects.get(company=company_a).address_line1 == "5300 Ballard\tAve NW"
