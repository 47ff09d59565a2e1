"""An owner reads a shopper's points on the persona card and gives 25 with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LoyaltyAccount
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, PersonaFactory, RetailStoreFactory
from tests.loyalty.factories import DiscountFactory, LoyaltyProgramFactory
from tests.personas.factories import make_sale

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPLANATION = (
    "Sale 1043 at Capitol Hill: $52.30 - $5.20 tax = $47.10 x 1 pt/$ = 47.10, "
    "rounded down = 47; +10 first visit today"
)


@pytest.fixture
def laptop(chromium):
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_an_owner_reads_the_points_and_adds_25(laptop, live_server):
    # given: a member who earned 57 points on a sale at Capitol Hill, later refunded
    membership = MembershipFactory()
    company = membership.company
    store = RetailStoreFactory(company=company, name="Capitol Hill")
    LoyaltyProgramFactory(
        company=company,
        expiration_mode="fifo",
        expiration_days=365,
        expiration_rules_from=datetime(2026, 1, 5, tzinfo=UTC).date(),
    )
    DiscountFactory(company=company, name="$5 off", points_cost=Decimal("50"))
    DiscountFactory(company=company, name="$25 off", points_cost=Decimal("250"))
    persona = PersonaFactory(
        company=company,
        first_name="Marisol",
        last_name="Vega",
        loyalty_enrolled_at=datetime(2026, 3, 3, 18, tzinfo=UTC),
    )
    sold_at = datetime(2026, 11, 20, 20, 5, tzinfo=UTC)
    sale = make_sale(persona, "S-1043", store=store, receipt_number="1043", occurred_at=sold_at)
    award(
        persona,
        57,
        sale=sale,
        occurred_at=sold_at,
        expires_at=sold_at + timedelta(days=365),
        explanation=EXPLANATION,
    )
    award(persona, 10, EntryKind.ADJUST, reason="Welcome gift", occurred_at=sold_at)
    make_sale(
        persona,
        "R-1043",
        store=store,
        receipt_number="1043",
        is_refund=True,
        total=Decimal("-52.30"),
        occurred_at=sold_at + timedelta(days=2),
    )

    # when: the owner logs in and opens the card
    page = laptop
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(membership.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/personas/persona/{persona.pk}/change/")

    # then: the balance, the explanation, the lot's expiry, the discounts and the refund
    section = page.locator("#persona-loyalty")
    expect(section.locator(".points-number")).to_have_text("67")
    expect(section).to_contain_text(EXPLANATION)
    expect(section.get_by_role("table", name="Open lots")).to_contain_text("Nov 20, 2027")
    expect(section.get_by_role("list", name="Discounts")).to_contain_text("Available now")
    expect(section.get_by_role("list", name="Discounts")).to_contain_text(
        "Needs 250 points; has 67"
    )
    expect(section.get_by_role("button", name="Remove 57 points")).to_be_visible()
    expect(section).to_contain_text("This rule applies from Jan 5, 2026")

    # when: the owner adds 25 points with a reason
    form = section.get_by_role("form", name="Adjust points")
    form.get_by_label("Add points").check()
    form.get_by_label("Points", exact=True).fill("25")
    form.get_by_label("Reason").fill("Sorry for the wait")
    form.get_by_role("button", name="Save adjustment").click()

    # then: the new balance, the message and the history row
    expect(page.locator(".messagelist")).to_contain_text(
        "Added 25 points (Sorry for the wait). The balance is now 92."
    )
    expect(section.locator(".points-number")).to_have_text("92")
    expect(section.get_by_role("table", name="Points history")).to_contain_text(
        "Reason: Sorry for the wait"
    )
    assert LoyaltyAccount.objects.get(persona=persona).balance == Decimal("92.00")
    screenshot(page, "persona-loyalty")
