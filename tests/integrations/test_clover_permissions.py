"""A Clover token without Write for Customers connects (reading works), and Connect says
which permission is missing and what stops working."""

from __future__ import annotations

import pytest

from integrations.choices import CredentialState, IntegrationStatus
from integrations.services.connection import connect
from tests.integrations.factories import CredentialFactory, IntegrationFactory, sandbox_values

pytestmark = pytest.mark.django_db
PAGE = "/admin/integrations/integration/"
WARNING = (
    "The Clover API Token does not have the Write permission for Customers: Sync Personas "
    "cannot create or update shoppers from AIQ to Clover. Reading shoppers and sales works. "
    "To fix it, create a new token in Clover (Account & Setup > Business Operations > API "
    "Tokens) with all Read boxes and Write for Customers, and change the credential's API "
    "Token."
)


def clover_card(company, option: str = ""):
    card = IntegrationFactory(company=company, provider="clover", age_gate_attested=True)
    credential = CredentialFactory(integration=card, values=sandbox_values("clover", option))
    return card, credential


def test_token_without_write_customers_connects_with_a_warning(company_a, sandbox_origin):
    # given: a token lacking Write for Customers
    card, credential = clover_card(company_a, "fault=no-write-customers")

    # when
    result = connect(card, sandbox_origin=sandbox_origin)

    # then: connected and verified, with the missing permission named
    card.refresh_from_db()
    credential.refresh_from_db()
    assert result.ok and card.status == IntegrationStatus.CONNECTED
    assert credential.state == CredentialState.VERIFIED
    assert credential.warnings == [WARNING]
    assert [check.warnings for check in result.checks] == [[WARNING]]


def test_token_with_every_permission_has_no_warning(company_a, sandbox_origin):
    card, credential = clover_card(company_a)

    connect(card, sandbox_origin=sandbox_origin)

    credential.refresh_from_db()
    assert credential.state == CredentialState.VERIFIED
    assert credential.warnings == []


def test_the_card_shows_the_warning_after_connect(owner_a, company_a, sandbox_origin, settings):
    # given: the admin's Connect talks to the test sandbox
    settings.POS_SANDBOX_ORIGIN = sandbox_origin
    card, _credential = clover_card(company_a, "fault=no-write-customers")

    # when: staff click Connect
    response = owner_a.post(
        f"{PAGE}{card.pk}/change/", {"age_gate_attested": "on", "_connect": "1"}, follow=True
    )

    # then: the page says it is connected, and what the token lacks
    html = response.content.decode()
    messages = [str(message) for message in response.context["messages"]]
    assert any(message.startswith("Clover is connected") for message in messages)
    assert any("does not have the Write permission for Customers" in m for m in messages)
    assert 'aria-label="Credential warnings"' in html
    assert "Sync Personas cannot create or update shoppers from AIQ to Clover" in html


def test_a_warning_goes_when_the_credential_is_changed(company_a, sandbox_origin):
    card, credential = clover_card(company_a, "fault=no-write-customers")
    connect(card, sandbox_origin=sandbox_origin)

    from integrations.services.credentials import update_credential

    update_credential(credential, sandbox_values("clover"))
    credential.refresh_from_db()
    assert credential.warnings == []
    connect(card, sandbox_origin=sandbox_origin)
    credential.refresh_from_db()
    assert credential.warnings == []
