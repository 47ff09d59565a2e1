"""Every store with COVA ecommerce enabled syncs its menu every 10 minutes.

Beat runs ``dispatch`` every minute: it claims each due store by moving its next_sync_at
forward with a conditional UPDATE (only one dispatcher wins a store) and queues its run.
A store just enabled has a blank next_sync_at, so its first sync starts within a minute.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from ecommerce.choices import VerificationState
from ecommerce.models import CovaEcommerceSettings

MENU_SYNC_INTERVAL = timedelta(minutes=10)


def claim_due() -> list[int]:
    """Ids of the stores whose menu sync is due, each claimed by this caller alone."""
    now = timezone.now()
    due = CovaEcommerceSettings.objects.filter(
        Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now),
        enabled=True,
        verification_state=VerificationState.VERIFIED,
    ).values_list("pk", "next_sync_at")
    claimed = []
    for pk, next_sync_at in due:
        won = CovaEcommerceSettings.objects.filter(pk=pk, next_sync_at=next_sync_at).update(
            next_sync_at=now + MENU_SYNC_INTERVAL
        )
        if won:
            claimed.append(pk)
    return claimed


def dispatch() -> list[int]:
    """Claim the due stores and queue a menu sync for each."""
    from ecommerce.tasks import sync_menu

    claimed = claim_due()
    for pk in claimed:
        sync_menu.delay(pk)
    return claimed
