"""The card setting "Send SMS double opt-ins to Personas who purchased after <date>":
who is asked, once, and what the card form says before saving."""

from __future__ import annotations

from datetime import date

import pytest

from aiq.messaging.choices import MessageKind
from aiq.messaging.double_opt_in import preview_count, request_for_company, request_opt_ins
from aiq.messaging.models import OutboundMessage
from aiq.personas.choices import Consent, ConsentChannel, ConsentProvenance
from aiq.personas.consent import ConsentOrigin, change_consent
from aiq.personas.models import ConsentEvent, Persona
from integrations.models import Integration
from tests.factories import PersonaFactory
from tests.integrations.factories import IntegrationFactory
from tests.personas.factories import NOON_UTC, make_sale

pytestmark = pytest.mark.django_db

AFTER = date(2026, 11, 1)


def _shoppers(company):  # type: ignore[no-untyped-def]
    """One of each case; only ``eligible`` should be asked."""
    eligible = PersonaFactory(company=company)
    make_sale(eligible, "s-eligible")
    no_phone = PersonaFactory(company=company, phone="")
    make_sale(no_phone, "s-no-phone")
    bought_before = PersonaFactory(company=company)
    make_sale(bought_before, "s-before", occurred_at=NOON_UTC.replace(month=10))
    other_pos = PersonaFactory(company=company)
    make_sale(other_pos, "s-clover", source="clover")
    refund_only = PersonaFactory(company=company)
    make_sale(refund_only, "s-refund", is_refund=True)
    opted_in = PersonaFactory(company=company, sms_consent=Consent.OPTED_IN)
    make_sale(opted_in, "s-in")
    opted_out = PersonaFactory(company=company)
    make_sale(opted_out, "s-out")
    change_consent(
        opted_out,
        ConsentChannel.SMS,
        Consent.OPTED_OUT,
        ConsentOrigin(ConsentProvenance.KEYWORD_REPLY),
    )
    return eligible


def test_exactly_the_eligible_shoppers_are_asked_once(company_a):
    # given a Cova card with the date and shoppers of every kind
    card = IntegrationFactory(company=company_a, sms_double_opt_in_after=AFTER)
    eligible = _shoppers(company_a)
    assert preview_count(card, AFTER) == 1

    # when the job runs twice
    first, second = request_opt_ins(card), request_opt_ins(card)

    # then one request, to the eligible shopper, whose consent is now pending
    assert (first, second) == (1, 0)
    request = OutboundMessage.objects.get()
    assert (request.persona_id, request.kind) == (eligible.pk, MessageKind.OPT_IN_REQUEST)
    assert request.body.startswith(f"Reply YES to join {company_a.name} texts")
    assert Persona.objects.get(pk=eligible.pk).sms_consent == Consent.PENDING
    event = ConsentEvent.objects.get(persona=eligible)
    assert event.provenance == ConsentProvenance.DOUBLE_OPT_IN_REQUEST
    assert preview_count(card, AFTER) == 0


def test_a_shopper_asked_once_is_never_asked_again_even_after_consent_was_reset(company_a):
    card = IntegrationFactory(company=company_a, sms_double_opt_in_after=AFTER)
    eligible = _shoppers(company_a)
    request_opt_ins(card)
    # staff set the state back by hand: the outbox still remembers the request
    Persona.objects.filter(pk=eligible.pk).update(sms_consent=Consent.UNKNOWN)

    assert request_opt_ins(card) == 0
    assert OutboundMessage.objects.filter(kind=MessageKind.OPT_IN_REQUEST).count() == 1


def test_the_unique_constraint_refuses_a_second_request_whatever_the_caller(company_a):
    from django.db import IntegrityError, transaction

    persona = PersonaFactory(company=company_a)
    values = {
        "company": company_a,
        "persona": persona,
        "to_number": persona.phone,
        "body": "Reply YES",
        "kind": MessageKind.OPT_IN_REQUEST,
        "send_after": NOON_UTC,
    }
    OutboundMessage.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundMessage.objects.create(**values)


def test_removing_the_date_stops_new_requests_and_keeps_who_joined(company_a):
    card = IntegrationFactory(company=company_a, sms_double_opt_in_after=AFTER)
    joined = _shoppers(company_a)
    request_opt_ins(card)
    change_consent(
        joined,
        ConsentChannel.SMS,
        Consent.OPTED_IN,
        ConsentOrigin(ConsentProvenance.DOUBLE_OPT_IN_REPLY),
        shopper_asked=True,
    )
    newcomer = PersonaFactory(company=company_a)
    make_sale(newcomer, "s-new")

    Integration.objects.filter(pk=card.pk).update(sms_double_opt_in_after=None)

    assert request_for_company(company_a.pk) == 0
    assert Persona.objects.get(pk=joined.pk).sms_consent == Consent.OPTED_IN
    assert not OutboundMessage.objects.filter(persona=newcomer).exists()


def test_the_card_form_shows_how_many_would_be_texted_before_saving(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="cova")
    _shoppers(company_a)

    first = owner_a.post(
        f"/admin/integrations/integration/{card.pk}/change/",
        {"sms_double_opt_in_after": AFTER.isoformat()},
    )

    assert first.status_code == 200
    error = first.context["adminform"].form.errors["sms_double_opt_in_after"][0]
    assert "This will text a double opt-in request to 1 shopper who purchased" in error
    assert not OutboundMessage.objects.exists()

    second = owner_a.post(
        f"/admin/integrations/integration/{card.pk}/change/",
        {"sms_double_opt_in_after": AFTER.isoformat(), "confirm_warnings": "on"},
    )
    assert second.status_code == 302
    assert OutboundMessage.objects.filter(kind=MessageKind.OPT_IN_REQUEST).count() == 1


def test_the_card_help_says_removing_the_date_keeps_members(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="cova")

    page = owner_a.get(f"/admin/integrations/integration/{card.pk}/change/").content.decode()

    assert "shoppers who already replied YES stay opted in" in page
