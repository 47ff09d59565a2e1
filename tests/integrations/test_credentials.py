"""Adding, changing and removing credentials: validated per provider, history masked."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from integrations.choices import CredentialState, EventAction, IntegrationStatus, PosKeySource
from integrations.models import Credential, IntegrationEvent, PosKey
from integrations.services.credentials import (
    add_credential,
    remove_credential,
    update_credential,
)
from tests.factories import RetailStoreFactory
from tests.integrations.factories import (
    CredentialFactory,
    IntegrationFactory,
    PosKeyFactory,
    StoreMappingFactory,
    sandbox_values,
)

pytestmark = pytest.mark.django_db


def test_add_credential_encrypts_secrets_and_records_masks(db):
    card = IntegrationFactory(provider="cova")
    values = {**sandbox_values("cova"), "password": "Perm-Pass-7731"}

    credential = add_credential(card, values, is_sandbox=True)

    assert credential.public_fields == {
        "client_id": "EVERGREEN.AIQ",
        "username": "AIQ.COVA.APIUser.EVERGREEN",
    }
    # 21 characters: the last 4; 14 characters: no more than a quarter, 3
    assert credential.secret_hint("client_secret") == "cret"
    assert credential.secret_hint("password") == "731"
    assert credential.values()["password"] == "Perm-Pass-7731"
    assert credential.state == CredentialState.UNVERIFIED
    event = IntegrationEvent.objects.get(integration=card)
    assert event.action == EventAction.CREDENTIAL_ADDED
    assert event.changes["password"] == [None, "\u2022\u2022\u2022\u2022731"]
    assert event.changes["is_sandbox"] == [None, True]
    assert "Perm-Pass" not in str(event.changes)


@pytest.mark.parametrize(
    ("provider", "missing", "message"),
    [
        ("cova", "password", "Enter the Password."),
        ("posabit", "store_name", "Enter the Store Name."),
        ("clover", "api_token", "Enter the API Token."),
    ],
)
def test_required_fields_are_field_errors(provider, missing, message):
    card = IntegrationFactory(provider=provider)
    values = {**sandbox_values(provider), missing: "  "}

    with pytest.raises(ValidationError) as caught:
        add_credential(card, values)

    assert caught.value.message_dict == {missing: [message]}
    assert not Credential.objects.exists()
    assert not IntegrationEvent.objects.exists()


def test_posabit_one_credential_per_store_name():
    card = IntegrationFactory(provider="posabit")
    add_credential(card, {"store_name": "Capitol Hill", "key": "key-one-1111"})

    with pytest.raises(ValidationError) as caught:
        add_credential(card, {"store_name": " capitol hill ", "key": "key-two-2222"})

    assert list(caught.value.message_dict) == ["store_name"]
    assert "one key per store" in caught.value.message_dict["store_name"][0]
    assert card.credentials.count() == 1
    # another store is fine, and its market is normalised
    other = add_credential(
        card, {"store_name": "Ballard", "key": "key-two-2222", "relevant_market": "wa"}
    )
    assert other.public_fields["relevant_market"] == "WA"


def test_posabit_relevant_market_must_be_a_code():
    card = IntegrationFactory(provider="posabit")

    with pytest.raises(ValidationError) as caught:
        add_credential(card, {"store_name": "A", "key": "k-1234", "relevant_market": "Washingtn"})

    assert "Washingtn" in caught.value.message_dict["relevant_market"][0]


def test_clover_merchant_id_is_checked_for_real_credentials():
    card = IntegrationFactory(provider="clover")

    with pytest.raises(ValidationError) as caught:
        add_credential(card, {"merchant_id": "abc", "api_token": "tok-123456"})
    assert "13 letters and digits" in caught.value.message_dict["merchant_id"][0]

    credential = add_credential(card, {"merchant_id": "abcd1234abcd1", "api_token": "tok-1234"})
    assert credential.public_fields["merchant_id"] == "ABCD1234ABCD1"
    with pytest.raises(ValidationError) as caught:
        add_credential(card, {"merchant_id": "ABCD1234ABCD1", "api_token": "tok-5678"})
    assert "already has a credential" in caught.value.message_dict["merchant_id"][0]


def test_update_keeps_a_blank_secret_and_masks_a_new_one():
    card = IntegrationFactory(provider="cova")
    credential = CredentialFactory(integration=card)
    Credential.objects.filter(pk=credential.pk).update(state=CredentialState.FAILING)
    credential.refresh_from_db()

    changes = update_credential(
        credential,
        {**sandbox_values("cova"), "client_secret": "", "password": "New-Permanent-9876"},
    )

    credential.refresh_from_db()
    assert credential.values()["client_secret"] == "sandbox-client-secret"  # kept
    assert credential.values()["password"] == "New-Permanent-9876"
    assert changes == {"password": ["\u2022\u2022\u2022\u2022word", "\u2022\u2022\u2022\u20229876"]}
    assert credential.state == CredentialState.UNVERIFIED
    event = IntegrationEvent.objects.get(action=EventAction.CREDENTIAL_CHANGED)
    assert "New-Permanent" not in str(event.changes)


def test_update_with_same_values_records_nothing():
    credential = CredentialFactory(integration=IntegrationFactory(provider="clover"))

    assert update_credential(credential, {"merchant_id": "SANDBOXMERCH1", "api_token": ""}) == {}
    assert not IntegrationEvent.objects.exists()


def test_remove_credential_prunes_its_unmapped_keys_and_disconnects_an_empty_card():
    card = IntegrationFactory(provider="cova", status=IntegrationStatus.CONNECTED)
    credential = CredentialFactory(integration=card)
    unused = PosKeyFactory(integration=card, credential=credential, key="1")
    with_data = PosKeyFactory(integration=card, credential=credential, key="2", has_data=True)
    mapped = PosKeyFactory(integration=card, credential=credential, key="3")
    seen_in_sync = PosKeyFactory(
        integration=card, credential=credential, key="4", source=PosKeySource.SYNC
    )
    StoreMappingFactory(store=RetailStoreFactory(company=card.company), key="3")

    remove_credential(credential)

    assert not Credential.objects.exists()
    remaining = set(PosKey.objects.values_list("pk", flat=True))
    assert remaining == {with_data.pk, mapped.pk, seen_in_sync.pk}
    assert unused.pk not in remaining
    card.refresh_from_db()
    assert card.status == IntegrationStatus.NOT_CONNECTED
    event = IntegrationEvent.objects.get(action=EventAction.CREDENTIAL_REMOVED)
    assert event.changes["status"] == ["connected", "not_connected"]
    assert event.changes["password"] == ["\u2022\u2022\u2022\u2022word", None]
