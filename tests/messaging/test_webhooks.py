"""The inbound and status webhooks: signed with Twilio's real scheme or refused (403)."""

from __future__ import annotations

import pytest

from aiq.messaging.choices import MessageKind, MessageStatus
from aiq.messaging.gateway import inbound_url, status_callback_url
from aiq.messaging.models import InboundMessage, OutboundMessage
from aiq.messaging.providers.twilio.signature import twilio_signature
from aiq.personas.choices import Consent, ConsentProvenance
from aiq.personas.models import ConsentEvent, Persona
from integrations.sandbox.twilio.auth import sandbox_auth_token
from tests.factories import PersonaFactory
from tests.messaging.conftest import ACCOUNT_SID, FROM_NUMBER, sms_settings_for

pytestmark = pytest.mark.django_db


def _inbound_params(persona: Persona, body: str, sid: str = "SM" + "1" * 32) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT_SID,
        "MessageSid": sid,
        "From": persona.phone,
        "To": FROM_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }


def _post_signed(client, url: str, params: dict[str, str], token: str):  # type: ignore[no-untyped-def]
    signature = twilio_signature(token, url, params)
    return client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_an_inbound_text_with_a_bad_signature_is_refused_and_changes_nothing(client, company_a):
    # given a shopper waiting for their double opt-in
    sms = sms_settings_for(company_a)
    persona = PersonaFactory(company=company_a, sms_consent=Consent.PENDING)
    url = inbound_url(sms)
    params = _inbound_params(persona, "YES")

    # when the request is signed with another token, or not at all
    forged = _post_signed(client, url, params, "not-the-auth-token")
    unsigned = client.post(url, params)

    # then both are refused and the shopper stays pending
    assert (forged.status_code, unsigned.status_code) == (403, 403)
    assert InboundMessage.objects.count() == 0
    assert Persona.objects.get(pk=persona.pk).sms_consent == Consent.PENDING


def test_a_correctly_signed_yes_opts_in_with_double_opt_in_provenance(client, company_a):
    sms = sms_settings_for(company_a)
    persona = PersonaFactory(company=company_a, sms_consent=Consent.PENDING)
    url = inbound_url(sms)

    response = _post_signed(
        client, url, _inbound_params(persona, "  yes "), sandbox_auth_token(ACCOUNT_SID)
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert Persona.objects.get(pk=persona.pk).sms_consent == Consent.OPTED_IN
    event = ConsentEvent.objects.get(persona=persona)
    assert (event.provenance, event.previous_status) == (
        ConsentProvenance.DOUBLE_OPT_IN_REPLY,
        Consent.PENDING,
    )
    confirmation = OutboundMessage.objects.get(persona=persona)
    assert confirmation.kind == MessageKind.OPT_IN_CONFIRMATION


def test_a_retried_webhook_is_handled_once(client, company_a):
    sms = sms_settings_for(company_a)
    persona = PersonaFactory(company=company_a, sms_consent=Consent.OPTED_IN)
    url, params = inbound_url(sms), _inbound_params(persona, "STOP")

    for _ in range(2):
        assert _post_signed(client, url, params, sandbox_auth_token(ACCOUNT_SID)).status_code == 200

    assert InboundMessage.objects.count() == 1
    assert ConsentEvent.objects.filter(persona=persona).count() == 1
    assert OutboundMessage.objects.filter(kind=MessageKind.OPT_OUT_CONFIRMATION).count() == 1


def test_a_status_callback_needs_the_signature_and_moves_the_message_forward(client, company_a):
    sms = sms_settings_for(company_a)
    persona = PersonaFactory(company=company_a, sms_consent=Consent.OPTED_IN)
    message = OutboundMessage.objects.create(
        company=company_a,
        persona=persona,
        to_number=persona.phone,
        body="hi",
        kind=MessageKind.MARKETING,
        status=MessageStatus.SENT,
        provider_message_id="SM" + "2" * 32,
        send_after="2026-01-01T00:00Z",
    )
    url = status_callback_url(sms, message.pk)
    params = {
        "AccountSid": ACCOUNT_SID,
        "MessageSid": "SM" + "2" * 32,
        "MessageStatus": "delivered",
    }

    forged = _post_signed(client, url, params, "wrong")
    assert forged.status_code == 403
    assert OutboundMessage.objects.get(pk=message.pk).status == MessageStatus.SENT

    signed = _post_signed(client, url, params, sandbox_auth_token(ACCOUNT_SID))
    assert signed.status_code == 204
    assert OutboundMessage.objects.get(pk=message.pk).status == MessageStatus.DELIVERED

    # a late "sent" after "delivered" changes nothing
    late = {**params, "MessageStatus": "sent"}
    _post_signed(client, url, late, sandbox_auth_token(ACCOUNT_SID))
    assert OutboundMessage.objects.get(pk=message.pk).status == MessageStatus.DELIVERED
