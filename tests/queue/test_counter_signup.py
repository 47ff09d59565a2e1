"""Signing a shopper up at the counter: loyalty now, the SMS opt-in only with consent."""

from __future__ import annotations

import html

import pytest

from aiq.personas.choices import Consent, ConsentProvenance, EnrollmentRoute
from aiq.personas.models import ConsentEvent
from loyalty.enrollment.models import Enrollment
from stores.queue.choices import CheckInDoor
from stores.queue.models import StoreQueue
from stores.queue.services import Arrival, check_in
from stores.queue.wording import sms_consent_wording
from tests.factories import PersonaFactory
from tests.queue.shopper_support import action_url, allow_budtenders, budtender, profile_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(open_store):
    allow_budtenders(open_store.company)
    entry = check_in(
        open_store, Arrival(name="Ada Lovelace", phone="(206) 555-0142"), CheckInDoor.WALK_IN
    )
    assert entry.persona is not None and not entry.persona.is_loyalty_member
    return entry


def test_the_profile_offers_signup_with_the_stores_consent_wording(open_store, newcomer):
    text = html.unescape(
        budtender(open_store.company).get(profile_url(newcomer.persona, newcomer)).content.decode()
    )
    assert 'id="loyalty-status" href="#signup">Signup<' in text
    assert sms_consent_wording(open_store) in text


def test_signup_with_consent_enrolls_and_requests_the_sms_opt_in(open_store, newcomer):
    persona = newcomer.persona
    client = budtender(open_store.company)
    version = StoreQueue.objects.get(store=open_store).version

    response = client.post(
        action_url("signup", persona), {"check_in": newcomer.pk, "sms_consent": "on"}, follow=True
    )

    persona.refresh_from_db()
    assert persona.is_loyalty_member
    enrollment = Enrollment.objects.get(persona=persona)
    assert (enrollment.route, enrollment.staff_user) == (EnrollmentRoute.STAFF, client.user)
    assert persona.sms_consent == Consent.PENDING
    event = ConsentEvent.objects.get(persona=persona)
    assert (event.provenance, event.staff_user) == (ConsentProvenance.STAFF, client.user)
    assert event.evidence == sms_consent_wording(open_store)[:300]
    # the button is the red Enrolled now, here and on every open queue page
    text = html.unescape(response.content.decode())
    assert 'class="queue-status queue-status-enrolled" id="loyalty-status">Enrolled<' in text
    assert StoreQueue.objects.get(store=open_store).version == version + 1
    queue = client.get("/admin/queue/checkin/updates/", {"store": open_store.pk}).content.decode()
    assert ">Enrolled</a>" in queue and ">Signup</a>" not in queue


def test_signup_without_consent_leaves_sms_alone(open_store, newcomer):
    persona = newcomer.persona
    budtender(open_store.company).post(action_url("signup", persona), {"check_in": newcomer.pk})
    persona.refresh_from_db()
    assert persona.is_loyalty_member
    assert persona.sms_consent == Consent.UNKNOWN
    assert not ConsentEvent.objects.filter(persona=persona).exists()


def test_sms_consent_needs_a_phone_and_says_so(open_store):
    allow_budtenders(open_store.company)
    persona = PersonaFactory(company=open_store.company, phone="", phone_raw="")
    response = budtender(open_store.company).post(
        action_url("signup", persona), {"sms_consent": "on"}, follow=True
    )
    assert "Not signed up: SMS consent: This shopper has no valid mobile phone" in html.unescape(
        response.content.decode()
    )
    persona.refresh_from_db()
    assert not persona.is_loyalty_member


def test_signing_up_a_member_again_writes_nothing(open_store, newcomer):
    persona = newcomer.persona
    client = budtender(open_store.company)
    client.post(action_url("signup", persona), {"check_in": newcomer.pk})
    response = client.post(action_url("signup", persona), {"check_in": newcomer.pk}, follow=True)
    assert "was already a member" in html.unescape(response.content.decode())
    assert Enrollment.objects.filter(persona=persona).count() == 1


def test_signup_is_a_post(open_store, newcomer):
    response = budtender(open_store.company).get(action_url("signup", newcomer.persona))
    assert response.status_code == 405
