from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from loyalty.expiry_jobs.run import expire_points
from loyalty.program.points import say_points


@shared_task(name="loyalty.expire_points", time_limit=3300, soft_time_limit=3000)
def expire_points_task() -> str:
    """Nightly: expire what the companies' rules say has expired (see expiry_jobs.run)."""
    results = expire_points(timezone.now())
    return ", ".join(
        f"{r.company}: {say_points(r.points)} points from {r.accounts} accounts" for r in results
    )
