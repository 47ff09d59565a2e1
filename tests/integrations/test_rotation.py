"""rotate_credential_keys re-encrypts every credential under the newest key; with the old
key gone everything still decrypts and verifies."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from aiq.crypto import reset_keys_cache
from integrations.choices import EventAction, IntegrationStatus
from integrations.models import Credential, IntegrationEvent
from integrations.services.connection import connect
from tests.integrations.factories import CredentialFactory, IntegrationFactory

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def use_keys(settings):
    def use(*keys: str) -> None:
        settings.FIELD_ENCRYPTION_KEYS = list(keys)
        reset_keys_cache()

    yield use
    reset_keys_cache()  # the next reader loads the restored settings


def test_rotation_then_dropping_the_old_key(use_keys, sandbox_origin, capsys):
    # given: credentials on two cards, encrypted under the old key
    use_keys(OLD)
    cova = IntegrationFactory(provider="cova", age_gate_attested=True)
    clover = IntegrationFactory(company=cova.company, provider="clover", age_gate_attested=True)
    credentials = [
        CredentialFactory(integration=cova),
        CredentialFactory(
            integration=cova,
            values={
                "client_id": "B.AIQ",
                "client_secret": "s2",
                "username": "AIQ.COVA.APIUser.B",
                "password": "pw-b-2222",
            },
        ),
        CredentialFactory(integration=clover),
    ]
    before = {c.pk: c.secret_fields_encrypted for c in credentials}

    # when: the new key goes in front and the command runs
    use_keys(NEW, OLD)
    call_command("rotate_credential_keys")

    # then: every token changed and only the new key reads them
    assert "Re-encrypted 3 credential(s)" in capsys.readouterr().out
    for credential in Credential.objects.all():
        assert credential.secret_fields_encrypted != before[credential.pk]
        assert Fernet(NEW.encode()).decrypt(credential.secret_fields_encrypted.encode())
    rotated = IntegrationEvent.objects.filter(action=EventAction.KEYS_ROTATED)
    assert {(e.integration_id, e.changes["credentials re-encrypted"][1]) for e in rotated} == {
        (cova.pk, 2),
        (clover.pk, 1),
    }

    # and: with the old key removed, the values decrypt and verify against the sandbox
    use_keys(NEW)
    assert Credential.objects.get(pk=credentials[1].pk).values()["password"] == "pw-b-2222"
    for card in (cova, clover):
        result = connect(card, sandbox_origin=sandbox_origin)
        assert result.ok, [check.message for check in result.failures]
        card.refresh_from_db()
        assert card.status == IntegrationStatus.CONNECTED


def test_rotation_without_the_old_key_changes_nothing(use_keys):
    use_keys(OLD)
    credential = CredentialFactory(integration=IntegrationFactory(provider="clover"))
    before = credential.secret_fields_encrypted

    use_keys(NEW)
    with pytest.raises(CommandError, match="keep the old key"):
        call_command("rotate_credential_keys")

    credential.refresh_from_db()
    assert credential.secret_fields_encrypted == before
    assert not IntegrationEvent.objects.filter(action=EventAction.KEYS_ROTATED).exists()


def test_a_credential_unreadable_after_a_key_loss_says_what_to_do(use_keys, sandbox_origin):
    use_keys(OLD)
    card = IntegrationFactory(provider="clover", age_gate_attested=True)
    credential = CredentialFactory(integration=card)

    use_keys(NEW)
    connect(card, sandbox_origin=sandbox_origin)

    credential.refresh_from_db()
    assert credential.last_error_code == "undecryptable"
    assert "Remove it and add it again" in credential.last_error
