from __future__ import annotations

import html

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aiq.accounts.choices import Role
from loyalty.program.models import LoyaltyProgram
from stores.queue.access import HIDDEN_FROM_BUDTENDERS
from stores.queue.choices import CheckInDoor, QueueState
from stores.queue.models import CheckIn
from stores.queue.services import Arrival, check_in, queue_of
from tests.conftest import staff_client
from tests.factories import PASSWORD, MembershipFactory, PersonaFactory, RetailStoreFactory

QUEUE_URL = "/admin/queue/checkin/"
UPDATES_URL = "/admin/queue/checkin/updates/"


def budtenders_see_queue(company, on: bool) -> None:
    LoyaltyProgram.objects.update_or_create(
        company=company, defaults={"budtender_can_see_queue": on}
    )


@pytest.mark.parametrize(
    ("role", "setting_on", "expected"),
    [
        (Role.OWNER, False, 200),
        (Role.OWNER, True, 200),
        (Role.MANAGER, False, 200),
        (Role.BUDTENDER, False, 403),
        (Role.BUDTENDER, True, 200),
        (Role.MARKETER, True, 403),
    ],
)
@pytest.mark.django_db
def test_who_sees_the_queue(open_store, role, setting_on, expected):
    budtenders_see_queue(open_store.company, setting_on)
    check_in(open_store, Arrival(name="Grace Hopper"), CheckInDoor.WALK_IN)
    client = staff_client(open_store.company, role)

    page = client.get(QUEUE_URL)
    updates = client.get(UPDATES_URL, {"store": open_store.pk})

    assert (page.status_code, updates.status_code) == (expected, expected)
    assert (b"Grace Hopper" in page.content) is (expected == 200)
    assert (b"Grace Hopper" in updates.content) is (expected == 200)
    # the header's navigation offers the queue exactly to those who may open it
    home = client.get("/admin/")
    assert (QUEUE_URL.encode() in home.content) is (expected == 200)


@pytest.mark.django_db
def test_a_budtender_refused_by_the_setting_is_told_why(open_store):
    budtenders_see_queue(open_store.company, False)
    response = staff_client(open_store.company, Role.BUDTENDER).get(QUEUE_URL)
    assert response.status_code == 403
    assert HIDDEN_FROM_BUDTENDERS in html.unescape(response.content.decode())


@pytest.mark.django_db
def test_the_page_shows_name_loyalty_status_and_points(open_store):
    from loyalty.ledger.models import LoyaltyAccount

    member = PersonaFactory(company=open_store.company, first_name="Rosa", last_name="Parks")
    member.loyalty_enrolled_at = member.created_at
    member.save()
    LoyaltyAccount.objects.create(company=open_store.company, persona=member, balance=125)
    check_in(open_store, Arrival(phone=member.phone), CheckInDoor.CHECK_IN_PAGE)
    check_in(open_store, Arrival(name="New Shopper", phone="2065550177"), CheckInDoor.WALK_IN)

    content = staff_client(open_store.company).get(QUEUE_URL).content.decode()

    assert "Rosa Parks" in content and "125 points" in content
    assert 'queue-status-enrolled" href' in content and ">Enrolled</a>" in content
    assert ">Signup</a>" in content and "New Shopper" in content
    assert reverse("queue:check_in", args=[queue_of(open_store).check_in_token]) in content


@pytest.mark.django_db
def test_another_companys_store_and_check_in_are_404(open_store, company_b):
    other_store = RetailStoreFactory(company=company_b, opt_in_queue_enabled=True)
    theirs = check_in(other_store, Arrival(name="Theirs"), CheckInDoor.WALK_IN)
    client = staff_client(open_store.company, Role.OWNER)

    assert client.get(QUEUE_URL, {"store": other_store.pk}).status_code == 404
    assert client.get(UPDATES_URL, {"store": other_store.pk}).status_code == 404
    moved = client.post(f"{QUEUE_URL}{theirs.pk}/move/", {"to_state": QueueState.REMOVED})
    assert moved.status_code == 404
    walk_in = client.post(f"{QUEUE_URL}walk-in/", {"store": other_store.pk, "name": "Mine"})
    assert walk_in.status_code == 404
    assert CheckIn.objects.get(pk=theirs.pk).state == QueueState.WAITING
    assert CheckIn.objects.filter(store=other_store).count() == 1


@pytest.mark.django_db
def test_a_budtender_with_stores_sees_only_those(open_store):
    budtenders_see_queue(open_store.company, True)
    elsewhere = RetailStoreFactory(company=open_store.company, opt_in_queue_enabled=True)
    entry = check_in(elsewhere, Arrival(name="Elsewhere"), CheckInDoor.WALK_IN)
    membership = MembershipFactory(company=open_store.company, role=Role.BUDTENDER)
    membership.stores.set([open_store])
    client = Client()
    client.force_login(membership.user)

    assert client.get(QUEUE_URL).status_code == 200
    assert client.get(QUEUE_URL, {"store": elsewhere.pk}).status_code == 404
    assert client.post(f"{QUEUE_URL}{entry.pk}/move/", {"to_state": "removed"}).status_code == 404
    assert CheckIn.objects.get(pk=entry.pk).state == QueueState.WAITING


@pytest.mark.django_db
def test_the_queue_links_to_its_stores_online_orders(open_store):
    budtenders_see_queue(open_store.company, True)
    budtender = staff_client(open_store.company, Role.BUDTENDER)
    orders_url = f"{reverse('admin:ecommerce_order_changelist')}?store__id__exact={open_store.pk}"

    page = html.unescape(budtender.get(QUEUE_URL).content.decode())
    orders = budtender.get(orders_url)

    assert f'<a href="{orders_url}">Online orders for Capitol Hill</a>' in page
    assert orders.status_code == 200


@pytest.mark.django_db
def test_staff_add_a_walk_in_and_move_it_along(open_store):
    client = staff_client(open_store.company, Role.MANAGER)

    response = client.post(f"{QUEUE_URL}walk-in/", {"store": open_store.pk, "name": "Walk In"})
    assert response.status_code == 302
    entry = CheckIn.objects.get()
    assert (entry.door, entry.state_changed_by) == (CheckInDoor.WALK_IN, client.user)

    client.post(f"{QUEUE_URL}{entry.pk}/move/", {"to_state": QueueState.BEING_SERVED})
    client.post(f"{QUEUE_URL}{entry.pk}/move/", {"to_state": QueueState.DONE})
    entry.refresh_from_db()
    assert entry.state == QueueState.DONE
    assert entry.events.count() == 3
    assert b"Nobody is waiting." in client.get(QUEUE_URL).content


@pytest.mark.django_db
def test_a_bad_move_or_walk_in_is_a_message_not_a_500(open_store):
    client = staff_client(open_store.company, Role.OWNER)
    entry = check_in(open_store, Arrival(name="Grace"), CheckInDoor.WALK_IN)

    bad_state = client.post(f"{QUEUE_URL}{entry.pk}/move/", {"to_state": "teleported"}, follow=True)
    no_name = client.post(f"{QUEUE_URL}walk-in/", {"store": open_store.pk}, follow=True)

    assert b"No such state." in bad_state.content
    assert b"Walk-in not added: Type a phone number" in no_name.content
    assert CheckIn.objects.get().state == QueueState.WAITING


@pytest.mark.django_db
def test_updates_answer_304_until_the_queue_changes(open_store):
    client = staff_client(open_store.company, Role.OWNER)
    first = client.get(UPDATES_URL, {"store": open_store.pk})
    tag = first["ETag"]

    unchanged = client.get(UPDATES_URL, {"store": open_store.pk}, HTTP_IF_NONE_MATCH=tag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""

    check_in(open_store, Arrival(name="Ada"), CheckInDoor.CHECK_IN_PAGE)
    changed = client.get(UPDATES_URL, {"store": open_store.pk}, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed["ETag"] != tag
    assert b"Ada" in changed.content


def _queries(client: Client, store, tag: str | None = None) -> int:
    headers = {"HTTP_IF_NONE_MATCH": tag} if tag else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(UPDATES_URL, {"store": store.pk}, **headers)
    assert response.status_code == (304 if tag else 200)
    return len(queries)


@pytest.mark.django_db
def test_update_queries_are_constant_in_the_number_waiting(open_store):
    client = staff_client(open_store.company, Role.OWNER)
    check_in(open_store, Arrival(name="One", phone="2065550101"), CheckInDoor.WALK_IN)
    one_full = _queries(client, open_store)
    one_unchanged = _queries(
        client, open_store, client.get(UPDATES_URL, {"store": open_store.pk})["ETag"]
    )

    for number in range(2, 12):
        check_in(open_store, Arrival(name=f"S{number}", phone=f"20655502{number:02d}"), "walk_in")
    many_full = _queries(client, open_store)
    tag = client.get(UPDATES_URL, {"store": open_store.pk})["ETag"]
    many_unchanged = _queries(client, open_store, tag)

    assert many_full == one_full
    assert many_unchanged == one_unchanged
    # the 304 answer: the session, the user, their membership and company, the version
    assert many_unchanged <= 5


@pytest.mark.django_db
def test_a_budtender_lands_on_the_queue_after_login_only_when_they_may_see_it(open_store):
    membership = MembershipFactory(company=open_store.company, role=Role.BUDTENDER)
    login = {"username": membership.user.username, "password": PASSWORD, "next": "/admin/"}

    budtenders_see_queue(open_store.company, True)
    assert Client().post("/admin/login/", login)["Location"] == QUEUE_URL

    budtenders_see_queue(open_store.company, False)
    assert Client().post("/admin/login/", login)["Location"] == "/admin/"


@pytest.mark.django_db
def test_a_budtender_lands_on_the_dashboard_when_no_store_of_theirs_takes_check_ins(open_store):
    # given the setting on, and the budtender working only at a store whose queue is off
    budtenders_see_queue(open_store.company, True)
    closed = RetailStoreFactory(company=open_store.company, opt_in_queue_enabled=False)
    membership = MembershipFactory(company=open_store.company, role=Role.BUDTENDER)
    membership.stores.set([closed])
    login = {"username": membership.user.username, "password": PASSWORD, "next": "/admin/"}

    assert Client().post("/admin/login/", login)["Location"] == "/admin/"

    # once their store's queue is on, the next login opens the queue
    closed.opt_in_queue_enabled = True
    closed.save(update_fields=["opt_in_queue_enabled"])
    assert Client().post("/admin/login/", login)["Location"] == QUEUE_URL

    # and a login asking for another page still gets that page
    elsewhere = {**login, "next": "/admin/personas/persona/"}
    assert Client().post("/admin/login/", elsewhere)["Location"] == "/admin/personas/persona/"


@pytest.mark.django_db
def test_an_owner_still_lands_on_the_dashboard(open_store):
    membership = MembershipFactory(company=open_store.company, role=Role.OWNER)
    login = {"username": membership.user.username, "password": PASSWORD, "next": "/admin/"}
    assert Client().post("/admin/login/", login)["Location"] == "/admin/"


@pytest.mark.django_db
def test_an_owner_retires_the_check_in_link_and_a_budtender_may_not(open_store):
    budtenders_see_queue(open_store.company, True)
    old = reverse("queue:check_in", args=[queue_of(open_store).check_in_token])
    budtender = staff_client(open_store.company, Role.BUDTENDER)
    owner = staff_client(open_store.company, Role.OWNER)

    assert b"New check-in link" not in budtender.get(QUEUE_URL).content
    assert budtender.post(f"{QUEUE_URL}new-link/", {"store": open_store.pk}).status_code == 403
    assert Client().get(old).status_code == 200

    assert owner.post(f"{QUEUE_URL}new-link/", {"store": open_store.pk}).status_code == 302
    new = reverse("queue:check_in", args=[queue_of(open_store).check_in_token])
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200


@pytest.mark.django_db
def test_rows_escape_what_shoppers_type_and_post_with_the_csrf_token(open_store):
    # The rows are written in Python (stores/queue/row_html.py), not by the template
    # engine: a name typed at the door must still come out as text.
    check_in(open_store, Arrival(name='<b>Bo & "Al"</b>'), CheckInDoor.WALK_IN)
    owner = staff_client(open_store.company, Role.OWNER)
    owner.get(QUEUE_URL)  # sets the CSRF cookie

    rows = owner.get(UPDATES_URL, {"store": open_store.pk}).content.decode()

    assert "<b>Bo" not in rows
    assert "&lt;b&gt;Bo &amp; &quot;Al&quot;&lt;/b&gt;" in rows
    token = owner.cookies["csrftoken"].value
    assert 'name="csrfmiddlewaretoken"' in rows and "Serve" in rows and token
