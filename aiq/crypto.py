"""Encrypting secrets at rest (POS credentials) with cryptography's MultiFernet.

FIELD_ENCRYPTION_KEYS lists Fernet keys, newest first: the first encrypts, every one
decrypts, so a new key is added in front and `manage.py rotate_credential_keys`
re-encrypts everything under it before the old key is removed.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "reencrypt"]


def _dev_key() -> bytes:
    # Only when DEBUG and no keys are configured: a key derived from SECRET_KEY, so the
    # embedded run works out of the box. `check --deploy` refuses this in production.
    digest = hashlib.sha256(f"field-encryption:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


@cache
def _fernet() -> MultiFernet:
    keys = [key.encode() for key in settings.FIELD_ENCRYPTION_KEYS if key]
    if not keys:
        if not settings.DEBUG:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set in production.")
        keys = [_dev_key()]
    return MultiFernet([Fernet(key) for key in keys])


def reset_keys_cache() -> None:
    """Forget the loaded keys (after settings change, e.g. in tests or a rotation)."""
    _fernet.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def reencrypt(token: str) -> str:
    """The same secret encrypted under the first (newest) key."""
    return _fernet().rotate(token.encode()).decode()
