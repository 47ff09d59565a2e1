"""Signups from the POS: POST /api/v2/loyalty and the legacy loyaltyContact. Find or create
the shopper (never a duplicate), enroll them, consent as sent, never re-opt an opt-out."""

from __future__ import annotations

import pytest

from aiq.personas.choices import (
    Consent,
    ConsentChannel,
    ConsentProvenance,
    EnrollmentRoute,
    Source,
)
from aiq.personas.models import ConsentEvent, Persona, PersonaIdentity
from loyalty.api.keys import create_api_key
from loyalty.enrollment.models import Enrollment
from stores.models import StoreMapping
from tests.factories import PersonaFactory, RetailStoreFactory

pytestmark = pytest.mark.django_db


def _signup(client, key, body, path="/api/v2/loyalty"):
    return client.post(path, body, content_type="application/json", HTTP_X_APIKEY=key)


@pytest.fixture
def posabit_key(company_a):
    return create_api_key(company_a, "POSaBIT counter").plaintext


def test_signup_creates_an_enrolled_persona_opted_in_with_its_evidence(
    client, company_a, posabit_key
):
    # given a POSaBIT signup with Customer Consent and a signature
    body = {
        "firstName": "Jo",
        "lastName": "Diaz",
        "mobilePhone": "(206) 555-0134",
        "email": "Jo@Example.com",
        "optIn": True,
        "consentEvidence": "Customer Consent + signature",
    }

    # when the POS posts it
    response = _signup(client, posabit_key, body)

    # then one persona, a member by POS from POSaBIT, opted in to SMS with that provenance
    assert response.status_code == 200
    data = response.json()["data"]
    persona = Persona.objects.get(company=company_a)
    assert data["contactID"] == persona.pk
    assert data["created"] is True
    assert data["membership"]["loyalty"] is True
    assert data["membership"]["enrolledBy"] == EnrollmentRoute.POS
    assert data["membership"]["newlyEnrolled"] is True
    assert data["smsOptIn"] is True
    assert data["consent"] == {"sms": "opted_in", "email": "unknown"}
    assert (persona.phone, persona.email, persona.first_name) == (
        "+12065550134",
        "jo@example.com",
        "Jo",
    )
    assert persona.is_loyalty_member
    enrollment = Enrollment.objects.get(persona=persona)
    assert (enrollment.route, enrollment.source) == (EnrollmentRoute.POS, "posabit")
    event = ConsentEvent.objects.get(persona=persona)
    assert event.channel == ConsentChannel.SMS
    assert (event.previous_status, event.status) == (Consent.UNKNOWN, Consent.OPTED_IN)
    assert event.provenance == ConsentProvenance.POS_SIGNUP
    assert event.source == "api:posabit signup"
    assert event.api_key_label == "POSaBIT counter"
    assert event.evidence == "Customer Consent + signature"
    assert PersonaIdentity.objects.filter(persona=persona, source=Source.API).count() == 1


def test_signup_of_a_known_phone_updates_that_persona_and_creates_no_other(
    client, company_a, key_a
):
    # given a shopper the company already has, known by phone, without an email
    known = PersonaFactory(company=company_a, phone="+12065550134", email="", first_name="Jo")

    # when the POS signs the same number up, written differently, with an email
    response = _signup(
        client,
        key_a.plaintext,
        {"firstName": "Joanna", "mobilePhone": "206.555.0134", "email": "jo@example.com"},
    )

    # then the known persona is the contact, its blank email filled, its name kept
    assert response.status_code == 200
    assert response.json()["data"]["contactID"] == known.pk
    assert response.json()["data"]["created"] is False
    assert Persona.objects.filter(company=company_a).count() == 1
    known.refresh_from_db()
    assert (known.email, known.first_name) == ("jo@example.com", "Jo")
    assert known.is_loyalty_member


def test_signup_by_email_finds_the_persona_with_that_email(client, company_a, key_a):
    known = PersonaFactory(company=company_a, phone="", phone_raw="", email="jo@example.com")

    response = _signup(client, key_a.plaintext, {"email": " JO@example.com "})

    assert response.json()["data"]["contactID"] == known.pk
    assert Persona.objects.filter(company=company_a).count() == 1


def test_the_same_signup_twice_makes_one_persona_and_one_enrollment(client, company_a, key_a):
    body = {"mobilePhone": "2065550134", "smsOptIn": True}

    first = _signup(client, key_a.plaintext, body).json()["data"]
    second = _signup(client, key_a.plaintext, body).json()["data"]

    assert first["contactID"] == second["contactID"]
    assert second["created"] is False
    assert second["membership"]["newlyEnrolled"] is False
    assert Persona.objects.filter(company=company_a).count() == 1
    assert Enrollment.objects.filter(company=company_a).count() == 1
    # consent unchanged the second time: no second event
    assert ConsentEvent.objects.filter(company=company_a).count() == 1


def test_an_opted_out_number_is_never_re_opted_by_a_signup(client, company_a, key_a):
    # given a shopper who opted out of texts
    known = PersonaFactory(company=company_a, phone="+12065550134", sms_consent=Consent.OPTED_OUT)

    # when a signup says optIn true
    response = _signup(client, key_a.plaintext, {"mobilePhone": "2065550134", "optIn": True})

    # then the signup happens, the consent does not, and the answer says why
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["smsOptIn"] is False
    assert data["consent"]["sms"] == "opted_out"
    assert data["warnings"] == [
        {
            "field": "smsOptIn",
            "code": "opted_out",
            "message": "This number opted out of texts; it is never opted in again through "
            "the API.",
        }
    ]
    known.refresh_from_db()
    assert known.sms_consent == Consent.OPTED_OUT
    assert known.is_loyalty_member
    assert not ConsentEvent.objects.filter(persona=known).exists()


def test_an_opt_out_in_a_signup_is_recorded(client, company_a, key_a):
    known = PersonaFactory(company=company_a, phone="+12065550134", sms_consent=Consent.OPTED_IN)

    _signup(client, key_a.plaintext, {"mobilePhone": "2065550134", "smsOptIn": False})

    known.refresh_from_db()
    assert known.sms_consent == Consent.OPTED_OUT
    event = ConsentEvent.objects.get(persona=known)
    assert (event.previous_status, event.status) == (Consent.OPTED_IN, Consent.OPTED_OUT)
    # key_a is "Cova terminal": the POS is read off the key's name
    assert (event.provenance, event.source) == (ConsentProvenance.POS_SIGNUP, "api:cova signup")


def test_a_key_that_names_no_pos_enrolls_by_api(client, company_a):
    key = create_api_key(company_a, "Kiosk").plaintext

    _signup(client, key, {"mobilePhone": "2065550134", "emailOptIn": True, "email": "a@b.co"})

    persona = Persona.objects.get(company=company_a)
    assert persona.loyalty_enrollment_route == EnrollmentRoute.API
    event = ConsentEvent.objects.get(persona=persona)
    assert (event.channel, event.status) == (ConsentChannel.EMAIL, Consent.OPTED_IN)
    assert (event.provenance, event.source) == (ConsentProvenance.API, "api:signup")


def test_an_invalid_phone_is_stored_blank_with_a_warning(client, company_a, key_a):
    # given a signup whose phone is no number, but with an email and an opt-in
    body = {"mobilePhone": "555-01", "email": "jo@example.com", "optIn": True}

    response = _signup(client, key_a.plaintext, body)

    # then the persona has a blank phone (its raw text kept) and no SMS consent
    assert response.status_code == 200
    persona = Persona.objects.get(company=company_a)
    assert (persona.phone, persona.phone_raw) == ("", "555-01")
    assert persona.sms_consent == Consent.UNKNOWN
    codes = [w["code"] for w in response.json()["data"]["warnings"]]
    assert codes == ["no_phone", "invalid_phone"]
    assert not ConsentEvent.objects.exists()


def test_neither_a_valid_phone_nor_an_email_is_a_400_naming_the_phone(client, company_a, key_a):
    response = _signup(client, key_a.plaintext, {"firstName": "Jo", "mobilePhone": "12"})

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "mobilePhone: a valid phone number or an email is required",
        "code": "invalid_field",
    }
    assert not Persona.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mobilePhone": 2065550134.5}, "mobilePhone"),
        ({"mobilePhone": "2065550134", "firstName": ["Jo"]}, "firstName"),
        ({"mobilePhone": "2065550134", "optIn": "yes"}, "optIn"),
        ({"mobilePhone": "2065550134", "emailOptIn": 1}, "emailOptIn"),
        ({"mobilePhone": "2065550134", "optIn": True, "smsOptIn": False}, "optIn"),
        ({"mobilePhone": "2065550134", "address": 12.5}, "address"),
        ({"mobilePhone": "2065550134", "address": {"city": ["x"]}}, "address.city"),
        ({"mobilePhone": "2065550134", "firstName": "x" * 101}, "firstName"),
    ],
)
def test_bad_fields_are_a_400_naming_the_field(client, key_a, body, field):
    response = _signup(client, key_a.plaintext, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_field"
    assert response.json()["message"].startswith(f"{field}: ")
    assert not Persona.objects.exists()


def test_legacy_signup_takes_the_reference_fields_and_requests_sms_opt_in(client, company_a, key_a):
    # given a store the POS calls by its name, and the legacy body
    store = RetailStoreFactory(company=company_a, name="Capitol Hill")
    body = {
        "firstName": "Jo",
        "lastName": "Diaz",
        "mobilePhone": "2065550134",
        "email": "jo@example.com",
        "address": "1 Pike St",
        "favoriteStore": "capitol hill",
        "favoriteStoreID": "",
    }

    # when the POS posts it to loyaltyContact with the account's UID
    response = _signup(client, key_a.plaintext, body, f"/api/v1.1/loyaltyContact/{company_a.uid}")

    # then the persona has the address and store, and SMS opt-in was requested (pending)
    assert response.status_code == 200
    persona = Persona.objects.get(company=company_a)
    assert (persona.address_line1, persona.favorite_store_id) == ("1 Pike St", store.pk)
    assert persona.sms_consent == Consent.PENDING
    assert ConsentEvent.objects.get(persona=persona).status == Consent.PENDING
    assert persona.email_consent == Consent.UNKNOWN


def test_legacy_signup_does_not_ask_an_opted_in_shopper_again(client, company_a, key_a):
    known = PersonaFactory(company=company_a, phone="+12065550134", sms_consent=Consent.OPTED_IN)

    _signup(
        client,
        key_a.plaintext,
        {"mobilePhone": "2065550134"},
        f"/api/v1.1/loyaltyContact/{company_a.uid}",
    )

    known.refresh_from_db()
    assert known.sms_consent == Consent.OPTED_IN
    assert not ConsentEvent.objects.exists()


def test_an_address_object_fills_the_address_fields(client, company_a, key_a):
    address = {"street": "1 Pike St", "city": "Seattle", "state": "WA", "zip": "98101"}

    _signup(client, key_a.plaintext, {"mobilePhone": "2065550134", "address": address})

    persona = Persona.objects.get(company=company_a)
    assert (persona.address_line1, persona.city, persona.state, persona.postal_code) == (
        "1 Pike St",
        "Seattle",
        "WA",
        "98101",
    )


def test_favorite_store_by_our_store_id(client, company_a, key_a):
    store = RetailStoreFactory(company=company_a)

    _signup(client, key_a.plaintext, {"mobilePhone": "2065550134", "storeID": store.pk})

    assert Persona.objects.get(company=company_a).favorite_store_id == store.pk


def test_favorite_store_by_the_pos_store_key(client, company_a, posabit_key):
    store = RetailStoreFactory(company=company_a)
    StoreMapping.objects.create(company=company_a, store=store, provider="posabit", key="venue-9")

    _signup(client, posabit_key, {"mobilePhone": "2065550134", "favoriteStoreID": "venue-9"})

    assert Persona.objects.get(company=company_a).favorite_store_id == store.pk


def test_another_companys_store_id_is_ignored(client, company_a, company_b, key_a):
    theirs = RetailStoreFactory(company=company_b)

    _signup(client, key_a.plaintext, {"mobilePhone": "2065550134", "favoriteStoreID": theirs.pk})

    assert Persona.objects.get(company=company_a).favorite_store_id is None


def test_signup_is_scoped_to_the_keys_company(client, company_a, company_b, key_a, key_b):
    # given company B already has this phone
    theirs = PersonaFactory(company=company_b, phone="+12065550134")

    # when company A's POS signs the number up
    response = _signup(client, key_a.plaintext, {"mobilePhone": "2065550134", "optIn": True})

    # then A gets its own persona; B's is untouched
    assert response.json()["data"]["contactID"] != theirs.pk
    theirs.refresh_from_db()
    assert not theirs.is_loyalty_member
    assert theirs.sms_consent == Consent.UNKNOWN
    # and the legacy path with B's UID and A's key is the invalid-key 403
    response = _signup(
        client,
        key_a.plaintext,
        {"mobilePhone": "2065550134"},
        f"/api/v1.1/loyaltyContact/{company_b.uid}",
    )
    assert response.status_code == 403
    assert Persona.objects.filter(company=company_b).count() == 1


def test_the_consent_history_shows_on_the_persona_card(client, owner_a, company_a, posabit_key):
    _signup(
        client,
        posabit_key,
        {"mobilePhone": "2065550134", "optIn": True, "consentEvidence": "Customer Consent"},
    )
    persona = Persona.objects.get(company=company_a)

    page = owner_a.get(f"/admin/personas/persona/{persona.pk}/change/").content.decode()

    assert 'id="persona-consent"' in page
    assert "Customer Consent" in page
    assert "api:posabit signup" in page


def test_a_signed_pos_consent_is_the_shoppers_own_act_and_re_opts_an_opted_out_number(
    client, company_a, posabit_key
):
    # given a shopper who opted out of texts
    known = PersonaFactory(company=company_a, phone="+12065550134", sms_consent=Consent.OPTED_OUT)

    # when they sign POSaBIT's "Customer Consent" at the counter
    response = _signup(
        client,
        posabit_key,
        {
            "mobilePhone": "2065550134",
            "optIn": True,
            "consentEvidence": "Customer Consent + signature",
        },
    )

    # then they are opted in again, and the event says on what evidence
    assert response.status_code in (200, 201)
    known.refresh_from_db()
    assert known.sms_consent == Consent.OPTED_IN
    event = ConsentEvent.objects.get(persona=known)
    assert (event.previous_status, event.provenance) == (
        Consent.OPTED_OUT,
        ConsentProvenance.POS_SIGNUP,
    )
    assert event.evidence == "Customer Consent + signature"


def test_an_unsigned_pos_consent_never_re_opts_an_opted_out_number(client, company_a, posabit_key):
    known = PersonaFactory(company=company_a, phone="+12065550134", sms_consent=Consent.OPTED_OUT)

    _signup(
        client,
        posabit_key,
        {"mobilePhone": "2065550134", "optIn": True, "consentEvidence": "Customer Consent"},
    )

    known.refresh_from_db()
    assert known.sms_consent == Consent.OPTED_OUT
    assert not ConsentEvent.objects.filter(persona=known).exists()


def test_a_favorite_store_id_of_unicode_digits_is_ignored_not_a_500(client, company_a, key_a):
    # given a store id that str.isdigit() takes for a number and int() refuses ("¹²")
    body = {"firstName": "Jo", "mobilePhone": "2065550134", "favoriteStoreID": "\u00b9\u00b2"}

    # when the POS signs the shopper up with it
    response = _signup(client, key_a.plaintext, body, f"/api/v1.1/loyaltyContact/{company_a.uid}")

    # then the signup lands, without a favorite store
    assert response.status_code == 200, response.content
    assert Persona.objects.get(company=company_a).favorite_store_id is None
