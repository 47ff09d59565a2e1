"""The demo's Cova card enrolls its buyers in loyalty; seeding again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command

from aiq.ops.demo import DEMO_ENROLL_AFTER, seed_demo
from aiq.personas.choices import EnrollmentRoute
from aiq.personas.models import Persona, Sale
from integrations.models import Integration, IntegrationEvent
from integrations.sandbox import server


@pytest.mark.django_db
def test_the_demo_cova_card_enrolls_buyers_and_a_second_seed_writes_nothing():
    # given the seeded demo
    seed_demo()
    cova = Integration.objects.get(provider="cova")
    assert cova.enroll_loyalty_after == DEMO_ENROLL_AFTER
    assert (
        Integration.objects.exclude(provider="cova")
        .filter(enroll_loyalty_after__isnull=False)
        .count()
        == 0
    )
    events = IntegrationEvent.objects.count()

    # when it is seeded again, then the card and its history are as they were
    seed_demo()
    cova.refresh_from_db()
    assert cova.enroll_loyalty_after == DEMO_ENROLL_AFTER
    assert IntegrationEvent.objects.count() == events


@pytest.fixture
def sandbox_origin(monkeypatch, settings):
    monkeypatch.setattr(server, "get_wsgi_application", WSGIHandler)
    with server.running_sandbox() as origin:
        settings.POS_SANDBOX_ORIGIN = origin
        yield origin


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_synced_demo_has_its_cova_buyers_enrolled_from_their_first_sale(sandbox_origin):
    seed_demo()

    call_command("sync_pos", "--all", "--json", stdout=io.StringIO(), stderr=io.StringIO())

    buyers = Persona.objects.filter(sales__source="cova", sales__is_refund=False).distinct()
    assert buyers.count() > 10
    assert not buyers.filter(loyalty_enrolled_at__isnull=True).exists()
    for persona in buyers[:20]:
        first = (
            Sale.objects.filter(persona=persona, source="cova", is_refund=False)
            .order_by("occurred_at")
            .first()
        )
        assert first is not None
        assert persona.loyalty_enrolled_at <= first.occurred_at
    assert buyers.filter(loyalty_enrollment_route=EnrollmentRoute.PURCHASED_AFTER).exists()
