"""The lock of one (credential, stream) and the window its next run covers.

The lock is a lease on the stream's ``SyncCursor`` row, taken with a conditional UPDATE
(``locked_until`` in the past, or blank) and proven on every batch by the same UPDATE in
the batch's transaction: a worker whose lease was taken over cannot commit another batch.
A worker that dies simply lets its lease run out, so no lock outlives a crash by more than
``LEASE``. Nothing here is an in-process lock: duplicate beats, a redelivered message and
"Sync now" in other processes all meet on the same row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from integrations.models import Credential, SyncCursor

# A batch renews the lease; a page that takes longer than this (retries included) loses it.
LEASE = timedelta(minutes=5)


def lookback() -> timedelta:
    """How far before the watermark an incremental run starts again (late arrivals, skew)."""
    return timedelta(minutes=getattr(settings, "SYNC_LOOKBACK_MINUTES", 10))


def cursor_for(credential: Credential, stream: str) -> SyncCursor:
    """The stream's cursor row, created on first use (safe against a concurrent create)."""
    try:
        return SyncCursor.objects.get(credential=credential, stream=stream)
    except SyncCursor.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return SyncCursor.objects.create(
                company_id=credential.company_id, credential=credential, stream=stream
            )
    except IntegrityError:
        return SyncCursor.objects.get(credential=credential, stream=stream)


def new_token() -> str:
    return uuid.uuid4().hex


def acquire(cursor: SyncCursor, token: str, now: datetime) -> bool:
    """Take the lease; True only if this call changed the row (nobody else holds it)."""
    taken = (
        SyncCursor.objects.filter(pk=cursor.pk)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + LEASE, lock_token=token)
    )
    return taken == 1


def renew(cursor: SyncCursor, token: str, now: datetime) -> bool:
    """Extend the lease; False when it was lost (expired and taken by another worker)."""
    return (
        SyncCursor.objects.filter(pk=cursor.pk, lock_token=token).update(locked_until=now + LEASE)
        == 1
    )


def release(cursor: SyncCursor, token: str) -> None:
    SyncCursor.objects.filter(pk=cursor.pk, lock_token=token).update(
        locked_until=None, lock_token=""
    )


@dataclass(slots=True)
class Window:
    """Where a run starts, where its watermark ends up, and the boundary to skip."""

    since: datetime | None
    watermark: datetime | None
    boundary_ids: set[str] = field(default_factory=set)
    # The end of the slice being read: records stamped exactly then become the next
    # boundary if the slice commits.
    slice_end: datetime | None = None

    def already_committed(self, moment: datetime | None, external_id: str) -> bool:
        """True for a record sharing the committed watermark's exact time that the
        previous run already wrote (the boundary re-read by the lookback)."""
        return (
            moment is not None
            and self.watermark is not None
            and moment == self.watermark
            and external_id in self.boundary_ids
        )


def window_for(cursor: SyncCursor, *, full: bool) -> Window:
    """A full run starts from nothing; an incremental one a lookback before the watermark."""
    watermark = cursor.watermark
    boundary = set(cursor.boundary_ids or [])
    if full or watermark is None:
        return Window(since=None, watermark=watermark, boundary_ids=boundary)
    return Window(since=watermark - lookback(), watermark=watermark, boundary_ids=boundary)


def advance(
    cursor: SyncCursor,
    token: str,
    *,
    watermark: datetime,
    boundary_ids: list[str],
    now: datetime,
    full: bool,
) -> bool:
    """Move the watermark forward, inside the transaction of the batch it covers.

    Refuses (returns False) when the lease is gone; never moves the watermark back.
    """
    current = cursor.watermark
    if current is not None and watermark < current:
        watermark, boundary_ids = current, list(cursor.boundary_ids or [])
    elif current is not None and watermark == current:
        boundary_ids = sorted(set(boundary_ids) | set(cursor.boundary_ids or []))
    values: dict[str, object] = {
        "watermark": watermark,
        "boundary_ids": boundary_ids,
        "locked_until": now + LEASE,
    }
    if full:
        values["last_full_sync_at"] = now
    moved = SyncCursor.objects.filter(pk=cursor.pk, lock_token=token).update(**values)
    if moved:
        cursor.watermark, cursor.boundary_ids = watermark, boundary_ids
    return moved == 1
