"""A control character typed into the persona form is a form error naming the field: a NUL
in the custom brand traits was a 500 on PostgreSQL (it cannot be stored in JSON there)."""

from __future__ import annotations

import pytest

from tests.factories import PersonaFactory
from tests.personas.test_persona_form import CHANGE, _form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "label", "typed", "character"),
    [
        ("brand_traits", "Custom brand traits", "Tier: Gold\x00", "NUL"),
        ("brand_traits", "Custom brand traits", "Ti\x00er: Gold", "NUL"),
        ("first_name", "First name", "Ava\x00", "NUL"),
        ("city", "City", "Sea\x07ttle", "U+0007"),
    ],
)
def test_a_control_character_is_a_form_error_naming_the_field(
    owner_a, company_a, field, label, typed, character
):
    # given: a persona
    persona = PersonaFactory(company=company_a, first_name="Ava", city="", brand_traits={})

    # when: staff save it with an invisible control character in one field
    response = owner_a.post(CHANGE.format(persona.pk), _form(persona, **{field: typed}))

    # then: that field says why, and nothing changed
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {
        field: [
            f"{label} contains an invisible control character ({character}). "
            "Remove it, or type the value again."
        ]
    }
    persona.refresh_from_db()
    assert (persona.first_name, persona.city, persona.brand_traits) == ("Ava", "", {})
