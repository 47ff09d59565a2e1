"""Scheduled redemption jobs (beat entries in settings; twins are management commands)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from loyalty.api.redemption.reconcile import reconcile_due
from loyalty.api.redemption.releasing import release_expired_holds


@shared_task(name="loyalty.release_expired_holds", time_limit=300, soft_time_limit=240)
def release_expired_holds_task() -> str:
    """Every minute: release the holds no checkout committed in time."""
    run = release_expired_holds(timezone.now())
    return f"released {len(run.released)} holds"


@shared_task(name="loyalty.reconcile_redemptions", time_limit=600, soft_time_limit=540)
def reconcile_redemptions_task() -> str:
    """Every 15 minutes: points back for deduct-on-apply redemptions no sale carried."""
    run = reconcile_due(timezone.now())
    return f"confirmed {len(run.confirmed)}, returned {len(run.returned)}"
