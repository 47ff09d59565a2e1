"""Re-encrypt every POS credential under the first key of FIELD_ENCRYPTION_KEYS."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from aiq.crypto import InvalidToken
from integrations.services.rotation import rotate_credential_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored POS credential under the newest (first) key of "
        "FIELD_ENCRYPTION_KEYS. Put the new key first, keep the old ones, run this, then "
        "remove the old keys."
    )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        try:
            count = rotate_credential_keys()
        except InvalidToken:
            raise CommandError(
                "A credential cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS: keep "
                "the old key in the list (after the new one) and run this again. Nothing was "
                "changed."
            ) from None
        self.stdout.write(f"Re-encrypted {count} credential(s) under the newest key.")
