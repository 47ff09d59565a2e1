"""A lease per store so two menu syncs never overlap: a conditional UPDATE claims it."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from ecommerce.models import CovaEcommerceSettings

# Longer than any sane run; a worker that died mid-run frees the store after this.
LEASE_DURATION = timedelta(minutes=15)


def acquire(settings_id: int) -> str | None:
    """A lease token when this caller now holds the store's lease, else None."""
    now = timezone.now()
    token = str(uuid.uuid4())
    claimed = (
        CovaEcommerceSettings.objects.filter(pk=settings_id)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
        .update(lease_token=token, lease_expires_at=now + LEASE_DURATION)
    )
    return token if claimed == 1 else None


def release(settings_id: int, token: str) -> None:
    """Give the lease back (only if still ours: an expired one may have a new holder)."""
    CovaEcommerceSettings.objects.filter(pk=settings_id, lease_token=token).update(
        lease_token="", lease_expires_at=None
    )
