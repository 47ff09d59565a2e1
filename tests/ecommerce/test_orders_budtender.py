"""A budtender at Menu > Online orders: their stores' orders only, read-only, with the
pickup moves (confirm, checked in, ready for pickup, close) and nothing else: cancelling,
editing lines, deleting and re-sending to Cova are a 403 or not offered. Owners and
managers keep every move."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from aiq.accounts.choices import Role
from ecommerce.models import Order
from ecommerce.orders.choices import OrderStatus
from ecommerce.orders.placement import place_order
from tests.conftest import staff_client
from tests.ecommerce.conftest import enabled_settings
from tests.ecommerce.shop_helpers import cart, make_product, shopper
from tests.factories import MembershipFactory, RetailStoreFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:ecommerce_order_changelist"


def _change(order: Order) -> str:
    return reverse("admin:ecommerce_order_change", args=[order.pk])


def _move(order: Order, status: str) -> str:
    return reverse("admin:ecommerce_order_move", args=[order.pk, status])


def _order(store, last_name: str = "Lovelace", **product_fields) -> Order:  # type: ignore[no-untyped-def]
    shop = getattr(store, "cova_ecommerce", None) or enabled_settings(store=store)
    product = make_product(shop, **product_fields)
    return place_order(shop, cart((product, 1)), shopper(last_name=last_name))


def _budtender(company, stores=()) -> Client:  # type: ignore[no-untyped-def]
    membership = MembershipFactory(company=company, role=Role.BUDTENDER)
    membership.stores.set(stores)
    client = Client()
    client.force_login(membership.user)
    client.user = membership.user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def counter(company_a):  # type: ignore[no-untyped-def]
    return RetailStoreFactory(company=company_a, name="Capitol Hill")


@pytest.fixture
def other_store(company_a):  # type: ignore[no-untyped-def]
    return RetailStoreFactory(company=company_a, name="Ballard")


def test_a_budtender_sees_their_stores_orders_only(company_a, company_b, counter, other_store):
    mine = _order(counter, "Mine")
    elsewhere = _order(other_store, "Elsewhere")
    theirs = _order(RetailStoreFactory(company=company_b), "Theirs")
    budtender = _budtender(company_a, [counter])

    listing = budtender.get(reverse(CHANGELIST)).content.decode()

    assert "Mine" in listing
    assert "Elsewhere" not in listing and "Theirs" not in listing
    assert budtender.get(_change(mine)).status_code == 200
    # another store's order, like another company's, does not exist for them
    for hidden in (elsewhere, theirs):
        assert budtender.get(_change(hidden)).status_code == 404
        assert budtender.post(_move(hidden, OrderStatus.CONFIRMED)).status_code == 404
        hidden.refresh_from_db()
        assert hidden.status == OrderStatus.PENDING


def test_a_budtender_naming_no_store_sees_every_store_of_their_company(
    company_a, company_b, counter, other_store
):
    _order(counter, "Mine")
    _order(other_store, "Elsewhere")
    _order(RetailStoreFactory(company=company_b), "Theirs")

    listing = _budtender(company_a).get(reverse(CHANGELIST)).content.decode()

    assert "Mine" in listing and "Elsewhere" in listing and "Theirs" not in listing


def test_the_store_filter_offers_only_the_budtenders_stores(company_a, counter, other_store):
    third = RetailStoreFactory(company=company_a, name="Fremont")
    for store in (counter, other_store, third):
        _order(store)
    budtender = _budtender(company_a, [counter, third])

    listing = budtender.get(reverse(CHANGELIST)).content.decode()
    one_store = budtender.get(reverse(CHANGELIST), {"store__id__exact": third.pk})

    assert f"store__id__exact={counter.pk}" in listing
    assert f"store__id__exact={third.pk}" in listing
    assert f"store__id__exact={other_store.pk}" not in listing
    assert one_store.status_code == 200
    assert one_store.context["cl"].result_count == 1


def test_a_budtender_moves_a_pickup_from_confirmed_to_closed(company_a, counter):
    order = _order(counter)
    budtender = _budtender(company_a, [counter])

    page = budtender.get(_change(order)).content.decode()
    assert "order-move-confirmed" in page
    assert "order-move-cancelled" not in page  # cancelling is a manager's

    for status in (
        OrderStatus.CONFIRMED,
        OrderStatus.CHECKED_IN,
        OrderStatus.READY_FOR_PICKUP,
        OrderStatus.CLOSED,
    ):
        answer = budtender.post(_move(order, status), follow=True)
        order.refresh_from_db()
        assert order.status == status
        assert f"is now {OrderStatus(status).label.lower()}" in answer.content.decode()

    moves = order.events.filter(kind="status")
    assert {event.actor for event in moves} == {budtender.user.username}
    assert moves.count() == 4


def test_the_close_button_is_not_mistaken_for_leaving_the_page(company_a, counter):
    # Given an order ready for pickup, on the budtender's read-only page, which ends with
    # Django's own "Close" link (back to the list)
    order = _order(counter)
    budtender = _budtender(company_a, [counter])
    for status in (OrderStatus.CONFIRMED, OrderStatus.READY_FOR_PICKUP):
        budtender.post(_move(order, status))

    page = budtender.get(_change(order)).content.decode()

    # Then the button that closes the order says so
    assert 'class="button order-move-closed">Close order</button>' in page


def test_a_budtender_uses_the_confirm_and_advance_actions_but_not_cancel(company_a, counter):
    first, second = _order(counter), _order(counter)
    budtender = _budtender(company_a, [counter])

    listing = budtender.get(reverse(CHANGELIST)).content.decode()
    budtender.post(
        reverse(CHANGELIST),
        {"action": "confirm_selected", "_selected_action": [first.pk, second.pk]},
    )
    budtender.post(
        reverse(CHANGELIST), {"action": "advance_selected", "_selected_action": [first.pk]}
    )
    refused = budtender.post(
        reverse(CHANGELIST), {"action": "cancel_selected", "_selected_action": [second.pk]}
    )

    assert "confirm_selected" in listing and "advance_selected" in listing
    assert "cancel_selected" not in listing and "push_again_selected" not in listing
    assert refused.status_code in (200, 302)  # Django answers "No action selected."
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (OrderStatus.CHECKED_IN, OrderStatus.CONFIRMED)


def test_a_budtender_may_not_cancel_delete_or_edit_lines(company_a, counter):
    order = _order(counter, in_stock_quantity=Decimal("3"), price=Decimal("10.00"))
    line = order.lines.get()
    budtender = _budtender(company_a, [counter])
    edit = {
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

    page = budtender.get(_change(order)).content.decode()
    cancel = budtender.post(_move(order, OrderStatus.CANCELLED))
    unknown = budtender.post(_move(order, "shipped"), follow=True)
    edited = budtender.post(_change(order), edit)
    delete = budtender.get(reverse("admin:ecommerce_order_delete", args=[order.pk]))
    add = budtender.get(reverse("admin:ecommerce_order_add"))

    assert 'name="lines-0-quantity"' not in page  # read-only for them
    assert cancel.status_code == 403
    assert "No such status." in unknown.content.decode()
    assert (edited.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    order.refresh_from_db()
    line.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert (line.quantity, order.total) == (1, Decimal("10.00"))
    assert Order.objects.count() == 1


def test_a_marketer_neither_sees_nor_moves_orders(company_a, counter):
    order = _order(counter)
    marketer = staff_client(company_a, Role.MARKETER)

    assert marketer.get(reverse(CHANGELIST)).status_code == 403
    assert marketer.post(_move(order, OrderStatus.CONFIRMED)).status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
def test_owners_and_managers_keep_every_store_and_every_move(company_a, counter, other_store, role):
    _order(counter, "Mine")
    elsewhere = _order(other_store, "Elsewhere")
    # a store named on their membership limits budtenders only
    membership = MembershipFactory(company=company_a, role=role)
    membership.stores.set([counter])
    client = Client()
    client.force_login(membership.user)

    listing = client.get(reverse(CHANGELIST)).content.decode()
    page = client.get(_change(elsewhere)).content.decode()
    client.post(_move(elsewhere, OrderStatus.CANCELLED))

    assert "Mine" in listing and "Elsewhere" in listing
    assert "order-move-cancelled" in page and 'name="lines-0-quantity"' in page
    assert "cancel_selected" in listing and "push_again_selected" in listing
    elsewhere.refresh_from_db()
    assert elsewhere.status == OrderStatus.CANCELLED
