"""Consent as history on the persona card, and consent kept apart from loyalty."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aiq.messaging.inbound import receive_text
from aiq.messaging.providers.base import InboundText
from aiq.personas.choices import Consent, ConsentChannel, ConsentProvenance
from aiq.personas.consent import ConsentOrigin, change_consent
from aiq.personas.models import Persona
from tests.factories import PersonaFactory, RetailStoreFactory, UserFactory
from tests.messaging.conftest import FROM_NUMBER, sms_settings_for

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 20, 20, 5, tzinfo=UTC)  # 3:05 PM in Toronto


def test_the_card_lists_each_change_with_provenance_who_and_store_time(owner_a, company_a):
    # given a Toronto shopper asked by the card setting, who replied YES, and whom a
    # manager later opted out by hand
    toronto = RetailStoreFactory(company=company_a, time_zone="America/Toronto")
    persona = PersonaFactory(company=company_a, favorite_store=toronto)
    manager = UserFactory(username="maria.manager")
    steps = [
        (
            Consent.PENDING,
            ConsentOrigin(
                ConsentProvenance.DOUBLE_OPT_IN_REQUEST,
                source="card:cova purchased after 2026-11-01",
            ),
            False,
        ),
        (
            Consent.OPTED_IN,
            ConsentOrigin(
                ConsentProvenance.DOUBLE_OPT_IN_REPLY, source="sms:SM1", evidence='Texted "yes"'
            ),
            True,
        ),
        (Consent.OPTED_OUT, ConsentOrigin(ConsentProvenance.STAFF, staff_user=manager), False),
    ]
    for status, origin, asked in steps:
        change_consent(persona, ConsentChannel.SMS, status, origin, at=AT, shopper_asked=asked)

    # when the owner opens the card
    page = owner_a.get(f"/admin/personas/persona/{persona.pk}/change/").content.decode()

    # then the three events show, newest first, on the store's clock
    section = page[page.index('id="persona-consent"') :]
    assert "When (store time)" in section
    assert section.count("Nov 20, 2026 3:05 PM EST") == 3
    order = [
        section.index("Staff, maria.manager"),
        section.index("Double opt-in reply (sms:SM1)"),
        section.index("Double opt-in request (card setting) (card:cova purchased after"),
    ]
    assert order == sorted(order)
    assert "Texted &quot;yes&quot;" in section


def test_sms_consent_never_changes_loyalty_membership(company_a):
    # given a loyalty member who is opted in to texts
    sms = sms_settings_for(company_a)
    member = PersonaFactory(company=company_a, sms_consent=Consent.OPTED_IN, loyalty_enrolled_at=AT)

    # when they text STOP, then YES again
    for sid, body in (("SM" + "a" * 32, "STOP"), ("SM" + "b" * 32, "Yes")):
        receive_text(sms, InboundText(sid, member.phone, FROM_NUMBER, body))
        member.refresh_from_db()
        # then their membership is untouched each time
        assert member.loyalty_enrolled_at == AT
    assert member.sms_consent == Consent.OPTED_IN


def test_a_keyword_must_be_the_whole_text(company_a):
    sms = sms_settings_for(company_a)
    persona = PersonaFactory(company=company_a, sms_consent=Consent.OPTED_IN)

    receive_text(sms, InboundText("SM" + "c" * 32, persona.phone, FROM_NUMBER, "please stop by"))
    assert Persona.objects.get(pk=persona.pk).sms_consent == Consent.OPTED_IN

    for n, word in enumerate(["stopall", " Unsubscribe ", "CANCEL", "end", "Quit"]):
        Persona.objects.filter(pk=persona.pk).update(sms_consent=Consent.OPTED_IN)
        receive_text(sms, InboundText(f"SM{n:032d}", persona.phone, FROM_NUMBER, word))
        assert Persona.objects.get(pk=persona.pk).sms_consent == Consent.OPTED_OUT, word


def test_help_answers_and_changes_no_consent(company_a):
    from aiq.messaging.choices import MessageKind
    from aiq.messaging.models import OutboundMessage
    from aiq.personas.models import ConsentEvent

    sms = sms_settings_for(company_a)
    persona = PersonaFactory(company=company_a, sms_consent=Consent.PENDING)

    receive_text(sms, InboundText("SM" + "e" * 32, persona.phone, FROM_NUMBER, "help"))

    answer = OutboundMessage.objects.get(persona=persona)
    assert answer.kind == MessageKind.HELP_REPLY
    assert "Reply STOP to opt out" in answer.body
    assert Persona.objects.get(pk=persona.pk).sms_consent == Consent.PENDING
    assert not ConsentEvent.objects.filter(persona=persona).exists()


def test_a_signup_asking_for_texts_gets_the_double_opt_in_text_once(company_a):
    from aiq.messaging.choices import MessageKind
    from aiq.messaging.models import OutboundMessage
    from aiq.messaging.opt_in_request import ask_to_confirm

    persona = PersonaFactory(company=company_a)
    change_consent(
        persona,
        ConsentChannel.SMS,
        Consent.PENDING,
        ConsentOrigin(ConsentProvenance.SIGNUP_FORM),
        shopper_asked=True,
    )
    # without SMS settings nothing is queued
    assert not ask_to_confirm(persona)
    sms_settings_for(company_a)

    assert ask_to_confirm(persona)
    assert not ask_to_confirm(persona)
    request = OutboundMessage.objects.get(persona=persona)
    assert request.kind == MessageKind.OPT_IN_REQUEST
