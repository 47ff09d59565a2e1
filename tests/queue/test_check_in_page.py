from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aiq.personas.choices import Consent, EnrollmentRoute, Source
from aiq.personas.models import ConsentEvent, Persona
from stores.queue.choices import CheckInDoor
from stores.queue.models import CheckIn
from stores.queue.services import queue_of
from tests.factories import PersonaFactory, RetailStoreFactory


def page_url(store) -> str:
    return reverse("queue:check_in", args=[queue_of(store).check_in_token])


def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def post_with_csrf(client: Client, url: str, data: dict):
    client.get(url)
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


@pytest.mark.django_db
def test_the_page_shows_the_store_and_its_consent_wording(open_store):
    response = Client().get(page_url(open_store))
    assert response.status_code == 200
    assert b"Check in at Capitol Hill" in response.content
    assert b"I am 21 or older." in response.content
    assert b"Reply STOP to opt out" in response.content


@pytest.mark.django_db
def test_a_phone_links_the_existing_persona(open_store):
    persona = PersonaFactory(company=open_store.company, phone="+12065550134")
    client = csrf_client()
    response = post_with_csrf(client, page_url(open_store), {"phone": "206.555.0134"})
    assert response.status_code == 302
    assert response["Location"].endswith("?checked_in=1")
    entry = CheckIn.objects.get()
    assert (entry.persona_id, entry.door, entry.store_id) == (
        persona.pk,
        CheckInDoor.CHECK_IN_PAGE,
        open_store.pk,
    )
    assert b"You're checked in" in client.get(response["Location"]).content


@pytest.mark.django_db
def test_a_new_shopper_signs_up_on_the_spot(open_store):
    response = post_with_csrf(
        csrf_client(),
        page_url(open_store),
        {
            "phone": "2065550199",
            "name": "Ada Lovelace",
            "join_loyalty": "on",
            "sms_opt_in": "on",
            "age_confirmed": "on",
        },
    )
    assert response.status_code == 302
    persona = Persona.objects.get(phone="+12065550199")
    assert persona.identities.get().source == Source.QUEUE
    assert persona.loyalty_enrollment_route == EnrollmentRoute.SIGNUP_FORM
    assert persona.sms_consent == Consent.PENDING
    event = ConsentEvent.objects.get(persona=persona)
    assert "Reply STOP to opt out" in event.evidence
    assert CheckIn.objects.get().persona == persona


@pytest.mark.django_db
def test_joining_without_the_age_confirmation_is_refused(open_store):
    response = post_with_csrf(
        csrf_client(), page_url(open_store), {"phone": "2065550199", "join_loyalty": "on"}
    )
    assert response.status_code == 400
    assert b"Please confirm your age to join." in response.content
    assert CheckIn.objects.count() == 0
    assert Persona.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, b"Type a phone number, or your name if you have none."),
        ({"phone": "12"}, b"That does not look like a phone number."),
        ({"name": "Ada\x00"}, b"control character"),
        ({"name": "x" * 500}, b"at most 100 characters"),
    ],
)
@pytest.mark.django_db
def test_bad_input_shows_form_errors_not_a_500(open_store, data, message):
    response = post_with_csrf(csrf_client(), page_url(open_store), data)
    assert response.status_code == 400
    assert message in response.content
    assert CheckIn.objects.count() == 0


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused(open_store):
    response = csrf_client().post(page_url(open_store), {"name": "Ada"})
    assert response.status_code == 403
    assert CheckIn.objects.count() == 0


@pytest.mark.django_db
def test_a_store_whose_queue_is_off_refuses_with_a_clear_message(company_a):
    store = RetailStoreFactory(company=company_a, name="Ballard", opt_in_queue_enabled=False)
    url = page_url(store)
    assert Client().get(url).status_code == 403
    response = Client().post(url, {"name": "Ada"})
    assert response.status_code == 403
    assert b"Ballard is not taking check-ins right now." in response.content
    assert CheckIn.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_token_is_a_404(open_store):
    assert Client().get(reverse("queue:check_in", args=["not-a-token"])).status_code == 404
