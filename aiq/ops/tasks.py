from __future__ import annotations

import socket

from celery import shared_task
from django.utils import timezone

from aiq.ops.models import Heartbeat


@shared_task(name="ops.record_heartbeat")
def record_heartbeat(name: str = "worker") -> str:
    """Stamp that a worker ran a task; beat schedules it every minute."""
    Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": timezone.now(), "detail": socket.gethostname()}
    )
    return name
