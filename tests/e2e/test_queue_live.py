"""A shopper checks in on the door tablet; the budtender's open queue shows them within
two seconds, without a reload. Screenshots at tablet (768 px) and phone (390 px) widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aiq.accounts.choices import Role
from loyalty.program.models import LoyaltyProgram
from stores.queue.services import queue_of
from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.factories import PASSWORD, MembershipFactory, RetailStoreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_check_in_at_the_door_appears_on_the_budtenders_queue(chromium, live_server):
    # given a store taking check-ins and a budtender allowed to see its queue
    budtender = MembershipFactory(role=Role.BUDTENDER)
    company = budtender.company
    store = RetailStoreFactory(company=company, name="Capitol Hill", opt_in_queue_enabled=True)
    LoyaltyProgram.objects.create(company=company, budtender_can_see_queue=True)
    door_url = f"{live_server.url}/queue/check-in/{queue_of(store).check_in_token}/"

    counter = chromium.new_context(viewport={"width": 768, "height": 1024})
    door = chromium.new_context(viewport={"width": 768, "height": 1024})
    try:
        queue_page = counter.new_page()
        queue_page.goto(f"{live_server.url}/admin/login/")
        queue_page.get_by_label("Username").fill(budtender.user.username)
        queue_page.get_by_label("Password").fill(PASSWORD)
        queue_page.get_by_role("button", name="Log in").click()
        # the budtender lands on the queue
        expect(queue_page.get_by_text("Nobody is waiting.")).to_be_visible()

        # when a shopper checks in at the door, in another browser context
        tablet = door.new_page()
        tablet.goto(door_url)
        tablet.get_by_label("Mobile phone").fill("(206) 555-0142")
        tablet.get_by_label("Your name").fill("Ada Lovelace")
        tablet.get_by_label("Join our loyalty program").check()
        tablet.get_by_label("I am 21 or older.").check()
        screenshot(tablet, "queue-check-in-768")
        tablet.get_by_role("button", name="Check in").click()
        expect(tablet.get_by_text("You're checked in.")).to_be_visible()

        # then the open queue shows them within two seconds, without a reload
        row = queue_page.locator(".queue-row", has_text="Ada Lovelace")
        expect(row).to_be_visible(timeout=2_000)
        expect(row.get_by_role("link", name="Enrolled")).to_be_visible()
        screenshot(queue_page, "queue-page-768")

        # the budtender starts serving them; the row says so
        row.get_by_role("button", name="Serve").click()
        expect(queue_page.locator(".queue-row", has_text="Being served")).to_be_visible()

        # and the page works on a phone: every button is a real touch target
        queue_page.set_viewport_size({"width": 390, "height": 844})
        tablet.set_viewport_size({"width": 390, "height": 844})
        tablet.goto(door_url)
        screenshot(tablet, "queue-check-in-390")
        screenshot(queue_page, "queue-page-390")
        box = queue_page.get_by_role("button", name="Done").bounding_box()
        assert box is not None and box["height"] >= 44
        width = queue_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
    finally:
        counter.close()
        door.close()
    assert (ARTIFACTS / "queue-page-390.png").exists()
