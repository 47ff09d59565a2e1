"""Re-encrypting every stored credential under the newest encryption key.

FIELD_ENCRYPTION_KEYS lists keys newest first. To rotate: put a new key in front, run
``manage.py rotate_credential_keys``, then drop the old key once it has finished.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction

from aiq.crypto import reencrypt, reset_keys_cache
from integrations.choices import EventAction
from integrations.models import Credential, Integration
from integrations.services.history import record_event

BATCH_SIZE = 500


@transaction.atomic
def rotate_credential_keys(actor: Any = None) -> int:
    """Re-encrypt every credential's secrets under the first key; records one
    "Encryption key rotated" event per card. Returns how many credentials were rotated.

    Raises ``cryptography.fernet.InvalidToken`` (and changes nothing) if a secret cannot
    be decrypted with any configured key.
    """
    reset_keys_cache()  # read FIELD_ENCRYPTION_KEYS as they are now
    per_card: Counter[int] = Counter()
    batch: list[Credential] = []
    queryset = (
        Credential.objects.exclude(secret_fields_encrypted="")
        .select_for_update()
        .only("pk", "integration_id", "secret_fields_encrypted")
        .order_by("pk")
    )
    for credential in queryset.iterator(chunk_size=BATCH_SIZE):
        credential.secret_fields_encrypted = reencrypt(credential.secret_fields_encrypted)
        per_card[credential.integration_id] += 1
        batch.append(credential)
        if len(batch) >= BATCH_SIZE:
            Credential.objects.bulk_update(batch, ["secret_fields_encrypted"])
            batch = []
    if batch:
        Credential.objects.bulk_update(batch, ["secret_fields_encrypted"])
    _rotate_sms_auth_tokens()
    for card in Integration.objects.filter(pk__in=per_card):
        count = per_card[card.pk]
        record_event(
            card,
            EventAction.KEYS_ROTATED,
            actor=actor,
            changes={"credentials re-encrypted": [None, count]},
            message=f"{count} credential(s) re-encrypted under the newest key",
        )
    return sum(per_card.values())


def _rotate_sms_auth_tokens() -> None:
    """The SMS providers' auth tokens are encrypted with the same keys (aiq/messaging)."""
    from aiq.messaging.models import SmsSettings

    for sms in SmsSettings.objects.exclude(auth_token_encrypted="").select_for_update():
        SmsSettings.objects.filter(pk=sms.pk).update(
            auth_token_encrypted=reencrypt(sms.auth_token_encrypted)
        )
