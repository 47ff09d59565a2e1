"""Celery tasks (beat schedule in aiq/settings.py); twins: manage.py send_texts and
manage.py send_double_opt_ins."""

from __future__ import annotations

import logging

from celery import shared_task

from aiq.messaging.double_opt_in import request_for_company
from aiq.messaging.sending import send_due_texts as send_due

logger = logging.getLogger(__name__)


@shared_task(name="messaging.send_due_texts", soft_time_limit=240, time_limit=300)
def send_due_texts() -> dict[str, int]:
    counts = send_due().counts
    if counts:
        logger.info("Outbox pass: %s", counts)
    return counts


@shared_task(name="messaging.send_double_opt_ins", soft_time_limit=1500, time_limit=1800)
def send_double_opt_ins() -> int:
    queued = request_for_company()
    logger.info("Double opt-in requests queued: %d", queued)
    return queued
