"""Celery tasks of the integrations: thin wrappers over ``integrations.sync``.

Tasks take ids and re-fetch; a row that is gone ends the task quietly. Only transient
provider errors are retried (``TransientSyncError``), with capped exponential backoff; a
permanent one has already put the card in "needs attention" and is not retried. Time
limits come from CELERY_TASK_TIME_LIMIT, which a deploy check keeps below the broker's
visibility timeout; a run stops taking new batches before the soft limit and continues
in a fresh task, from the position its last batch saved.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import reset_queries, transaction

from integrations.models import SyncRun
from integrations.sync.choices import RunStatus, Trigger

logger = logging.getLogger("aiq.sync")

# Leave this much of the soft time limit for the batch in progress to finish.
SLICE_ALLOWANCE_SECONDS = 180
MAX_RETRIES = 6


class TransientSyncError(Exception):
    """A run hit a transient provider error; the task retries it later."""


class SyncTask(Task):
    """Marks runs still queued as failed once the retries are exhausted."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):  # type: ignore[no-untyped-def]
        if isinstance(exc, TransientSyncError) and len(args) > 1:
            SyncRun.objects.filter(pk__in=args[1], status=RunStatus.QUEUED).update(
                status=RunStatus.FAILED
            )
        super().on_failure(exc, task_id, args, kwargs, einfo)


@shared_task(name="integrations.dispatch_syncs")
def dispatch_syncs() -> int:
    """Beat, every minute: claim due credentials and queue their runs."""
    from integrations.sync.scheduling import dispatch

    return len(dispatch())


@worker_ready.connect
def _dispatch_when_a_worker_starts(**kwargs: Any) -> None:
    # A card connected while no worker ran (the demo seeded just before `make run` starts
    # the worker) syncs now rather than at beat's first tick a minute later. Claims are
    # conditional updates, so several workers starting at once queue each run once.
    dispatch_syncs.delay()


@shared_task(
    bind=True,
    base=SyncTask,
    name="integrations.sync_credential",
    autoretry_for=(TransientSyncError,),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def sync_credential(self: Task, credential_id: int, run_ids: list[int]) -> dict[str, Any]:
    """Run the queued runs of one credential, customers before sales."""
    from integrations.sync.runner import run_stream

    soft_limit = getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None) or 840
    # At least one batch always runs, so even a tiny budget makes progress.
    deadline = time.monotonic() + max(0, soft_limit - SLICE_ALLOWANCE_SECONDS)
    statuses: dict[str, Any] = {}
    runs = SyncRun.objects.filter(pk__in=run_ids, credential_id=credential_id).select_related(
        "credential"
    )
    ordered = sorted(runs, key=lambda r: (r.stream != "customers", r.pk))
    for index, run in enumerate(ordered):
        if index and time.monotonic() > deadline:
            # A stream started past the deadline would run into the hard limit: it waits
            # for the next task.
            _queue_the_rest(run.credential, None, ordered[index:])
            break
        outcome = run_stream(run, deadline=deadline)
        # With DEBUG on (the embedded run), Django keeps every query's SQL, and a batch
        # upsert's SQL is large: drop it between runs.
        reset_queries()
        statuses[run.stream] = outcome.status
        if outcome.transient_error:
            raise TransientSyncError(str(outcome.error)) from outcome.error
        if outcome.error is not None and outcome.error.stops_credential:
            break  # permanent: the card needs attention, nothing else will work
        if not outcome.complete:
            # The deadline or the soft time limit stopped it: start nothing more here.
            _queue_the_rest(run.credential, run, ordered[index + 1 :])
            break
    return statuses


def _queue_the_rest(credential: Any, unfinished: SyncRun | None, waiting: list[SyncRun]) -> None:
    """One task for what this one leaves: a continuation of the ``unfinished`` run, and
    the ``waiting`` runs it did not start (still queued, as they are)."""
    from integrations.sync.scheduling import create_runs

    streams = [unfinished.stream] if unfinished is not None else []
    streams += SyncRun.objects.filter(
        pk__in=[run.pk for run in waiting], status=RunStatus.QUEUED
    ).values_list("stream", flat=True)
    if streams:
        with transaction.atomic():
            create_runs(
                credential,
                trigger=Trigger.CONTINUATION,
                full=unfinished is not None and unfinished.full,
                streams=streams,
            )


@shared_task(
    name="integrations.push_persona",
    autoretry_for=(TransientSyncError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=MAX_RETRIES,
)
def push_persona(persona_id: int) -> dict[str, str]:
    """Create a persona made on our side in every POS whose card syncs personas."""
    from aiq.personas.models import Persona
    from integrations.sync.outbound import push_persona_everywhere

    persona = Persona.objects.filter(pk=persona_id).first()
    if persona is None:
        return {}
    results = push_persona_everywhere(persona)
    if any(result == "retry" for result in results.values()):
        raise TransientSyncError(f"persona {persona_id}: a POS was unavailable")
    return results
