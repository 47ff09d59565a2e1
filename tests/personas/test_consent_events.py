"""Consent events: history written once, moved with merges (and back on undo), and the
never-re-opt rule of ``change_consent``."""

from __future__ import annotations

import pytest

from aiq.personas.choices import Consent, ConsentChannel, ConsentProvenance, MatchedOn
from aiq.personas.consent import (
    CHANGED,
    REFUSED_OPTED_OUT,
    ConsentOrigin,
    change_consent,
)
from aiq.personas.merging import merge_personas, undo_merge
from aiq.personas.models import ConsentEvent, Persona
from tests.factories import PersonaFactory

pytestmark = pytest.mark.django_db

STAFF = ConsentOrigin(ConsentProvenance.STAFF, source="test")


def test_an_event_is_never_edited_or_deleted(company_a):
    persona = PersonaFactory(company=company_a)
    event = change_consent(persona, ConsentChannel.SMS, Consent.OPTED_IN, STAFF).event
    assert event is not None

    event.evidence = "rewritten"
    with pytest.raises(ValueError, match="history"):
        event.save()
    with pytest.raises(ValueError, match="history"):
        event.delete()
    assert ConsentEvent.objects.get(pk=event.pk).evidence == ""


def test_an_opt_out_is_final_unless_the_shopper_asks(company_a):
    persona = PersonaFactory(company=company_a, sms_consent=Consent.OPTED_OUT)

    refused = change_consent(persona, ConsentChannel.SMS, Consent.PENDING, STAFF)
    asked = change_consent(
        persona,
        ConsentChannel.SMS,
        Consent.OPTED_IN,
        ConsentOrigin(ConsentProvenance.KEYWORD_REPLY),
        shopper_asked=True,
    )

    assert (refused.outcome, asked.outcome) == (REFUSED_OPTED_OUT, CHANGED)
    assert Persona.objects.get(pk=persona.pk).sms_consent == Consent.OPTED_IN
    assert ConsentEvent.objects.filter(persona=persona).count() == 1


def test_events_move_with_a_merge_and_back_with_its_undo(company_a):
    survivor = PersonaFactory(company=company_a)
    merged = PersonaFactory(company=company_a)
    event = change_consent(merged, ConsentChannel.EMAIL, Consent.OPTED_OUT, STAFF).event

    merge = merge_personas(survivor, merged, matched_on=MatchedOn.EMAIL)

    assert ConsentEvent.objects.get(pk=event.pk).persona_id == survivor.pk
    restored = undo_merge(merge)
    assert ConsentEvent.objects.get(pk=event.pk).persona_id == restored.pk
