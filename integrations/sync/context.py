"""What one run carries while it reads: its lease, counts, requests, deadline and progress,
and the one way a batch is committed (``RunContext.batch``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from django.db import connection, transaction
from django.utils import timezone

from integrations.models import SyncCursor, SyncRun
from integrations.sync import lease
from integrations.sync.counts import Counts
from integrations.sync.policy import SyncPolicy


class LeaseLost(Exception):
    """Another worker took over the stream (this one stalled past its lease)."""


class RequestCounter:
    """Counts the HTTP requests a provider sends (every answer, retries and 429s included)
    by hooking its ``requests`` session; a provider without one (a test double) counts 0.
    Thread-safe: the fetching thread and the writing thread both send requests."""

    def __init__(self, provider: Any, already: int = 0) -> None:
        self.count = already
        self._lock = threading.Lock()
        http = getattr(provider, "http", None)
        self._session: requests.Session | None = getattr(http, "session", None)
        if self._session is not None:
            self._session.hooks.setdefault("response", []).append(self._seen)

    def _seen(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            self.count += 1

    def detach(self) -> None:
        if self._session is not None and self._seen in self._session.hooks.get("response", []):
            self._session.hooks["response"].remove(self._seen)


def relax_commit() -> None:
    """PostgreSQL: this batch's COMMIT does not wait for the WAL flush.

    Safe here because the cursor moves in the same transaction as the data: a crash
    loses the last few batches and their cursor moves together, and the next run reads
    them again from the POS. It saves a disk flush per batch (about 20 ms on a plain disk).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


@dataclass(slots=True)
class RunContext:
    """One run of one stream while it holds the stream's lease."""

    run: SyncRun
    cursor: SyncCursor
    token: str
    policy: SyncPolicy
    totals: Counts
    started: datetime
    deadline: float | None = None
    counter: RequestCounter | None = None
    # Batches committed by this run: a run that ends early with none made no progress.
    committed: int = 0
    extra_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return self.counter.count if self.counter else self.run.requests

    def past_deadline(self) -> bool:
        """True once the deadline passed and this run already committed something (the
        first batch always runs, so even a tiny time budget makes progress)."""
        return self.deadline is not None and self.committed > 0 and time.monotonic() > self.deadline

    def run_fields(self) -> dict[str, Any]:
        """The SyncRun columns saved with every batch."""
        return {**self.totals.as_fields(), "requests": self.requests}

    @contextmanager
    def batch(self, position: dict[str, Any] | None = None) -> Iterator[datetime]:
        """One batch's transaction: prove the lease, let the caller write, then save the
        stream's ``position`` (when given) and the run's counts with it."""
        with transaction.atomic():
            relax_commit()
            now = timezone.now()
            if not lease.renew(self.cursor, self.token, now):
                raise LeaseLost
            yield now
            if position is not None:
                self.save_position(position)
            elif self.cursor.runs_without_progress:
                SyncCursor.objects.filter(pk=self.cursor.pk).update(runs_without_progress=0)
                self.cursor.runs_without_progress = 0
            SyncRun.objects.filter(pk=self.run.pk).update(**self.run_fields())
        self.committed += 1

    def save_position(self, position: dict[str, Any]) -> None:
        """Where the read stands (inside the caller's transaction, under the lease)."""
        moved = SyncCursor.objects.filter(pk=self.cursor.pk, lock_token=self.token).update(
            position=position, runs_without_progress=0
        )
        if not moved:
            raise LeaseLost
        self.cursor.position, self.cursor.runs_without_progress = position, 0
