"""Connect verifies every credential against its POS and says what to do when one fails."""

from __future__ import annotations

import socket

import pytest

from integrations.choices import CredentialState, EventAction, IntegrationStatus, PosKeySource
from integrations.models import IntegrationEvent, PosKey
from integrations.providers.posabit.client import ENHANCED_ACCESS_HINT
from integrations.services.connection import connect, disconnect
from integrations.services.errors import ConnectRefused
from tests.integrations.factories import (
    CredentialFactory,
    IntegrationFactory,
    PosKeyFactory,
    sandbox_values,
)

pytestmark = pytest.mark.django_db

LOCATIONS = {"cova": 3, "posabit": 1, "clover": 1}


def attested_card(provider: str, **kwargs):
    return IntegrationFactory(provider=provider, age_gate_attested=True, **kwargs)


@pytest.mark.parametrize("provider", ["cova", "posabit", "clover"])
def test_connect_verifies_and_discovers_pos_keys(provider, sandbox_origin):
    # given: an attested card with the provider's sandbox credential
    card = attested_card(provider)
    credential = CredentialFactory(integration=card)

    # when
    result = connect(card, sandbox_origin=sandbox_origin)

    # then: connected since now, the credential verified, the POS keys recorded
    card.refresh_from_db()
    credential.refresh_from_db()
    assert result.ok and result.status == IntegrationStatus.CONNECTED
    assert card.status == IntegrationStatus.CONNECTED and card.status_changed_at is not None
    assert credential.state == CredentialState.VERIFIED
    assert (credential.last_error, credential.last_error_code) == ("", "")
    assert credential.last_verified_at is not None
    keys = PosKey.objects.filter(integration=card)
    assert keys.count() == LOCATIONS[provider] == result.keys_found
    assert all(k.source == PosKeySource.POS and k.name and k.credential == credential for k in keys)
    event = IntegrationEvent.objects.get(integration=card, action=EventAction.CONNECTED)
    assert event.changes == {"status": ["not_connected", "connected"]}


def test_connect_again_updates_keys_without_duplicates(sandbox_origin):
    card = attested_card("cova")
    CredentialFactory(integration=card)
    connect(card, sandbox_origin=sandbox_origin)
    first_changed_at = card.status_changed_at
    seen_in_data = PosKey.objects.filter(integration=card).first()
    PosKey.objects.filter(pk=seen_in_data.pk).update(source=PosKeySource.SYNC, has_data=True)

    connect(card, sandbox_origin=sandbox_origin)

    assert PosKey.objects.filter(integration=card).count() == 3
    seen_in_data.refresh_from_db()
    assert (seen_in_data.source, seen_in_data.has_data) == (PosKeySource.SYNC, True)
    card.refresh_from_db()
    assert card.status_changed_at == first_changed_at  # still connected: "since" unchanged


@pytest.mark.parametrize(
    ("provider", "values", "code", "words"),
    [
        (
            "cova",
            {"password": "sandbox-password,fault=temporary-password"},
            "temporary-password",
            "change the temporary password",
        ),
        ("cova", {"username": "wrong-user"}, "bad-credentials", "Username or Password"),
        ("posabit", {"key": "wrong-key"}, "bad-credentials", "POSaBIT did not accept this Key"),
        ("clover", {"merchant_id": "WRONGMERCHANT"}, "bad-credentials", "Merchant ID"),
    ],
)
def test_failing_credential_says_what_to_do(provider, values, code, words, sandbox_origin):
    card = attested_card(provider)
    credential = CredentialFactory(integration=card, values={**sandbox_values(provider), **values})

    result = connect(card, sandbox_origin=sandbox_origin)

    card.refresh_from_db()
    credential.refresh_from_db()
    assert not result.ok
    assert card.status == IntegrationStatus.NEEDS_ATTENTION
    assert card.status_detail == "The credential needs attention"
    assert credential.state == CredentialState.FAILING
    assert credential.last_error_code == code
    assert words.lower() in credential.last_error.lower()
    assert not PosKey.objects.filter(integration=card).exists()
    event = IntegrationEvent.objects.get(integration=card, action=EventAction.CONNECT_FAILED)
    assert credential.last_error in event.message


def test_posabit_without_enhanced_customer_data_access_connects_with_a_warning(sandbox_origin):
    # given: a POSaBIT key whose venue and sales work but whose shoppers are refused
    card = attested_card("posabit")
    credential = CredentialFactory(
        integration=card,
        values={"store_name": "Capitol Hill", "key": "venue-7,fault=no-customer-access"},
    )

    # when
    result = connect(card, sandbox_origin=sandbox_origin)

    # then: connected (sales will sync), with what is missing and what stops on the card
    card.refresh_from_db()
    credential.refresh_from_db()
    assert result.ok and card.status == IntegrationStatus.CONNECTED
    assert (credential.state, credential.last_error) == (CredentialState.VERIFIED, "")
    assert credential.warnings == [ENHANCED_ACCESS_HINT]
    assert "shoppers are not synced; sales still are" in ENHANCED_ACCESS_HINT
    assert PosKey.objects.filter(integration=card).count() == 1


def test_unreachable_pos_is_said_plainly(db):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    card = attested_card("clover")
    credential = CredentialFactory(integration=card)

    connect(card, sandbox_origin=closed)

    credential.refresh_from_db()
    assert credential.last_error_code == "unreachable"
    assert "could not reach" in credential.last_error


def test_one_failing_credential_of_two(sandbox_origin):
    card = attested_card("posabit")
    CredentialFactory(integration=card)
    bad = CredentialFactory(
        integration=card, values={"store_name": "Ballard", "key": "invalid-key"}
    )

    result = connect(card, sandbox_origin=sandbox_origin)

    card.refresh_from_db()
    assert [check.credential.pk for check in result.failures] == [bad.pk]
    assert card.status == IntegrationStatus.NEEDS_ATTENTION
    assert card.status_detail == "1 of 2 credentials need attention"
    assert PosKey.objects.filter(integration=card).count() == 1  # the good one's venue


def test_connect_refuses_without_attestation(db):
    card = IntegrationFactory(provider="cova", age_gate_attested=False)
    credential = CredentialFactory(integration=card)

    with pytest.raises(ConnectRefused, match="age gate"):
        connect(card, sandbox_origin="http://127.0.0.1:9")

    credential.refresh_from_db()
    card.refresh_from_db()
    assert credential.state == CredentialState.UNVERIFIED
    assert card.status == IntegrationStatus.NOT_CONNECTED and card.status_changed_at is None
    assert not IntegrationEvent.objects.filter(integration=card).exists()


def test_connect_refuses_without_credentials(db):
    card = attested_card("clover")

    with pytest.raises(ConnectRefused, match="Add a credential"):
        connect(card)

    assert not IntegrationEvent.objects.filter(integration=card).exists()


def test_connect_with_last_backup_is_frozen(sandbox_origin):
    card = attested_card("clover", use_last_backup=True)
    CredentialFactory(integration=card)

    connect(card, sandbox_origin=sandbox_origin)

    card.refresh_from_db()
    assert card.status == IntegrationStatus.FROZEN


def test_disconnect_keeps_credentials_and_keys(db):
    card = attested_card("cova", status=IntegrationStatus.CONNECTED)
    CredentialFactory(integration=card)
    PosKeyFactory(integration=card)

    assert disconnect(card) is True
    assert disconnect(card) is False  # already disconnected: nothing recorded

    card.refresh_from_db()
    assert card.status == IntegrationStatus.NOT_CONNECTED
    assert card.credentials.count() == 1 and card.pos_keys.count() == 1
    events = IntegrationEvent.objects.filter(integration=card)
    assert [e.action for e in events] == [EventAction.DISCONNECTED]
