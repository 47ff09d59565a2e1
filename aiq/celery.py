"""The Celery application, configured from Django settings (CELERY_* names)."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_process_init

from aiq.memory import pin_mmap_threshold

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiq.settings")

app = Celery("aiq")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _flat_memory_in_workers(**kwargs) -> None:  # type: ignore[no-untyped-def]
    # Syncs page through large feeds; see aiq/memory.py.
    pin_mmap_threshold()
