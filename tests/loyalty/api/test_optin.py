"""The opt-in PUTs: set an existing shopper's SMS or email consent, pending with
doubleOpt, never create a contact, never re-opt an opted-out shopper."""

from __future__ import annotations

import pytest

from aiq.personas.choices import Consent, ConsentChannel, ConsentProvenance
from aiq.personas.models import ConsentEvent, Persona
from tests.factories import PersonaFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = {"success": True, "code": 200, "data": {"results": None}}


def _put(client, key, path):
    return client.put(path, HTTP_X_APIKEY=key)


@pytest.fixture
def shopper(company_a):
    return PersonaFactory(company=company_a, phone="+12065550134", email="jo@example.com")


def test_text_opt_in_true_opts_the_shopper_in_with_an_event(client, shopper, key_a):
    response = _put(client, key_a.plaintext, "/api/v2/optin/text/2065550134/true")

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {
            "contactID": shopper.pk,
            "channel": "sms",
            "status": "opted_in",
            "optIn": True,
            "changed": True,
        },
    }
    shopper.refresh_from_db()
    assert shopper.sms_consent == Consent.OPTED_IN
    assert not shopper.is_loyalty_member  # consent and membership stay separate
    event = ConsentEvent.objects.get(persona=shopper)
    assert (event.channel, event.status, event.provenance) == (
        ConsentChannel.SMS,
        Consent.OPTED_IN,
        ConsentProvenance.API,
    )
    assert (event.source, event.api_key_label) == ("api:optin sms", "Cova terminal")


def test_the_same_opt_in_twice_writes_one_event(client, shopper, key_a):
    _put(client, key_a.plaintext, "/api/v2/optin/text/2065550134/true")
    second = _put(client, key_a.plaintext, "/api/v2/optin/text/2065550134/true")

    assert second.json()["data"]["changed"] is False
    assert ConsentEvent.objects.filter(persona=shopper).count() == 1


def test_legacy_path_with_the_uid(client, company_a, shopper, key_a):
    response = _put(client, key_a.plaintext, f"/api/v1.1/optin/{company_a.uid}/+12065550134/true")

    assert response.status_code == 200
    shopper.refresh_from_db()
    assert shopper.sms_consent == Consent.OPTED_IN


def test_false_opts_out(client, company_a, key_a):
    shopper = PersonaFactory(company=company_a, phone="+12065550134", sms_consent=Consent.OPTED_IN)

    response = _put(client, key_a.plaintext, "/api/v2/optin/text/2065550134/FALSE")

    assert response.json()["data"]["status"] == "opted_out"
    shopper.refresh_from_db()
    assert shopper.sms_consent == Consent.OPTED_OUT
    event = ConsentEvent.objects.get(persona=shopper)
    assert (event.previous_status, event.status) == (Consent.OPTED_IN, Consent.OPTED_OUT)


def test_double_opt_records_pending(client, shopper, key_a):
    response = _put(client, key_a.plaintext, "/api/v2/optin/text/2065550134/true?doubleOpt=true")

    assert response.json()["data"]["status"] == "pending"
    assert response.json()["data"]["optIn"] is False
    shopper.refresh_from_db()
    assert shopper.sms_consent == Consent.PENDING
    event = ConsentEvent.objects.get(persona=shopper)
    assert event.status == Consent.PENDING
    assert event.source == "api:optin sms double opt-in"


def test_loyalty_false_skips_the_double_opt_in(client, shopper, key_a):
    path = "/api/v2/optin/text/2065550134/true?doubleOpt=true&loyalty=false"

    response = _put(client, key_a.plaintext, path)

    assert response.json()["data"]["status"] == "opted_in"
    shopper.refresh_from_db()
    assert shopper.sms_consent == Consent.OPTED_IN
    assert not shopper.is_loyalty_member


def test_double_opt_does_not_take_an_opted_in_shopper_back_to_pending(client, company_a, key_a):
    shopper = PersonaFactory(company=company_a, phone="+12065550134", sms_consent=Consent.OPTED_IN)

    response = _put(client, key_a.plaintext, "/api/v2/optin/text/2065550134/true?doubleOpt=true")

    assert response.json()["data"]["status"] == "opted_in"
    assert response.json()["data"]["changed"] is False
    shopper.refresh_from_db()
    assert shopper.sms_consent == Consent.OPTED_IN
    assert not ConsentEvent.objects.exists()


@pytest.mark.parametrize("query", ["", "?doubleOpt=true"])
def test_an_opted_out_number_is_never_re_opted(client, company_a, key_a, query):
    # given a shopper who opted out
    shopper = PersonaFactory(company=company_a, phone="+12065550134", sms_consent=Consent.OPTED_OUT)

    # when the POS PUTs true
    response = _put(client, key_a.plaintext, f"/api/v2/optin/text/2065550134/true{query}")

    # then a clear 409 and nothing changed
    assert response.status_code == 409
    assert response.json() == {
        "success": False,
        "message": "This number opted out of texts; it is never opted in again through the API.",
        "code": "opted_out",
    }
    shopper.refresh_from_db()
    assert shopper.sms_consent == Consent.OPTED_OUT
    assert not ConsentEvent.objects.exists()


def test_email_opt_in_and_never_re_opt(client, company_a, shopper, key_a):
    response = _put(client, key_a.plaintext, "/api/v2/optin/email/JO@example.com/true")

    assert response.json()["data"]["channel"] == "email"
    shopper.refresh_from_db()
    assert shopper.email_consent == Consent.OPTED_IN
    assert shopper.sms_consent == Consent.UNKNOWN

    _put(client, key_a.plaintext, "/api/v2/optin/email/jo@example.com/false")
    again = _put(client, key_a.plaintext, "/api/v2/optin/email/jo@example.com/true")

    assert again.status_code == 409
    shopper.refresh_from_db()
    assert shopper.email_consent == Consent.OPTED_OUT
    assert ConsentEvent.objects.filter(persona=shopper).count() == 2


def test_an_unknown_shopper_is_not_found_and_no_contact_is_created(client, company_a, key_a):
    text = _put(client, key_a.plaintext, "/api/v2/optin/text/2065550199/true")
    email = _put(client, key_a.plaintext, "/api/v2/optin/email/nobody@example.com/true")

    assert (text.status_code, text.json()) == (200, NOT_FOUND)
    assert (email.status_code, email.json()) == (200, NOT_FOUND)
    assert not Persona.objects.exists()
    assert not ConsentEvent.objects.exists()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v2/optin/text/2065550134/yes", "optin"),
        ("/api/v2/optin/text/2065550134/true?doubleOpt=maybe", "doubleOpt"),
        ("/api/v2/optin/text/2065550134/true?loyalty=nope", "loyalty"),
        ("/api/v2/optin/email/not-an-email/true", "email"),
    ],
)
def test_bad_values_are_a_400_naming_the_field(client, shopper, key_a, path, field):
    response = _put(client, key_a.plaintext, path)

    assert response.status_code == 400
    assert response.json()["message"].startswith(f"{field}: ")
    shopper.refresh_from_db()
    assert shopper.sms_consent == Consent.UNKNOWN


def test_another_companys_shopper_is_not_found(client, company_b, key_a):
    theirs = PersonaFactory(company=company_b, phone="+12065550134", email="jo@example.com")

    text = _put(client, key_a.plaintext, "/api/v2/optin/text/2065550134/false")
    email = _put(client, key_a.plaintext, "/api/v2/optin/email/jo@example.com/false")

    assert text.json() == NOT_FOUND
    assert email.json() == NOT_FOUND
    theirs.refresh_from_db()
    assert (theirs.sms_consent, theirs.email_consent) == (Consent.UNKNOWN, Consent.UNKNOWN)


def test_legacy_path_with_another_companys_uid_is_the_invalid_key_403(
    client, company_a, company_b, key_a
):
    shopper = PersonaFactory(company=company_a, phone="+12065550134")

    response = _put(client, key_a.plaintext, f"/api/v1.1/optin/{company_b.uid}/2065550134/true")

    assert response.status_code == 403
    shopper.refresh_from_db()
    assert shopper.sms_consent == Consent.UNKNOWN


def test_get_is_not_allowed(client, shopper, key_a):
    response = client.get("/api/v2/optin/text/2065550134/true", HTTP_X_APIKEY=key_a.plaintext)

    assert response.status_code == 405
    assert not ConsentEvent.objects.exists()
