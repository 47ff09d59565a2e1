"""What production (DJANGO_DEBUG=false) refuses at start-up, with what to set instead.

Called from settings, so the web server, the Celery worker and beat and every
`manage.py` command stop before serving anything; `check --deploy` alone is too easy to
skip.
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

GENERATE_KEY = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


def refuse_unsafe_production(
    *, sandbox_enabled: bool, field_encryption_keys: Sequence[str]
) -> None:
    """Raise ImproperlyConfigured, naming every variable to set, if production is unsafe."""
    problems = []
    if sandbox_enabled:
        problems.append(
            "POS_SANDBOX_ENABLED is true: /sandbox/ would serve fake Cova, POSaBIT and Clover "
            "APIs to anyone and write their records into this database. "
            "Set POS_SANDBOX_ENABLED=false."
        )
    keys = [key for key in field_encryption_keys if key]
    if not keys:
        problems.append(
            "FIELD_ENCRYPTION_KEYS is not set: POS credentials could not be saved. "
            f"Set FIELD_ENCRYPTION_KEYS to one or more Fernet keys, newest first ({GENERATE_KEY})."
        )
    else:
        invalid = [str(position) for position, key in enumerate(keys, 1) if not _is_fernet(key)]
        if invalid:
            problems.append(
                f"FIELD_ENCRYPTION_KEYS: key number {', '.join(invalid)} is not a Fernet key. "
                f"Set FIELD_ENCRYPTION_KEYS to keys made by {GENERATE_KEY}."
            )
    if problems:
        raise ImproperlyConfigured(
            "Refusing to start with DJANGO_DEBUG=false: " + " ".join(problems)
        )


def _is_fernet(key: str) -> bool:
    try:
        Fernet(key.encode())
    except (ValueError, binascii.Error):
        return False
    return True
