"""The Celery application, configured from Django settings (CELERY_* names)."""

from __future__ import annotations

import os
import warnings

from celery import Celery
from celery.exceptions import SecurityWarning
from celery.signals import worker_process_init

from aiq.memory import pin_mmap_threshold

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiq.settings")

app = Celery("aiq")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Loyalty keeps its tasks beside the services they run (loyalty/<part>/tasks.py).
app.autodiscover_tasks(["loyalty.enrollment", "loyalty.api.redemption"])

if str(app.conf.broker_url).startswith("filesystem://"):
    # The embedded run (`make run`) is a developer's or a demo's machine, often a container
    # whose only user is root; Celery's "running as superuser" warning would greet every
    # start there. Production (a real broker) keeps the warning.
    warnings.filterwarnings("ignore", category=SecurityWarning)


@worker_process_init.connect
def _flat_memory_in_workers(**kwargs) -> None:  # type: ignore[no-untyped-def]
    # Syncs page through large feeds; see aiq/memory.py.
    pin_mmap_threshold()
