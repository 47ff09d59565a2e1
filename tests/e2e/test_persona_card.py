"""A manager opens a persona card on a 1366 px laptop and reads it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from aiq.personas.choices import Consent, EnrollmentRoute, Source
from tests.e2e.conftest import screenshot
from tests.factories import (
    PASSWORD,
    IdentityFactory,
    MembershipFactory,
    PersonaFactory,
    RetailStoreFactory,
)
from tests.personas.factories import add_line, make_sale

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def laptop(chromium):
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_manager_reads_the_persona_card(laptop, live_server):
    # given: a loyalty member known to Cova twice and to a signup form, with three purchases
    membership = MembershipFactory()
    company = membership.company
    capitol = RetailStoreFactory(company=company, name="Capitol Hill")
    queen = RetailStoreFactory(company=company, name="Queen West", time_zone="America/Toronto")
    persona = PersonaFactory(
        company=company,
        first_name="Marisol",
        last_name="Vega",
        email="marisol.vega@example.com",
        phone="+12065550134",
        phone_raw="206.555.0134",
        favorite_store=capitol,
        sms_consent=Consent.OPTED_IN,
        loyalty_enrolled_at=datetime(2026, 3, 3, 18, tzinfo=UTC),
        loyalty_enrollment_route=EnrollmentRoute.POS,
        brand_traits={"CovaPricingGroup": "VIP"},
    )
    IdentityFactory(persona=persona, source=Source.COVA, external_id="cova-881")
    IdentityFactory(persona=persona, source=Source.COVA, external_id="cova-1204")
    IdentityFactory(persona=persona, source=Source.SIGNUP_FORM, external_id="form-17")
    first = make_sale(persona, "S-1001", store=capitol)
    add_line(first, 0, "Blue Dream 3.5g", "1", "38.00")
    add_line(first, 1, "Pre-roll 1g", "2", "10.00")
    second = make_sale(
        persona,
        "S-1002",
        store=queen,
        occurred_at=datetime(2026, 11, 24, 1, 30, tzinfo=UTC),
        payments=[{"method": "Credit", "amount": "27.50"}],
    )
    add_line(second, 0, "Gummies 10-pack", "1", "27.50")
    make_sale(
        persona,
        "S-1003",
        store=None,
        pos_key="L9",
        occurred_at=datetime(2026, 10, 2, 17, tzinfo=UTC),
    )

    # when: the manager logs in and opens the card
    laptop.goto(f"{live_server.url}/admin/login/")
    laptop.get_by_label("Username").fill(membership.user.username)
    laptop.get_by_label("Password").fill(PASSWORD)
    laptop.get_by_role("button", name="Log in").click()
    laptop.goto(f"{live_server.url}/admin/personas/persona/{persona.pk}/change/")

    # then: the header reads like a card, sources once with counts
    card = laptop.get_by_role("region", name="Persona card")
    expect(card.locator(".persona-phone")).to_have_text("+1 206-555-0134")
    expect(card.locator(".persona-sources")).to_have_text("Cova (2), Signup form")
    expect(card.locator(".persona-pos-member-since")).to_contain_text("(Cova)")
    purchases = laptop.get_by_role("table", name="Recent purchases")
    expect(purchases).to_contain_text("Nov 23, 2026 8:30 PM EST")
    expect(purchases).to_contain_text("Cash $40.00, Debit $12.30")
    # and the form waits behind "Edit", nothing wider than the screen
    expect(laptop.get_by_label("First name")).to_be_hidden()
    width = laptop.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366
    screenshot(laptop, "persona-card")

    laptop.get_by_text("Edit", exact=True).click()
    expect(laptop.get_by_role("textbox", name="Custom brand traits")).to_have_value(
        "CovaPricingGroup: VIP"
    )
    screenshot(laptop, "persona-card-edit")

    laptop.goto(f"{live_server.url}/admin/personas/sale/")
    expect(laptop.locator("#result_list")).to_contain_text("Nov 23, 2026 8:30 PM EST")
    assert laptop.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot(laptop, "sales-list")
