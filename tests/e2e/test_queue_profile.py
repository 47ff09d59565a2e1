"""The budtender opens a shopper's profile from the queue, signs a non-member up (the
button turns into the red Enrolled) and redeems a discount for a member (the wallet shows
the hold, the page says what to apply in the POS). Screenshots at 768 and 390 px."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from aiq.accounts.choices import Role
from loyalty.program.models import LoyaltyProgram
from stores.queue.choices import CheckInDoor
from stores.queue.services import Arrival, check_in
from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.factories import PASSWORD, MembershipFactory, RetailStoreFactory
from tests.queue.shopper_support import buy, discount_of, member_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENROLLED_RED = "rgb(186, 33, 33)"


def test_budtender_signs_up_and_redeems_from_the_queue(chromium, live_server):
    # given a store taking check-ins, a budtender allowed the queue, and two shoppers
    # waiting: Ada (not a member) and Rosa (a member with 500 points and some history)
    budtender = MembershipFactory(role=Role.BUDTENDER)
    company = budtender.company
    store = RetailStoreFactory(company=company, name="Capitol Hill", opt_in_queue_enabled=True)
    LoyaltyProgram.objects.create(company=company, budtender_can_see_queue=True, enabled=True)
    rosa = member_with(company, 500)
    rosa.first_name, rosa.last_name = "Rosa", "Parks"
    rosa.save()
    discount_of(company, 400, "40", name="$40 off", pos_discount_id="AIQ-40")
    discount_of(company, 100, "5", name="$5 off", pos_discount_id="AIQ-5")
    buy(rosa, store, [("Blue Dream 3.5g", "Flower", "35.00"), ("Mango Gummies", "Edibles", "20")])
    buy(rosa, store, [("Blue Dream 3.5g", "Flower", "35.00")], days_ago=8)
    buy(rosa, store, [("Live Resin Cart 1g", "Vapes", "45.00")], days_ago=20)
    check_in(store, Arrival(name="Ada Lovelace", phone="(206) 555-0142"), CheckInDoor.WALK_IN)
    check_in(store, Arrival(phone=rosa.phone), CheckInDoor.CHECK_IN_PAGE)

    context = chromium.new_context(viewport={"width": 768, "height": 1024})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/admin/login/")
        page.get_by_label("Username").fill(budtender.user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

        # the wallet search on the queue page finds a shopper by the last four of the phone
        page.get_by_label("Wallet search").fill("0142")
        page.get_by_role("button", name="Search").click()
        expect(page.locator(".shopper-results")).to_contain_text("Ada Lovelace")
        page.get_by_role("link", name="Waiting-room queue").click()

        # when the budtender opens Ada's profile from her row and signs her up, with consent
        ada_row = page.locator(".queue-row", has_text="Ada Lovelace")
        ada_row.get_by_role("link", name="Signup").click()
        expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
        page.get_by_label("Yes, text me loyalty offers from Capitol Hill", exact=False).check()
        page.get_by_role("button", name="Sign up Ada").click()

        # then her button is the red Enrolled, here and on the queue
        status = page.locator("#loyalty-status")
        expect(status).to_have_text("Enrolled")
        expect(status).to_have_css("background-color", ENROLLED_RED)
        expect(page.locator("#consent-sms")).to_have_text("Double opt-in pending")
        page.get_by_role("link", name="Waiting-room queue").click()
        ada_row = page.locator(".queue-row", has_text="Ada Lovelace")
        expect(ada_row.get_by_role("link", name="Enrolled")).to_be_visible()

        # when they open Rosa's profile from the queue
        page.locator(".queue-row", has_text="Rosa Parks").get_by_role(
            "link", name="Enrolled"
        ).click()
        expect(page.get_by_role("heading", name="Rosa Parks")).to_be_visible()
        expect(page.locator("#wallet-points")).to_have_text("500")
        expect(page.locator("#preferences")).to_contain_text("Flower")
        expect(page.locator("#orders")).to_contain_text("Live Resin Cart 1g")
        screenshot(page, "queue-profile-768")

        # and redeem $40 off for her
        page.get_by_role("button", name="Redeem $40 off").click()

        # then the wallet shows the hold and the page says what to apply in the POS
        expect(page.locator("#wallet-on-hold")).to_have_text("400")
        expect(page.locator("#wallet-points")).to_have_text("100")
        apply = page.locator("#apply-in-pos")
        expect(apply).to_contain_text("$40 off")
        expect(apply).to_contain_text("$40.00 off")
        expect(apply.locator(".apply-pos-id")).to_have_text("AIQ-40")
        expect(apply.locator(".apply-expiry")).to_contain_text("left")
        screenshot(page, "queue-redeem-768")

        # a second discount for the same order is refused
        page.get_by_role("button", name="Redeem $5 off").click()
        expect(page.get_by_text("at most one per order")).to_be_visible()
        expect(page.locator("#wallet-on-hold")).to_have_text("400")

        # and on a phone the page fits, its buttons real touch targets
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot(page, "queue-profile-390")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for name in ("Release the hold", "Redeem $5 off"):
            box = page.get_by_role("button", name=name).bounding_box()
            assert box is not None and box["height"] >= 44, name
    finally:
        context.close()
    rosa.refresh_from_db()
    assert rosa.loyalty_account.on_hold == Decimal("400")
    for name in ("queue-profile-768", "queue-profile-390", "queue-redeem-768"):
        assert (ARTIFACTS / f"{name}.png").exists()
