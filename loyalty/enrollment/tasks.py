"""Celery task of loyalty enrollment (registered by aiq/celery.py's autodiscovery)."""

from __future__ import annotations

from celery import shared_task

from loyalty.enrollment.daily import run_daily


@shared_task(name="loyalty.enroll_purchased_after")
def enroll_purchased_after_task() -> int:
    """Daily: every card's "purchased after" setting; returns how many were enrolled."""
    return sum(result.enrolled for result in run_daily())
