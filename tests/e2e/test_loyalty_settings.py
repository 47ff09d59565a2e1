"""An owner sets up loyalty by the help articles' words: from the dashboard to Settings >
Loyalty, points per $100, Save settings, the history row; then Loyalty > Discounts."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from loyalty.discounts.models import Discount
from loyalty.program.models import LoyaltyProgram
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, RetailStoreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_sets_points_per_100_and_adds_a_discount(page, live_server):
    membership = MembershipFactory()
    RetailStoreFactory(company=membership.company, name="Capitol Hill")
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(membership.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # Dashboard > Settings > Loyalty
    loyalty = page.locator("#group-loyalty")
    loyalty.get_by_role("link", name="Loyalty", exact=True).first.click()
    expect(page.get_by_role("heading", name="Loyalty settings")).to_be_visible()
    expect(page.locator(".breadcrumbs")).to_contain_text(
        re.compile("Home \u203a Settings \u203a Loyalty")
    )

    # Enable loyalty, 5 points per $100: per $1 follows as the owner types
    page.get_by_label("Enable loyalty points").check()
    page.get_by_label("Points per $100 spent").fill("5")
    expect(page.get_by_label("Points per $1 spent")).to_have_value("0.05")
    page.get_by_role("button", name="Save settings").click()

    expect(page.locator(".messagelist")).to_contain_text("Loyalty settings saved.")
    history = page.locator("#loyalty-history")
    expect(history).to_contain_text("Program created")
    expect(history).to_contain_text(
        "Points per $1 spent: 1 (per $100: 100) \u2192 0.05 (per $100: 5)"
    )
    expect(history).to_contain_text(membership.user.username)
    program = LoyaltyProgram.objects.get(company=membership.company)
    assert program.points_per_dollar == Decimal("0.05") and program.enabled
    screenshot(page, "loyalty-settings")

    # Loyalty > Discounts: add one
    page.locator("#content").get_by_role("link", name="Discounts").first.click()
    page.get_by_role("link", name=re.compile("Add discount", re.I)).click()
    page.get_by_label("Name").fill("$40 off")
    page.get_by_label("Flat $ off the cart").check()
    page.get_by_label("Value").fill("40")
    page.get_by_label("Points required").fill("400")
    page.get_by_label("Capitol Hill").check()
    screenshot(page, "loyalty-discount-add")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator("#result_list")).to_contain_text("$40.00 off")
    expect(page.locator("#result_list")).to_contain_text("Capitol Hill")
    discount = Discount.objects.get(company=membership.company)
    assert (discount.name, discount.points_cost) == ("$40 off", Decimal("400"))
    screenshot(page, "loyalty-discounts")
