"""Creating, finding and revoking API keys. The key is shown once; only its sha256 is kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from aiq.accounts.models import Company
from loyalty.api.models import ApiKey
from loyalty.program.models import LoyaltyProgram

PREFIX_LENGTH = 8


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    plaintext: str  # shown once, never stored


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_api_key(
    company: Company, name: str, *, store: Any = None, created_by: Any = None
) -> NewKey:
    key = ApiKey(company=company, name=name.strip(), store=store, created_by=created_by)
    plaintext = fill_secret(key)
    key.save()
    return NewKey(key, plaintext)


def fill_secret(key: ApiKey) -> str:
    """Give an unsaved key its secret: the prefix and hash are kept, the key is returned."""
    plaintext = secrets.token_urlsafe(32)
    key.prefix = plaintext[:PREFIX_LENGTH]
    key.hash = hash_key(plaintext)
    return plaintext


def find_active_key(plaintext: str) -> ApiKey | None:
    """The active key whose hash matches, compared in constant time; None otherwise."""
    if not plaintext or len(plaintext) > 200:
        return None
    digest = hash_key(plaintext)
    candidates = ApiKey.objects.filter(
        prefix=plaintext[:PREFIX_LENGTH], revoked_at__isnull=True
    ).select_related(
        # The program comes along: the wallet and redemption read it on every call.
        "company__loyalty_program",
        "store",
    )
    for key in candidates:
        if hmac.compare_digest(key.hash, digest):
            return key
    return None


def key_program(key: ApiKey) -> LoyaltyProgram | None:
    """The key's company's loyalty program (None before its first save); no query when
    the key came from ``find_active_key``."""
    try:
        return key.company.loyalty_program
    except LoyaltyProgram.DoesNotExist:
        return None


def revoke(keys: Any) -> int:
    """Revoke the given keys (a queryset); already revoked ones keep their date."""
    return int(keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now()))
