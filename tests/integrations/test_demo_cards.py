"""The demo account's three cards, connected to the sandboxes by seed_demo."""

from __future__ import annotations

import pytest

from aiq.ops.demo import seed_demo
from integrations.choices import CredentialState, IntegrationStatus
from integrations.models import Credential, Integration, IntegrationEvent, PosKey

pytestmark = pytest.mark.django_db


def test_seed_demo_connects_three_sandbox_cards_once():
    first = seed_demo("Demo-Pass-1")
    events = IntegrationEvent.objects.count()

    second = seed_demo("Demo-Pass-1")

    assert (first.cards_connected, second.cards_connected) == (3, 0)
    cards = {card.provider: card for card in Integration.objects.all()}
    assert set(cards) == {"cova", "posabit", "clover"}
    for card in cards.values():
        assert card.company == first.company
        assert card.status == IntegrationStatus.CONNECTED
        # attested by the demo's set-up (AIQ), not in a person's name
        assert card.age_gate_attested and card.age_gate_attested_by is None
    assert Credential.objects.count() == 3
    assert all(
        c.is_sandbox and c.state == CredentialState.VERIFIED for c in Credential.objects.all()
    )
    posabit = Credential.objects.get(integration__provider="posabit")
    assert posabit.public_fields == {"store_name": "Capitol Hill"}  # no integrator token stored
    assert PosKey.objects.count() == 5  # 3 Cova locations, 1 POSaBIT venue, 1 Clover merchant
    assert IntegrationEvent.objects.count() == events  # the re-run changed nothing
