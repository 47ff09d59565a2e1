"""A shopper passes the age gate, adds to the cart, checks out, and the menu's
availability drops; staff confirm the order in the admin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from ecommerce.choices import MenuCategory
from ecommerce.models import InventoryHold, Order
from ecommerce.orders.choices import OrderStatus
from tests.e2e.conftest import screenshot
from tests.ecommerce.conftest import enabled_settings
from tests.ecommerce.shop_helpers import make_product
from tests.factories import PASSWORD, MembershipFactory, RetailStoreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_shopper_orders_and_the_menu_holds_the_units(live_server, page):
    cache.clear()
    membership = MembershipFactory()
    store = RetailStoreFactory(
        company=membership.company,
        name="Capitol Hill",
        address_line1="1520 Pike St",
        city="Seattle",
    )
    shop = enabled_settings(store=store)
    gelato = make_product(
        shop,
        name="Gelato #41 3.5g",
        brand="Fremont Farms",
        price=Decimal("45.00"),
        sale_price=Decimal("36.00"),
        in_stock_quantity=Decimal("3"),
        coa_url="https://labs.example.com/coa/gelato.pdf",
        labs={"THCa": {"value": "27.4", "unit": "%"}, "Limonene": {"value": "0.61", "unit": "%"}},
    )
    make_product(
        shop,
        name="Mango Gummies 100mg",
        brand="Wyld",
        category=MenuCategory.EDIBLES,
        price=Decimal("18.00"),
    )
    make_product(
        shop, name="Blue Dream Cart 1g", category=MenuCategory.VAPES, in_stock_quantity=Decimal("0")
    )
    menu_url = f"{live_server.url}/shop/{shop.shop_slug}/"

    # The age gate comes first
    page.goto(menu_url)
    expect(page.get_by_role("heading", name="Are you 21 or older?")).to_be_visible()
    screenshot(page, "shop-age-gate")
    page.get_by_role("button", name="Yes, I am 21 or older").click()

    card = page.locator(f'[data-product="{gelato.pk}"]')
    expect(card.get_by_text("Only 3 left")).to_be_visible()
    expect(card.get_by_role("link", name="Certificate of analysis (COA)")).to_be_visible()
    expect(page.get_by_text("Sold out")).to_be_visible()
    screenshot(page, "shop-menu")

    card.get_by_label("Qty").select_option("2")
    card.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added 2 of Gelato #41 3.5g to your cart.")).to_be_visible()
    expect(page.locator("#cart-count")).to_have_text("2")
    page.get_by_role("link", name="Cart").click()
    expect(page.get_by_text("$72.00").first).to_be_visible()
    screenshot(page, "shop-cart")

    page.get_by_role("link", name="Check out").click()
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Phone").fill("12")
    page.get_by_label("Date of birth").fill("2015-01-01")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_text("Enter a valid phone number")).to_be_visible()
    expect(page.get_by_text("You must be 21 or older to order from this store.")).to_be_visible()
    screenshot(page, "shop-checkout-errors")
    assert not Order.objects.exists()

    page.get_by_label("Phone").fill("(206) 555-0134")
    page.get_by_label("Date of birth").fill("1990-05-17")
    page.get_by_role("button", name="Place order").click()
    order = Order.objects.get()
    expect(page.get_by_role("heading", name=f"Order {order.reference}")).to_be_visible()
    expect(page.get_by_text("Pending", exact=True)).to_be_visible()
    screenshot(page, "shop-order-placed")
    assert order.phone == "+12065550134" and order.total == Decimal("72.00")
    assert sum(hold.quantity for hold in InventoryHold.objects.all()) == Decimal("2")

    # The menu now offers only what is left
    page.goto(menu_url)
    expect(page.locator(f'[data-product="{gelato.pk}"]').get_by_text("Only 1 left")).to_be_visible()

    # On a phone
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "shop-menu-mobile")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Staff confirm it in the admin
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(membership.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/ecommerce/order/")
    page.get_by_role("link", name=order.reference).click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text(f"Order {order.reference} is now confirmed.")).to_be_visible()
    screenshot(page, "shop-admin-order")
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
