"""The VIP badge as a budtender sees it: beside a top spender's name, with the reason on
hover, and not beside an ordinary shopper's. Screenshot at tablet width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aiq.accounts.choices import Role
from loyalty.program.models import LoyaltyProgram
from stores.queue.services import queue_of
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, PersonaFactory, RetailStoreFactory
from tests.queue.test_vip import spender, waiting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_top_spender_shows_a_vip_badge_on_the_queue(chromium, live_server):
    budtender = MembershipFactory(role=Role.BUDTENDER)
    company = budtender.company
    store = RetailStoreFactory(company=company, name="Capitol Hill", opt_in_queue_enabled=True)
    queue_of(store)
    LoyaltyProgram.objects.create(company=company, budtender_can_see_queue=True)
    for amount in ("15", "25", "35", "45", "55", "65", "75", "85"):
        spender(company, amount)
    waiting(store, spender(company, "1250.00"), "Grace Hopper")
    waiting(store, spender(company, "40.00"), "Alan Turing")
    waiting(store, PersonaFactory(company=company), "Katherine Johnson")

    context = chromium.new_context(viewport={"width": 768, "height": 1024})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.get_by_label("Username").fill(budtender.user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

        badge = page.locator(".queue-row", has_text="Grace Hopper").locator(".queue-vip")
        expect(badge).to_have_text("VIP")
        expect(badge).to_have_attribute(
            "title",
            "Top 10% of this company's spenders: "
            "lifetime spend of $1,250.00 or more (refunds "
            "subtracted, all stores).",
        )
        expect(
            page.locator(".queue-row", has_text="Alan Turing").locator(".queue-vip")
        ).to_have_count(0)
        expect(page.locator(".queue-vip")).to_have_count(1)
        screenshot(page, "queue-vip-768")
    finally:
        context.close()
