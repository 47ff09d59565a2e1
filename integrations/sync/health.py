"""What a card shows about its syncs, and how a permanent failure reaches it."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from integrations.choices import CredentialState, EventAction
from integrations.models import (
    Credential,
    Integration,
    QuarantinedRecord,
    SyncCursor,
    SyncRun,
)
from integrations.providers.errors import ProviderError
from integrations.sync.choices import STREAMS, RunStatus, Stream

logger = logging.getLogger("aiq.sync")

RECENT_RUNS = 10


def mark_needs_attention(credential: Credential, error: ProviderError) -> None:
    """A permanent error: the credential is failing and the card needs a person.

    Scheduling skips failing credentials, so nothing retries until staff fix the
    credential and connect again. The card's status is derived again from its
    credentials (``integrations.services.status``), under a row lock so two workers
    failing at once record one change.

    An error that stops one stream only (``error.only_stream``: POSaBIT shoppers without
    Enhanced Customer Data Access) leaves the credential syncing its other streams and
    puts the message among the card's warnings instead.
    """
    from integrations.services.history import record_event
    from integrations.services.status import refresh_status

    message = error.user_message
    if not error.stops_credential:
        warn_on_card(credential, message)
        return
    with transaction.atomic():
        Credential.objects.filter(pk=credential.pk).update(
            state=CredentialState.FAILING,
            last_error_code=error.code[:40],
            last_error=message,
        )
        integration = Integration.objects.select_for_update().get(pk=credential.integration_id)
        changes = refresh_status(integration)
        if changes:
            record_event(
                integration,
                EventAction.STATUS_CHANGED,
                changes=changes,
                message=f"Sync of {credential.display_name} stopped: {message}",
            )


def warn_on_card(credential: Credential, message: str) -> None:
    """Add ``message`` to the credential's warnings on the card, once (under a row lock:
    the streams of one credential may fail at the same time)."""
    with transaction.atomic():
        locked = Credential.objects.select_for_update().only("warnings").get(pk=credential.pk)
        if message in (locked.warnings or []):
            return
        warnings = [*(locked.warnings or []), message]
        Credential.objects.filter(pk=credential.pk).update(warnings=warnings)
    credential.warnings = warnings
    logger.warning("credential %s: one stream stopped: %s", credential.pk, message)


BUSY_MESSAGE = "Another run of this stream was in progress; this one did not start."


def busy_message(cursor: SyncCursor, now: datetime) -> str:
    """Why a run did not start, and when the run holding the stream lets go of it.

    After a dead worker its lease simply runs out (``lease.py``): saying when tells staff
    how long until the stream syncs again, in the server's local time.
    """
    expires = SyncCursor.objects.filter(pk=cursor.pk).values_list("locked_until", flat=True).first()
    if expires is None or expires <= now:
        return BUSY_MESSAGE  # it let go in the meantime
    seconds = (expires - now).total_seconds()
    minutes = math.ceil(seconds / 60)
    if seconds < 60:
        left = "in less than a minute"
    else:
        left = f"in {minutes} minute{'' if minutes == 1 else 's'}"
    local = timezone.localtime(expires)
    return (
        "Another run of this stream is in progress; this one did not start. That run holds "
        f"the stream until {clock_time(local)} ({left}); if its worker stopped, the next sync "
        "after that takes over."
    )


def clock_time(moment: datetime) -> str:
    """ "6:39 AM PST": a time of day as a dispensary manager reads it."""
    return f"{moment:%I:%M %p}".lstrip("0") + f" {moment:%Z}"


@dataclass(slots=True)
class StreamHealth:
    """One stream of one card, for the sync health panel."""

    stream: str
    label: str
    last_success_at: datetime | None = None
    watermark: datetime | None = None
    last_run: SyncRun | None = None
    last_error: SyncRun | None = None
    running: bool = False
    open_quarantine: int = 0

    @property
    def retrying(self) -> bool:
        """The last run hit a transient error and waits in the queue for its retry."""
        return self.last_run is not None and self.last_run.status == RunStatus.QUEUED

    @property
    def error_is_current(self) -> bool:
        """The last error happened after the last success (else it is history)."""
        if self.last_error is None:
            return False
        return self.last_success_at is None or _when(self.last_error) > self.last_success_at

    @property
    def lag(self) -> timedelta | None:
        """How far behind the POS the data may be: now minus the committed watermark."""
        if self.watermark is None:
            return None
        return max(timedelta(0), timezone.now() - self.watermark)


@dataclass(slots=True)
class CardHealth:
    streams: list[StreamHealth] = field(default_factory=list)
    recent_runs: list[SyncRun] = field(default_factory=list)
    next_sync_at: datetime | None = None


def card_health(integration: Integration) -> CardHealth:
    """Per stream: last success, lag, last counts, last error; plus recent runs.

    A fixed handful of queries whatever the history holds.
    """
    cursors = SyncCursor.objects.filter(credential__integration=integration)
    by_stream = {
        row["stream"]: row
        for row in cursors.values("stream").annotate(
            success=Max("last_success_at"), watermark=Max("watermark"), locked=Max("locked_until")
        )
    }
    runs = SyncRun.objects.filter(integration=integration).select_related("credential")
    now = timezone.now()
    health = CardHealth(
        recent_runs=list(runs[:RECENT_RUNS]),
        next_sync_at=Credential.objects.filter(integration=integration)
        .exclude(state=CredentialState.FAILING)
        .aggregate(next=Max("next_sync_at"))["next"],
    )
    open_counts = dict(
        QuarantinedRecord.objects.filter(integration=integration, resolved=False)
        .values("stream")
        .annotate(n=Count("pk"))
        .values_list("stream", "n")
    )
    for stream in STREAMS:
        row = by_stream.get(stream, {})
        # Every run that did something: ended (ok, failed, skipped), running, or queued
        # again after a transient error; only runs still waiting for a first try are not.
        tried = runs.filter(stream=stream).exclude(status=RunStatus.QUEUED, error_code="")
        last_ok = tried.filter(status=RunStatus.OK).first()
        successes = [row.get("success"), last_ok.finished_at if last_ok else None]
        health.streams.append(
            StreamHealth(
                stream=stream,
                label=Stream(stream).label,
                last_success_at=max((when for when in successes if when), default=None),
                watermark=row.get("watermark"),
                last_run=tried.first(),
                last_error=tried.filter(
                    ~Q(error_code=""), status__in=[RunStatus.FAILED, RunStatus.QUEUED]
                ).first(),
                running=bool(row.get("locked") and row["locked"] > now),
                open_quarantine=open_counts.get(stream, 0),
            )
        )
    return health


def _when(run: SyncRun) -> datetime:
    return run.finished_at or run.started_at or run.queued_at
