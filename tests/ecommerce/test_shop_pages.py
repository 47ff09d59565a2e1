"""The public online menu: age gate, menu, cart, checkout, the order's page; CSRF, rate
limits, and nothing of another shopper visible."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from ecommerce.choices import MenuCategory
from ecommerce.models import InventoryHold, Order
from ecommerce.orders.choices import OrderStatus
from tests.ecommerce.conftest import enabled_settings
from tests.ecommerce.shop_helpers import cart, make_product, shopper

pytestmark = pytest.mark.django_db

CHECKOUT = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "phone": "(206) 555-0134",
    "date_of_birth": "1990-05-17",
    "fulfillment": "pickup",
}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shop():
    return enabled_settings()


def past_gate(shop, client=None) -> Client:  # type: ignore[no-untyped-def]
    client = client or Client()
    answer = client.post(f"/shop/{shop.shop_slug}/age/", {"answer": "yes"})
    assert answer.status_code == 302
    return client


def with_cart(shop, product, quantity=1, client=None) -> Client:  # type: ignore[no-untyped-def]
    client = past_gate(shop, client)
    client.post(f"/shop/{shop.shop_slug}/cart/add/", {"product": product.pk, "quantity": quantity})
    return client


def test_the_menu_sits_behind_the_age_gate_which_the_session_remembers(shop):
    client = Client()

    first = client.get(f"/shop/{shop.shop_slug}/")
    assert first.status_code == 302 and first["Location"].endswith("/age/")
    gate = client.get(f"/shop/{shop.shop_slug}/age/")
    assert "Are you 21 or older?" in gate.content.decode()

    refused = client.post(f"/shop/{shop.shop_slug}/age/", {"answer": "no"})
    assert refused.status_code == 403
    assert client.get(f"/shop/{shop.shop_slug}/").status_code == 302

    client.post(f"/shop/{shop.shop_slug}/age/", {"answer": "yes"})
    assert client.get(f"/shop/{shop.shop_slug}/").status_code == 200
    # Every page behind it is gated, not only the menu
    assert Client().get(f"/shop/{shop.shop_slug}/checkout/").status_code == 302


def test_a_store_raising_its_minimum_age_asks_again():
    shop = enabled_settings(minimum_age=19)
    client = past_gate(shop)
    shop.minimum_age = 21
    shop.save()

    answer = client.get(f"/shop/{shop.shop_slug}/")

    assert answer.status_code == 302 and answer["Location"].endswith("/age/")


def test_unknown_and_disabled_stores_are_not_found(shop):
    shop.enabled = False
    shop.save()

    assert Client().get(f"/shop/{shop.shop_slug}/age/").status_code == 404
    assert Client().get("/shop/no-such-store/age/").status_code == 404


def test_the_menu_lists_prices_sale_prices_coa_labs_and_availability(shop):
    make_product(
        shop,
        name="Blue Dream 3.5g",
        brand="Fremont Farms",
        price=Decimal("40.00"),
        sale_price=Decimal("32.00"),
        coa_url="https://labs.example.com/coa/123.pdf",
        labs={"THCa": {"value": "24.1", "unit": "%"}, "Limonene": {"value": "0.42", "unit": "%"}},
        in_stock_quantity=Decimal("3"),
    )
    held = make_product(
        shop, name="Gelato Cart", category=MenuCategory.VAPES, in_stock_quantity=Decimal("1")
    )
    make_product(shop, name="Archived Kush", is_archived=True)
    make_product(shop, name="Priceless", price=None)
    from ecommerce.orders.placement import place_order

    place_order(shop, cart((held, 1)), shopper())
    client = past_gate(shop)

    page = client.get(f"/shop/{shop.shop_slug}/").content.decode()

    assert "Blue Dream 3.5g" in page and "Fremont Farms" in page
    assert "<s>$40.00</s>" in page and "$32.00" in page
    assert 'href="https://labs.example.com/coa/123.pdf"' in page
    assert "THCa" in page and "24.1%" in page and "0.42%" in page
    assert "Only 3 left" in page
    # The last vape is held by an order: labelled sold out, not offered
    assert "Gelato Cart" in page and "Sold out" in page
    assert "Archived Kush" not in page and "Priceless" not in page


def test_categories_and_search_narrow_the_menu(shop):
    make_product(shop, name="Blue Dream", category=MenuCategory.FLOWER)
    make_product(shop, name="Mango Gummies", category=MenuCategory.EDIBLES, brand="Wyld")
    client = past_gate(shop)

    edibles = client.get(f"/shop/{shop.shop_slug}/?category=edibles").content.decode()
    search = client.get(f"/shop/{shop.shop_slug}/?q=wyld").content.decode()
    nul = client.get(f"/shop/{shop.shop_slug}/?q=a%00b")

    assert "Mango Gummies" in edibles and "Blue Dream" not in edibles
    assert "Mango Gummies" in search and "Blue Dream" not in search
    assert nul.status_code == 200


def test_the_menu_is_paged_in_stock_first_with_sold_out_products_last(shop):
    # One page more than a page's worth in stock, plus two sold out (one held away, one
    # with no stock): the first page is all in stock, the sold-out ones end the last page.
    from ecommerce.orders.placement import place_order
    from ecommerce.shop.views.menu import PER_PAGE

    for n in range(PER_PAGE + 3):
        make_product(shop, name=f"In stock {n:03d}", in_stock_quantity=Decimal("4"))
    held = make_product(shop, name="Aaa held away", in_stock_quantity=Decimal("1"))
    make_product(shop, name="Aaa none left", in_stock_quantity=Decimal("0"))
    place_order(shop, cart((held, 1)), shopper())
    client = past_gate(shop)

    first = client.get(f"/shop/{shop.shop_slug}/").content.decode()
    second = client.get(f"/shop/{shop.shop_slug}/?page=2").content.decode()
    beyond = client.get(f"/shop/{shop.shop_slug}/?page=99")

    assert first.count('class="product"') == PER_PAGE and "Sold out" not in first
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert second.count('class="product"') == 3 and second.count("Sold out") == 2
    assert second.index("In stock") < second.index("Aaa held away")
    assert beyond.status_code == 200  # the last page, not an error


def test_the_cart_refuses_more_than_is_available_and_updates(shop):
    product = make_product(shop, name="Gelato", in_stock_quantity=Decimal("2"))
    client = with_cart(shop, product, 2)

    answer = client.post(
        f"/shop/{shop.shop_slug}/cart/add/", {"product": product.pk, "quantity": 1}, follow=True
    )
    assert "Only 2 Gelato available." in answer.content.decode()
    cart_page = client.get(f"/shop/{shop.shop_slug}/cart/").content.decode()
    assert 'value="2"' in cart_page and "$60.00" in cart_page

    client.post(f"/shop/{shop.shop_slug}/cart/set/", {"product": product.pk, "quantity": 0})
    assert "Your cart is empty" in client.get(f"/shop/{shop.shop_slug}/cart/").content.decode()
    bad = client.post(f"/shop/{shop.shop_slug}/cart/add/", {"product": "x", "quantity": "lots"})
    assert bad.status_code == 302


def test_checkout_places_a_pending_order_and_shows_only_its_page(shop):
    product = make_product(shop, name="Gelato", in_stock_quantity=Decimal("2"))
    client = with_cart(shop, product, 1)

    answer = client.post(f"/shop/{shop.shop_slug}/checkout/", CHECKOUT)

    order = Order.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/shop/{shop.shop_slug}/orders/{order.access_token}/"
    assert (order.status, order.phone, order.date_of_birth) == (
        OrderStatus.PENDING,
        "+12065550134",
        date(1990, 5, 17),
    )
    assert InventoryHold.objects.get().quantity == Decimal("1")
    page = client.get(answer["Location"])
    body = page.content.decode()
    assert order.reference in body and "Pending" in body and "1 \u00d7 Gelato" in body
    assert "0134" in body and "555" not in body  # the phone is masked
    assert "1990" not in body  # no date of birth
    assert page["Referrer-Policy"] == "same-origin"
    # The cart is empty again, and the menu shows one fewer
    assert "Your cart is empty" in client.get(f"/shop/{shop.shop_slug}/cart/").content.decode()
    menu = client.get(f"/shop/{shop.shop_slug}/").content.decode()
    assert "Only 1 left" in menu
    # This browser finds its order again from the menu; a fresh one sees no link
    assert f'/orders/{order.access_token}/">See your order' in menu
    assert "See your order" not in past_gate(shop).get(f"/shop/{shop.shop_slug}/").content.decode()


def test_another_shopper_sees_nothing_of_an_order(shop):
    product = make_product(shop)
    other_shop = enabled_settings()
    client = with_cart(shop, product)
    client.post(f"/shop/{shop.shop_slug}/checkout/", CHECKOUT)
    order = Order.objects.get()

    stranger = Client()
    guessed = stranger.get(f"/shop/{shop.shop_slug}/orders/{order.uuid}/")
    wrong_store = stranger.get(f"/shop/{other_shop.shop_slug}/orders/{order.access_token}/")
    cancel = stranger.post(f"/shop/{shop.shop_slug}/orders/{order.uuid}/cancel/")

    assert guessed.status_code == 404 and wrong_store.status_code == 404
    assert cancel.status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_the_shopper_may_cancel_while_pending(shop):
    product = make_product(shop)
    client = with_cart(shop, product)
    url = client.post(f"/shop/{shop.shop_slug}/checkout/", CHECKOUT)["Location"]

    answer = client.post(f"{url}cancel/", follow=True)

    assert "Your order is cancelled." in answer.content.decode()
    order = Order.objects.get()
    assert order.status == OrderStatus.CANCELLED
    assert order.events.last().actor == "shopper"
    assert InventoryHold.objects.get().released_at is not None


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"phone": "12"}, "Enter a valid phone number"),
        ({"phone": ""}, "This field is required."),
        ({"date_of_birth": "not a date"}, "Enter your date of birth as YYYY-MM-DD."),
        ({"date_of_birth": "2999-01-01"}, "Enter your real date of birth."),
        ({"first_name": "Ada\x00"}, "invisible control character"),
        ({"fulfillment": "delivery"}, "Address is required for delivery."),
        ({"fulfillment": "teleport"}, "Select a valid choice."),
    ],
)
def test_checkout_names_each_bad_field_and_places_nothing(shop, changes, field_error):
    product = make_product(shop)
    client = with_cart(shop, product)

    answer = client.post(f"/shop/{shop.shop_slug}/checkout/", {**CHECKOUT, **changes})

    assert answer.status_code == 400
    assert field_error in answer.content.decode()
    assert not Order.objects.exists()


def test_checkout_checks_the_stores_minimum_age():
    shop = enabled_settings(minimum_age=21)
    product = make_product(shop)
    client = with_cart(shop, product)
    today = timezone.localdate()
    twenty = date(today.year - 20, 1, 1).isoformat()

    answer = client.post(f"/shop/{shop.shop_slug}/checkout/", {**CHECKOUT, "date_of_birth": twenty})

    assert answer.status_code == 400
    assert "You must be 21 or older to order from this store." in answer.content.decode()
    assert not Order.objects.exists()


def test_checkout_says_when_the_last_unit_went_meanwhile(shop):
    product = make_product(shop, name="Gelato", in_stock_quantity=Decimal("1"))
    client = with_cart(shop, product)
    from ecommerce.orders.placement import place_order

    place_order(shop, cart((product, 1)), shopper(phone="+12065550999"))  # someone else
    answer = client.post(f"/shop/{shop.shop_slug}/checkout/", CHECKOUT)

    assert answer.status_code == 409
    assert "Gelato sold out." in answer.content.decode()
    assert Order.objects.count() == 1


def test_checkout_is_csrf_protected(shop):
    product = make_product(shop)
    client = Client(enforce_csrf_checks=True)
    gate = client.post(f"/shop/{shop.shop_slug}/age/", {"answer": "yes"})
    assert gate.status_code == 403  # no token: refused
    # With the token the gate passes; the checkout without it is refused
    token = client.get(f"/shop/{shop.shop_slug}/age/").context["csrf_token"]
    client.post(f"/shop/{shop.shop_slug}/age/", {"answer": "yes", "csrfmiddlewaretoken": token})
    client.post(
        f"/shop/{shop.shop_slug}/cart/add/",
        {"product": product.pk, "quantity": 1, "csrfmiddlewaretoken": str(token)},
    )
    forged = client.post(f"/shop/{shop.shop_slug}/checkout/", CHECKOUT)

    assert forged.status_code == 403
    assert not Order.objects.exists()
    honest = client.post(
        f"/shop/{shop.shop_slug}/checkout/", {**CHECKOUT, "csrfmiddlewaretoken": str(token)}
    )
    assert honest.status_code == 302 and Order.objects.count() == 1


def test_checkout_is_rate_limited_per_address(settings, shop):
    settings.SHOP_CHECKOUTS_PER_ADDRESS = 2
    product = make_product(shop, in_stock_quantity=Decimal("50"))
    client = past_gate(shop)
    statuses = []
    for index in range(3):
        with_cart(shop, product, client=client)
        phone = f"206555{index:04d}"
        answer = client.post(f"/shop/{shop.shop_slug}/checkout/", {**CHECKOUT, "phone": phone})
        statuses.append(answer.status_code)

    assert statuses == [302, 302, 429]
    assert "Too many orders from this network" in answer.content.decode()
    assert Order.objects.count() == 2
    # Another address is not affected
    other = with_cart(shop, product, client=Client(REMOTE_ADDR="10.0.0.9"))
    assert other.post(f"/shop/{shop.shop_slug}/checkout/", CHECKOUT).status_code == 302


def test_checkout_is_rate_limited_per_phone(settings, shop):
    settings.SHOP_CHECKOUTS_PER_PHONE = 1
    product = make_product(shop, in_stock_quantity=Decimal("50"))
    first = with_cart(shop, product, client=Client(REMOTE_ADDR="10.0.0.1"))
    second = with_cart(shop, product, client=Client(REMOTE_ADDR="10.0.0.2"))

    assert first.post(f"/shop/{shop.shop_slug}/checkout/", CHECKOUT).status_code == 302
    # The same phone, typed differently, from another address
    answer = second.post(
        f"/shop/{shop.shop_slug}/checkout/", {**CHECKOUT, "phone": "+1 206 555 0134"}
    )

    assert answer.status_code == 429
    assert "Too many orders for this phone" in answer.content.decode()
    assert Order.objects.count() == 1
