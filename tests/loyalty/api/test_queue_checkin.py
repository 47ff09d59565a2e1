"""The queue's API door: POST /api/v1.1/queue/checkin/:uid puts a shopper on a store's
waiting-room queue, as a POS's own waiting room (Alleaves, POSaBIT) would send it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aiq.personas.choices import Source
from aiq.personas.models import Persona, PersonaIdentity
from loyalty.api.keys import create_api_key
from loyalty.api.models import ApiRequestLog
from stores.models import StoreMapping
from stores.queue.choices import CheckInDoor, QueueState
from stores.queue.models import CheckIn, StoreQueue
from stores.queue.services import Arrival, check_in
from tests.factories import PersonaFactory, RetailStoreFactory

pytestmark = pytest.mark.django_db


def _path(company) -> str:
    return f"/api/v1.1/queue/checkin/{company.uid}"


def _post(client, key, body, *, company, raw=None):
    data = raw if raw is not None else body
    return client.post(_path(company), data, content_type="application/json", HTTP_X_APIKEY=key)


@pytest.fixture
def open_store(company_a):
    return RetailStoreFactory(company=company_a, name="Capitol Hill", opt_in_queue_enabled=True)


def test_a_pos_checks_a_known_member_in_and_learns_their_place_in_line(
    client, company_a, key_a, open_store
):
    # given a member with a phone and one shopper already waiting at the store
    member = PersonaFactory(
        company=company_a, phone="+12065550134", loyalty_enrolled_at=timezone.now()
    )
    check_in(open_store, Arrival(name="Ahead of Jo"), CheckInDoor.WALK_IN)
    version_before = StoreQueue.objects.get(store=open_store).version

    # when the POS posts her check-in by our store id, her phone typed its own way
    body = {"storeID": open_store.pk, "name": "Jo Doe", "phone": "(206) 555-0134"}
    response = _post(client, key_a.plaintext, body, company=company_a)

    # then she waits second in line, linked to her persona, a loyalty member
    assert response.status_code == 200, response.content
    payload = response.json()
    assert payload["success"] is True
    data = payload["data"]
    entry = CheckIn.objects.get(pk=data["checkInID"])
    assert (entry.store, entry.persona, entry.door, entry.state) == (
        open_store,
        member,
        CheckInDoor.API,
        QueueState.WAITING,
    )
    assert data["position"] == 2
    assert data["state"] == "waiting"
    assert data["storeID"] == open_store.pk
    assert data["contact"] == {"link": "matched", "contactID": member.pk, "loyalty": True}
    # the queue pages polling the store see the change
    assert StoreQueue.objects.get(store=open_store).version == version_before + 1
    # and the call is in the request log like any other
    assert ApiRequestLog.objects.filter(key=key_a.key, method="POST", status=200).count() == 1


def test_a_new_phone_creates_a_persona_sourced_from_the_queue(client, company_a, key_a, open_store):
    response = _post(
        client,
        key_a.plaintext,
        {"store": "capitol hill", "name": "Ada Lovelace", "phone": "2065550177"},
        company=company_a,
    )

    assert response.status_code == 200, response.content
    contact = response.json()["data"]["contact"]
    persona = Persona.objects.get(company=company_a, phone="+12065550177")
    assert contact == {"link": "created", "contactID": persona.pk, "loyalty": False}
    assert persona.first_name == "Ada" and persona.last_name == "Lovelace"
    assert PersonaIdentity.objects.filter(persona=persona, source=Source.QUEUE).exists()


def test_an_email_alone_links_the_check_in_to_its_shopper(client, company_a, key_a, open_store):
    shopper = PersonaFactory(company=company_a, phone="", email="grace@example.com")

    response = _post(
        client,
        key_a.plaintext,
        {"storeID": open_store.pk, "email": "Grace@Example.com"},
        company=company_a,
    )

    assert response.status_code == 200, response.content
    assert response.json()["data"]["contact"]["contactID"] == shopper.pk
    assert CheckIn.objects.get().persona == shopper


def test_a_name_alone_waits_unlinked(client, company_a, key_a, open_store):
    response = _post(
        client, key_a.plaintext, {"storeID": open_store.pk, "name": "Sam"}, company=company_a
    )

    assert response.status_code == 200, response.content
    assert response.json()["data"]["contact"] == {
        "link": "none",
        "contactID": None,
        "loyalty": False,
    }
    assert CheckIn.objects.get().name == "Sam"
    assert not Persona.objects.exists()


def test_posabits_customer_queue_body_is_read_as_is_with_its_location_key(
    client, company_a, key_a, open_store
):
    # given the store mapped to POSaBIT's location key
    StoreMapping.objects.create(company=company_a, provider="posabit", key="V-77", store=open_store)
    body = {
        "storeID": "V-77",
        "customer_queue": {
            "source": "walk_in",
            "name": "Lin Chen",
            "telephone": "206-555-0199",
            "customer_id": 8812,
        },
    }

    response = _post(client, key_a.plaintext, body, company=company_a)

    assert response.status_code == 200, response.content
    entry = CheckIn.objects.get()
    assert (entry.store, entry.name, entry.persona.phone) == (
        open_store,
        "Lin Chen",
        "+12065550199",
    )


def test_a_store_whose_queue_is_off_is_refused_with_a_stable_code(client, company_a, key_a):
    closed = RetailStoreFactory(company=company_a, name="Fremont", opt_in_queue_enabled=False)

    response = _post(
        client, key_a.plaintext, {"storeID": closed.pk, "name": "Jo"}, company=company_a
    )

    assert response.status_code == 409
    assert response.json() == {
        "success": False,
        "message": "Fremont is not taking check-ins right now.",
        "code": "queue_closed",
    }
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("store_field", [{"storeID": "999999"}, {"store": "Nowhere"}])
def test_an_unknown_store_is_a_404_naming_the_field(
    client, company_a, key_a, open_store, store_field
):
    response = _post(client, key_a.plaintext, {**store_field, "name": "Jo"}, company=company_a)

    assert response.status_code == 404
    body = response.json()
    assert body["success"] is False and body["code"] == "store_not_found"
    assert body["message"].startswith(next(iter(store_field)))


def test_another_companys_store_is_unknown_to_this_key(client, company_a, company_b, key_a):
    theirs = RetailStoreFactory(company=company_b, opt_in_queue_enabled=True)

    response = _post(
        client, key_a.plaintext, {"storeID": theirs.pk, "name": "Jo"}, company=company_a
    )

    assert response.status_code == 404
    assert response.json()["code"] == "store_not_found"
    assert not CheckIn.objects.exists()


def test_another_companys_uid_is_the_wrong_key_403(client, company_a, company_b, key_a, open_store):
    response = _post(
        client, key_a.plaintext, {"storeID": open_store.pk, "name": "Jo"}, company=company_b
    )

    assert response.status_code == 403
    assert response.json()["code"] == "invalid_api_key"
    assert not CheckIn.objects.exists()


def test_a_missing_key_is_403(client, company_a, open_store):
    response = client.post(
        _path(company_a), {"storeID": open_store.pk, "name": "Jo"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "invalid_api_key"


def test_a_store_scoped_key_posts_to_its_store_and_no_other(client, company_a, open_store):
    other = RetailStoreFactory(company=company_a, name="Ballard", opt_in_queue_enabled=True)
    scoped = create_api_key(company_a, "Capitol Hill tablet", store=open_store).plaintext

    # its own store needs no naming
    own = _post(client, scoped, {"name": "Jo"}, company=company_a)
    # another store of the account is not its to post to
    elsewhere = _post(client, scoped, {"storeID": other.pk, "name": "Jo"}, company=company_a)

    assert own.status_code == 200, own.content
    assert own.json()["data"]["storeID"] == open_store.pk
    assert elsewhere.status_code == 403
    assert elsewhere.json()["code"] == "store_not_allowed"
    assert list(CheckIn.objects.values_list("store_id", flat=True)) == [open_store.pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Jo"}, "storeID"),  # an account-wide key must name the store
        ({"storeID": "{store}"}, "phone"),  # nobody to call out
        ({"storeID": "{store}", "phone": "12"}, "phone"),
        ({"storeID": "{store}", "telephone": "not a phone"}, "telephone"),
        ({"storeID": "{store}", "email": "nobody"}, "email"),
        ({"storeID": "{store}", "name": ["Jo"]}, "name"),
        ({"storeID": "{store}", "name": "J" * 101}, "name"),
        ({"storeID": True, "name": "Jo"}, "storeID"),
        ({"storeID": "{store}", "customer_queue": "Jo"}, "customer_queue"),
    ],
)
def test_a_bad_body_is_a_400_naming_the_field(client, company_a, key_a, open_store, body, field):
    body = {name: (open_store.pk if value == "{store}" else value) for name, value in body.items()}

    response = _post(client, key_a.plaintext, body, company=company_a)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_field"
    assert response.json()["message"].startswith(f"{field}:")
    assert not CheckIn.objects.exists()


def test_a_body_that_is_not_json_is_a_400(client, company_a, key_a, open_store):
    response = _post(client, key_a.plaintext, None, company=company_a, raw="{not json")

    assert response.status_code == 400
    assert response.json()["message"] == "body: not valid JSON"


def test_position_counts_only_those_still_waiting_ahead(client, company_a, key_a, open_store):
    # given one served, one removed and one waiting ahead
    earlier = timezone.now() - timedelta(minutes=5)
    for name, state in (("A", QueueState.BEING_SERVED), ("B", QueueState.REMOVED), ("C", None)):
        entry = check_in(open_store, Arrival(name=name), CheckInDoor.WALK_IN)
        CheckIn.objects.filter(pk=entry.pk).update(
            checked_in_at=earlier, state=state or QueueState.WAITING
        )

    response = _post(
        client, key_a.plaintext, {"storeID": open_store.pk, "name": "D"}, company=company_a
    )

    assert response.json()["data"]["position"] == 2
