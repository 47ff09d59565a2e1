"""Menu > Online orders: tenant-scoped, status buttons and actions call the service, the
timeline shows, pending quantities are editable; the settings screen has the shop's options."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from ecommerce.models import InventoryHold, Order
from ecommerce.orders.choices import HoldReleaseReason, OrderStatus
from ecommerce.orders.placement import place_order
from tests.ecommerce.conftest import enabled_settings
from tests.ecommerce.shop_helpers import cart, make_product, shopper
from tests.factories import RetailStoreFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:ecommerce_order_changelist"


def _order(company, **product_fields):  # type: ignore[no-untyped-def]
    shop = enabled_settings(store=RetailStoreFactory(company=company))
    product = make_product(shop, **product_fields)
    return place_order(shop, cart((product, 1)), shopper())


def test_staff_see_only_their_companys_orders(owner_a, company_a, company_b):
    mine = _order(company_a)
    theirs = _order(company_b)

    listing = owner_a.get(reverse(CHANGELIST))
    other = owner_a.get(reverse("admin:ecommerce_order_change", args=[theirs.pk]))
    move = owner_a.post(reverse("admin:ecommerce_order_move", args=[theirs.pk, "confirmed"]))

    assert listing.status_code == 200
    assert mine.reference in listing.content.decode()
    assert theirs.reference not in listing.content.decode()
    assert other.status_code == 404 and move.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.PENDING


def test_the_change_screen_shows_lines_timeline_and_the_allowed_buttons(owner_a, company_a):
    order = _order(company_a, name="Blue Dream")

    page = owner_a.get(reverse("admin:ecommerce_order_change", args=[order.pk])).content.decode()

    assert "Blue Dream" in page and "Timeline" in page and "Placed" in page
    assert "order-move-confirmed" in page and "order-move-cancelled" in page
    assert "order-move-closed" not in page  # a pending order cannot close


def test_the_confirm_button_confirms_and_records_who(owner_a, company_a):
    order = _order(company_a)

    answer = owner_a.post(
        reverse("admin:ecommerce_order_move", args=[order.pk, "confirmed"]), follow=True
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert f"Order {order.reference} is now confirmed." in answer.content.decode()
    assert order.events.last().actor == owner_a.user.username
    # A move the reference does not allow is refused in words, not a 500
    refused = owner_a.post(
        reverse("admin:ecommerce_order_move", args=[order.pk, "pending"]), follow=True
    )
    assert "cannot become pending" in refused.content.decode()
    assert (
        owner_a.get(reverse("admin:ecommerce_order_move", args=[order.pk, "closed"])).status_code
        == 405
    )


def test_actions_confirm_advance_and_cancel_with_counts(owner_a, company_a):
    first, second = _order(company_a), _order(company_a)

    confirmed = owner_a.post(
        reverse(CHANGELIST),
        {"action": "confirm_selected", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    owner_a.post(
        reverse(CHANGELIST), {"action": "advance_selected", "_selected_action": [first.pk]}
    )
    cancelled = owner_a.post(
        reverse(CHANGELIST),
        {"action": "cancel_selected", "_selected_action": [second.pk]},
        follow=True,
    )

    assert "2 orders confirmed." in confirmed.content.decode()
    assert "1 order cancelled." in cancelled.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (OrderStatus.CHECKED_IN, OrderStatus.CANCELLED)
    assert InventoryHold.objects.get(order=second).release_reason == HoldReleaseReason.CANCELLED


def test_a_pending_orders_quantity_is_edited_through_the_service(owner_a, company_a):
    order = _order(company_a, in_stock_quantity=Decimal("3"), price=Decimal("10.00"))
    line = order.lines.get()
    url = reverse("admin:ecommerce_order_change", args=[order.pk])
    data = {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-0-id": line.pk,
        "lines-0-order": order.pk,
        "lines-0-quantity": "3",
        "events-TOTAL_FORMS": "1",
        "events-INITIAL_FORMS": "1",
        "events-0-id": order.events.get().pk,
        "events-0-order": order.pk,
    }

    answer = owner_a.post(url, data)

    assert answer.status_code == 302
    order.refresh_from_db()
    assert order.total == Decimal("30.00")
    assert InventoryHold.objects.get().quantity == Decimal("3")
    assert order.events.filter(kind="edited").exists()


def test_no_one_adds_or_deletes_orders_by_hand(owner_a, company_a):
    order = _order(company_a)

    assert owner_a.get(reverse("admin:ecommerce_order_add")).status_code == 403
    assert owner_a.get(reverse("admin:ecommerce_order_delete", args=[order.pk])).status_code == 403
    assert Order.objects.count() == 1


def test_online_orders_sit_in_the_menu_navigation(owner_a):
    page = owner_a.get(reverse("admin:hub_section", args=["menu"])).content.decode()

    assert "Online orders" in page and reverse(CHANGELIST) in page


def test_the_products_and_settings_screens_link_to_the_online_menu(owner_a, company_a):
    shop = enabled_settings(store=RetailStoreFactory(company=company_a, name="Capitol Hill"))

    products = owner_a.get(reverse("admin:ecommerce_menuproduct_changelist")).content.decode()
    settings_page = owner_a.get(
        reverse("admin:ecommerce_covaecommercesettings_change", args=[shop.pk])
    ).content.decode()
    store_page = owner_a.get(
        reverse("admin:stores_retailstore_change", args=[shop.store_id])
    ).content.decode()

    assert shop.shop_slug == "capitol-hill"
    assert 'href="/shop/capitol-hill/"' in products
    assert "Online menu: Capitol Hill" in products
    assert "/shop/capitol-hill/" in settings_page and "Auto-confirm online orders" in settings_page
    assert 'href="/shop/capitol-hill/"' in store_page
