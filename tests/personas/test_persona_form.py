"""Bad input on the persona form: a form error that says which field and why, never a 500."""

from __future__ import annotations

import pytest

from aiq.personas.models import Persona
from tests.factories import PersonaFactory

pytestmark = pytest.mark.django_db

CHANGE = "/admin/personas/persona/{}/change/"
ADD = "/admin/personas/persona/add/"


def _form(persona: Persona | None = None, **values: str) -> dict[str, str]:
    """The persona form as the browser posts it, filled from the persona."""
    data = {
        "first_name": persona.first_name if persona else "",
        "last_name": persona.last_name if persona else "",
        "birth_date": "",
        "favorite_store": "",
        "email": persona.email if persona else "",
        "phone_raw": persona.phone_raw if persona else "",
        "address_line1": "",
        "address_line2": "",
        "city": "",
        "state": "",
        "postal_code": "",
        "country": "",
        "loyalty_enrolled_at_0": "",
        "loyalty_enrolled_at_1": "",
        "loyalty_enrollment_route": "",
        "sms_consent": "unknown",
        "email_consent": "unknown",
        "brand_traits": "",
        # The management form of the "Sourced from" rows, as the browser sends it.
        "identities-TOTAL_FORMS": "0",
        "identities-INITIAL_FORMS": "0",
        "identities-MIN_NUM_FORMS": "0",
        "identities-MAX_NUM_FORMS": "1000",
    }
    data.update(values)
    return data


def test_clearing_brand_traits_saves_an_empty_set(owner_a, company_a):
    # Given a persona with a Cova pricing group
    persona = PersonaFactory(company=company_a, brand_traits={"CovaPricingGroup": "VIP"})

    # When staff clear the custom brand traits box and save
    response = owner_a.post(CHANGE.format(persona.pk), _form(persona, brand_traits=""))

    # Then the persona is saved with no traits
    assert response.status_code == 302
    persona.refresh_from_db()
    assert persona.brand_traits == {}


def test_brand_traits_are_edited_one_per_line(owner_a, company_a):
    # Given a persona without traits
    persona = PersonaFactory(company=company_a, brand_traits={})

    # When staff type two traits, one "name: value" per line
    response = owner_a.post(
        CHANGE.format(persona.pk),
        _form(persona, brand_traits="CovaPricingGroup: VIP\r\nTier:  Gold \r\n\r\n"),
    )

    # Then both are stored as they read
    assert response.status_code == 302
    persona.refresh_from_db()
    assert persona.brand_traits == {"CovaPricingGroup": "VIP", "Tier": "Gold"}


def test_brand_trait_line_without_a_value_is_a_field_error(owner_a, company_a):
    # Given a persona with a trait
    persona = PersonaFactory(company=company_a, brand_traits={"Tier": "Gold"})

    # When staff type a line with no "name: value" shape
    response = owner_a.post(CHANGE.format(persona.pk), _form(persona, brand_traits="Just a word"))

    # Then the form says which line is wrong, and nothing is saved
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["brand_traits"] == [
        'Line 1: write each trait as "name: value", e.g. "CovaPricingGroup: VIP".'
    ]
    persona.refresh_from_db()
    assert persona.brand_traits == {"Tier": "Gold"}


def test_brand_traits_box_shows_one_trait_per_line(owner_a, company_a):
    # Given a persona with two traits
    persona = PersonaFactory(company=company_a, brand_traits={"Tier": "Gold", "Group": "VIP"})

    # When staff open the card
    response = owner_a.get(CHANGE.format(persona.pk))

    # Then the edit box holds readable lines, not JSON
    assert response.context["adminform"].form["brand_traits"].value() == "Group: VIP\nTier: Gold"


def test_an_empty_persona_is_refused(owner_a, company_a):
    # Given no persona yet
    # When staff save the add form with no name, phone or email
    response = owner_a.post(ADD, _form())

    # Then the form says what is missing and no persona is created
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Give the persona at least a name, a phone or an email."
    ]
    assert Persona.objects.filter(company=company_a).count() == 0


def test_a_phone_of_another_persona_warns_with_a_link_to_its_card(owner_a, company_a):
    # Given a persona who already has the phone
    other = PersonaFactory(
        company=company_a,
        first_name="Dana",
        last_name="Reyes",
        phone="+12065550134",
        phone_raw="206-555-0134",
    )

    # When staff create a persona with the same phone typed differently
    response = owner_a.post(ADD, _form(first_name="Dan", phone_raw="(206) 555 0134"), follow=True)

    # Then it is saved, with a warning that links to the other persona's card
    created = Persona.objects.get(company=company_a, first_name="Dan")
    assert created.phone == "+12065550134"
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == [
        f'The phone +1 206-555-0134 already belongs to <a href="{CHANGE.format(other.pk)}">'
        "Dana Reyes</a>. Open that card to check whether they are one shopper."
    ]


def test_an_email_of_another_persona_warns_on_the_card(owner_a, company_a):
    # Given two personas sharing an email
    other = PersonaFactory(
        company=company_a, first_name="Kim", last_name="Ode", email="kim@example.com"
    )
    persona = PersonaFactory(company=company_a, email="kim@example.com")

    # When staff open the second one's card
    page = owner_a.get(CHANGE.format(persona.pk)).content.decode()

    # Then it says who else has the email, with a link
    assert (
        f'The email kim@example.com already belongs to <a href="{CHANGE.format(other.pk)}">'
        "Kim Ode</a>." in page
    )


def test_a_persona_of_another_company_is_never_named_in_a_warning(owner_a, company_a, company_b):
    # Given a persona of another company with the same phone
    PersonaFactory(company=company_b, first_name="Hidden", phone="+12065550134")

    # When staff of company A save a persona with that phone
    response = owner_a.post(ADD, _form(first_name="Mine", phone_raw="2065550134"), follow=True)

    # Then no warning names the other company's persona
    assert Persona.objects.filter(company=company_a, first_name="Mine").count() == 1
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == []
