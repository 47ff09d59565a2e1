"""Enrollment on the screens: the card's "purchased after" preview and the persona card's
"Enroll in loyalty" button, by role and company."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from aiq.accounts.choices import Role
from aiq.personas.choices import EnrollmentRoute
from aiq.personas.models import Persona
from loyalty.enrollment.models import Enrollment
from tests.conftest import staff_client
from tests.factories import PersonaFactory
from tests.integrations.factories import IntegrationFactory
from tests.personas.factories import make_sale

pytestmark = pytest.mark.django_db

AFTER = datetime(2026, 1, 5, 12, tzinfo=UTC)
CARDS = "/admin/integrations/integration/"
PERSONAS = "/admin/personas/persona/"


def buyers(company, count: int) -> list[Persona]:  # type: ignore[no-untyped-def]
    people = []
    for _ in range(count):
        persona = PersonaFactory(company=company)
        make_sale(persona, f"s-{persona.pk}", occurred_at=AFTER)
        people.append(persona)
    return people


def test_saving_the_date_first_shows_how_many_it_will_enroll_then_enrolls_them(owner_a, company_a):
    # given a Cova card and three buyers since Jan 1
    card = IntegrationFactory(company=company_a, provider="cova")
    buyers(company_a, 3)

    # when staff set the date, the first save only previews
    first = owner_a.post(f"{CARDS}{card.pk}/change/", {"enroll_loyalty_after": "2026-01-01"})

    assert first.status_code == 200
    error = first.context["adminform"].form.errors["enroll_loyalty_after"][0]
    assert "This will enroll 3 personas who purchased at Cova on or after" in error
    card.refresh_from_db()
    assert card.enroll_loyalty_after is None
    assert Persona.objects.filter(loyalty_enrolled_at__isnull=False).count() == 0

    # when they confirm, then the same three are enrolled
    second = owner_a.post(
        f"{CARDS}{card.pk}/change/",
        {"enroll_loyalty_after": "2026-01-01", "confirm_warnings": "on"},
    )

    assert second.status_code == 302
    card.refresh_from_db()
    assert card.enroll_loyalty_after == date(2026, 1, 1)
    assert Enrollment.objects.filter(route=EnrollmentRoute.PURCHASED_AFTER).count() == 3


def test_the_preview_counts_in_thousands_with_a_separator(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="cova")
    persona = PersonaFactory(company=company_a)
    make_sale(persona, "only", occurred_at=AFTER)

    response = owner_a.post(f"{CARDS}{card.pk}/change/", {"enroll_loyalty_after": "2026-01-01"})

    error = response.context["adminform"].form.errors["enroll_loyalty_after"][0]
    assert "This will enroll 1 persona who purchased" in error


def test_removing_the_date_asks_nothing_and_keeps_members(owner_a, company_a):
    card = IntegrationFactory(
        company=company_a, provider="cova", enroll_loyalty_after=date(2026, 1, 1)
    )
    (member,) = buyers(company_a, 1)
    Persona.objects.filter(pk=member.pk).update(
        loyalty_enrolled_at=AFTER, loyalty_enrollment_route=EnrollmentRoute.PURCHASED_AFTER
    )

    response = owner_a.post(f"{CARDS}{card.pk}/change/", {"enroll_loyalty_after": ""})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.loyalty_enrolled_at == AFTER


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.MARKETER, Role.BUDTENDER])
def test_staff_who_sign_shoppers_up_enroll_from_the_persona_card(company_a, role):
    client = staff_client(company_a, role)
    persona = PersonaFactory(company=company_a)

    # the card offers the button to a shopper not yet enrolled
    page = client.get(f"{PERSONAS}{persona.pk}/change/").content.decode()
    assert "Enroll in loyalty" in page

    response = client.post(f"{PERSONAS}{persona.pk}/enroll-in-loyalty/")

    assert response.status_code == 302
    persona.refresh_from_db()
    assert persona.loyalty_enrollment_route == EnrollmentRoute.STAFF
    assert persona.loyalty_enrolled_at is not None
    assert Enrollment.objects.get(persona=persona).staff_user == client.user
    # and a member's card no longer offers it
    assert "Enroll in loyalty" not in client.get(f"{PERSONAS}{persona.pk}/change/").content.decode()


def test_enrolling_twice_changes_nothing(owner_a, company_a):
    persona = PersonaFactory(company=company_a)
    owner_a.post(f"{PERSONAS}{persona.pk}/enroll-in-loyalty/")
    persona.refresh_from_db()
    first = persona.loyalty_enrolled_at

    response = owner_a.post(f"{PERSONAS}{persona.pk}/enroll-in-loyalty/", follow=True)

    assert "was already a loyalty member" in response.content.decode()
    persona.refresh_from_db()
    assert persona.loyalty_enrolled_at == first
    assert Enrollment.objects.count() == 1


def test_another_companys_persona_cannot_be_enrolled(owner_a, company_b):
    persona = PersonaFactory(company=company_b)

    response = owner_a.post(f"{PERSONAS}{persona.pk}/enroll-in-loyalty/")

    assert response.status_code == 404
    persona.refresh_from_db()
    assert persona.loyalty_enrolled_at is None
    assert Enrollment.objects.count() == 0


def test_enrolling_needs_a_post(owner_a, company_a):
    persona = PersonaFactory(company=company_a)

    response = owner_a.get(f"{PERSONAS}{persona.pk}/enroll-in-loyalty/")

    assert response.status_code == 405
    persona.refresh_from_db()
    assert persona.loyalty_enrolled_at is None
