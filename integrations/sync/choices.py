"""Status constants of the sync engine."""

from __future__ import annotations

from django.db import models


class Stream(models.TextChoices):
    """What a sync pulls from a POS. Customers run before sales, so sales find personas."""

    CUSTOMERS = "customers", "Customers"
    SALES = "sales", "Sales"


STREAMS: tuple[str, ...] = (Stream.CUSTOMERS, Stream.SALES)


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SYNCING = "syncing", "Syncing"
    OK = "ok", "OK"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class Trigger(models.TextChoices):
    """Why a run started."""

    SCHEDULE = "schedule", "Schedule"
    NIGHTLY = "nightly", "Nightly full reconciliation"
    MANUAL = "manual", "Sync now"
    COMMAND = "command", "Command line"
    RETRY = "retry", "Quarantine retry"
    CONTINUATION = "continuation", "Continuation of a long run"
