"""The dashboard's "At a glance": facts a manager checks first, limited by role, and a
card's status derived from its credentials as the card itself shows it."""

from __future__ import annotations

import re

import pytest

from integrations.choices import CredentialState, IntegrationStatus
from tests.factories import PersonaFactory
from tests.integrations.factories import CredentialFactory, IntegrationFactory

pytestmark = pytest.mark.django_db


def _glance(html: str) -> str:
    found = re.search(
        r'<div id="content-related" class="hub-glance">(.*?)</div>\s*</div>', html, re.S
    )
    assert found, "the dashboard has an At a glance panel"
    return re.sub(r"\s+", " ", found.group(1))


def test_owner_sees_counts_and_every_cards_status(owner_a, company_a, company_b):
    # Given 3 personas (2 enrolled) here, 5 in another company, and two cards
    PersonaFactory.create_batch(2, company=company_a, loyalty_enrolled_at="2026-11-01T10:00Z")
    PersonaFactory(company=company_a)
    PersonaFactory.create_batch(5, company=company_b)
    cova = IntegrationFactory(
        company=company_a, provider="cova", status=IntegrationStatus.CONNECTED
    )
    CredentialFactory(integration=cova, state=CredentialState.VERIFIED)
    clover = IntegrationFactory(
        company=company_a, provider="clover", status=IntegrationStatus.CONNECTED
    )
    CredentialFactory(integration=clover, state=CredentialState.FAILING)

    glance = _glance(owner_a.get("/admin/").content.decode())

    assert re.search(r">Personas</a></th><td>3<", glance)
    assert re.search(r">Loyalty members</a></th><td>2<", glance)
    # Cova first (the registry's order), each status derived from its credentials
    assert re.search(r">Cova</a>.*Connected.*>Clover</a>.*Needs attention", glance)


def test_budtender_sees_personas_only(budtender_a, company_a):
    PersonaFactory(company=company_a)
    IntegrationFactory(company=company_a, provider="cova")

    glance = _glance(budtender_a.get("/admin/").content.decode())

    assert ">Personas</a>" in glance
    assert "Integrations" not in glance and "Cova" not in glance and "Sales" not in glance
