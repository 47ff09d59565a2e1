"""The queue's scheduled work: the daily refresh of each company's VIP line."""

from __future__ import annotations

from celery import shared_task

from stores.queue.vip import refresh_stale_lines


@shared_task(name="queue.refresh_vip_lines", time_limit=1800, soft_time_limit=1700)
def refresh_vip_lines() -> int:
    return refresh_stale_lines()
