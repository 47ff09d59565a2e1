"""One run of one stream of one credential, start to finish.

    outcome = run_stream(run)   # a SyncRun row in status "queued"

1. Refuse quietly when the run already ended (a redelivered message), when the card is
   frozen (no call reaches the POS), or when another run holds the stream's lease.
2. Fetch pages from the provider outside any transaction; write each batch (a page or
   more) in its own transaction, which also renews the lease and saves the run's counts.
3. Sales are read in time slices (``SYNC_SALES_SLICE_DAYS``); the cursor's watermark moves
   to a slice's end in the transaction of that slice's last batch, never before: a crash
   at any point leaves the watermark at data that is committed, and the next run reads
   the rest again (unchanged records cost a hash comparison, not a write).
4. Every batch of a resumable stream (``Provider.resumable_streams``) also saves the
   stream's position (``RunContext.batch``): its slice and the provider's place in it,
   so a run past its deadline, cut by the time limit or killed resumes after its last
   committed batch, inside the slice (``_resumed``); Cova's customers go through
   ``listing`` (only what changed, unless nightly).
5. A permanent provider error fails the run and puts the card in "needs attention"; a
   transient one puts the run back in the queue for the task to retry with backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from integrations.choices import IntegrationStatus
from integrations.models import Credential, Integration, SyncCursor, SyncRun
from integrations.providers.base import DEFAULT_SALES_LOOKBACK, Provider
from integrations.providers.errors import ProviderError
from integrations.providers.values import Location
from integrations.sync import lease
from integrations.sync.choices import RunStatus, Stream
from integrations.sync.context import LeaseLost, RequestCounter, RunContext
from integrations.sync.counts import Counts
from integrations.sync.customers import CustomersWriter
from integrations.sync.health import busy_message, mark_needs_attention
from integrations.sync.listing import run_listing
from integrations.sync.pipeline import batched, batched_at_checkpoints, pipeline
from integrations.sync.policy import SyncPolicy, policy_for
from integrations.sync.sales import SalesWriter
from loyalty.pos_balances.step import sync_pos_balances

logger = logging.getLogger("aiq.sync")

FROZEN_MESSAGE = "Frozen: using AIQ's last backup. Nothing was requested from the POS."
ABANDONED_MESSAGE = "The worker running this stopped before the end; a later run took over."
TIME_LIMIT_MESSAGE = "The run hit its time limit; the next one continues from its last saved batch."
# Consecutive runs ending early with nothing committed before the stream stops continuing.
STALLED_AFTER = 2
STALLED_MESSAGE = (
    "Stopped: {runs} runs in a row reached their time limit before saving a single batch, "
    "so continuing would loop. The next scheduled sync tries again; if this repeats, the "
    "POS answers too slowly for the time limit of a sync (CELERY_TASK_TIME_LIMIT)."
)

__all__ = ["LeaseLost", "Outcome", "run_stream"]


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str
    complete: bool = True
    error: ProviderError | None = None

    @property
    def transient_error(self) -> bool:
        return self.error is not None and not self.error.permanent


def slice_days() -> timedelta:
    return timedelta(days=getattr(settings, "SYNC_SALES_SLICE_DAYS", 30))


def _slices(
    stream: str, window: lease.Window, started: datetime
) -> list[tuple[datetime | None, datetime]]:
    """(since, until) pairs the run reads, oldest first; the watermark moves to each
    ``until`` once its slice is committed."""
    if stream == Stream.CUSTOMERS:
        return [(window.since, started)]
    start = window.since or started - DEFAULT_SALES_LOOKBACK
    step = slice_days()
    slices = []
    while start < started:
        end = min(start + step, started)
        slices.append((start, end))
        start = end
    return slices or [(window.since, started)]


def _finish(run: SyncRun, status: str, counts: Counts | None = None, **fields: Any) -> None:
    now = timezone.now()
    run.status = status
    run.finished_at = now
    if run.started_at:
        run.duration = now - run.started_at
    values: dict[str, Any] = {"status": status, "finished_at": now, "duration": run.duration}
    if status == RunStatus.OK:
        # A retry that succeeded leaves no error of its earlier attempt behind.
        values.update(error_code="", error_message="")
    if counts is not None:
        values.update(counts.as_fields())
    values.update(fields)
    for name, value in values.items():
        setattr(run, name, value)
    SyncRun.objects.filter(pk=run.pk).update(**values)


def _freeze(integration: Integration) -> None:
    """A frozen card shows it: status "frozen" (only from "connected")."""
    Integration.objects.filter(pk=integration.pk, status=IntegrationStatus.CONNECTED).update(
        status=IntegrationStatus.FROZEN, status_changed_at=timezone.now()
    )


def _iterate(
    provider: Provider,
    stream: str,
    since: datetime | None,
    until: datetime,
    locations: list[str] | None,
    position: dict[str, Any] | None,
) -> Iterator[Any]:
    if stream == Stream.CUSTOMERS:
        if position is not None:
            return provider.iter_customers(since, position=position)  # type: ignore[call-arg]
        return provider.iter_customers(since)
    if position is not None:
        return provider.iter_sales(since, until, locations, position=position)  # type: ignore[call-arg]
    return provider.iter_sales(since, until, locations)


@dataclass(slots=True)
class _Read:
    """What a resumable read covers: its slices, where in the first one it starts, and
    whether it began at the beginning of the history (saved, so a resumed read stays so)."""

    slices: list[tuple[datetime | None, datetime]]
    at: dict[str, Any]
    from_start: bool


def _resumed(
    stream: str, cursor: SyncCursor, slices: list[tuple[datetime | None, datetime]], full: bool
) -> _Read:
    """This run's read: the one the cursor holds in progress, resumed, or a new one.

    A saved read goes on from its position in its slice, then over this run's slices that
    end after that slice. Everything before the saved slice's start was committed by the
    run that saved it (its window started there, or its watermark moved there), so nothing
    is skipped; the window's start is not compared, since it moves with every run (the
    lookback before the watermark, or "730 days ago" on a first sync). Only a read from
    the beginning (``full``: nightly, or a first sync) that finds a partial incremental
    read starts over. The customers stream is a single slice ending where the watermark
    lands, so it ends with the saved read (the next run reads from there).
    """
    saved = cursor.position or {}
    until = parse_datetime(str(saved.get("slice_until") or ""))
    since_text = saved.get("slice_since")
    since = parse_datetime(str(since_text)) if since_text else None
    unreadable = until is None or "at" not in saved or bool(since_text and since is None)
    if unreadable or (full and not saved.get("from_start")):
        return _Read(slices, {}, full)
    assert until is not None
    at = dict(saved.get("at") or {})
    from_start = bool(saved.get("from_start"))
    if stream == Stream.CUSTOMERS:
        return _Read([(since, until)], at, from_start)
    rest = [(start, end) for start, end in slices if end > until]
    if rest:
        rest[0] = (until, rest[0][1])
    return _Read([(since, until), *rest], at, from_start)


def _sales_locations(provider: Provider, policy: SyncPolicy) -> list[str] | None:
    """The locations to ask for: the card's restriction, else every location (read once
    per run rather than once per slice)."""
    if policy.location_keys is not None:
        return list(policy.location_keys)
    keys = [item.key for item in provider.iter_locations() if isinstance(item, Location)]
    return keys


def run_stream(
    run: SyncRun,
    *,
    provider: Provider | None = None,
    sandbox_origin: str | None = None,
    deadline: float | None = None,
) -> Outcome:
    """Execute one queued run (see the module docstring). ``deadline`` is a
    ``time.monotonic()`` value after which no new batch starts (the run then reports
    ``complete=False`` and the caller continues it in a new run)."""
    run = SyncRun.objects.select_related("credential__integration__company").get(pk=run.pk)
    if run.status not in (RunStatus.QUEUED, RunStatus.SYNCING):
        return Outcome(run.status)  # already ended: a redelivered message
    credential: Credential = run.credential
    policy = policy_for(credential)
    if policy.frozen:
        _freeze(credential.integration)
        _finish(run, RunStatus.SKIPPED, error_code="frozen", error_message=FROZEN_MESSAGE)
        return Outcome(RunStatus.SKIPPED)
    cursor = lease.cursor_for(credential, run.stream)
    token = lease.new_token()
    started = timezone.now()
    if not lease.acquire(cursor, token, started):
        if run.status == RunStatus.QUEUED:
            message = busy_message(cursor, started)
            _finish(run, RunStatus.SKIPPED, error_code="busy", error_message=message)
        return Outcome(RunStatus.SKIPPED)
    cursor.refresh_from_db()
    # Holding the lease proves any other run of this stream still "syncing" is dead.
    SyncRun.objects.filter(
        credential=credential, stream=run.stream, status=RunStatus.SYNCING
    ).exclude(pk=run.pk).update(
        status=RunStatus.FAILED,
        finished_at=started,
        error_code="abandoned",
        error_message=ABANDONED_MESSAGE,
    )
    run.status, run.started_at = RunStatus.SYNCING, started
    run.attempts += 1
    SyncRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SYNCING, started_at=started, attempts=run.attempts
    )
    # A retried run keeps what its earlier attempts counted.
    totals = Counts(
        created=run.created,
        updated=run.updated,
        unchanged=run.unchanged,
        quarantined=run.quarantined,
        skipped=run.skipped,
    )
    totals.details.update(run.details or {})
    ctx = RunContext(
        run=run,
        cursor=cursor,
        token=token,
        policy=policy,
        totals=totals,
        started=started,
        deadline=deadline,
    )
    try:
        provider = provider or credential.provider_client(sandbox_origin=sandbox_origin)
        ctx.counter = RequestCounter(provider, already=run.requests)
        outcome = _run(ctx, provider)
    except ProviderError as error:
        return _provider_failure(ctx, error)
    except SoftTimeLimitExceeded:
        return _time_limit(ctx)
    except LeaseLost:
        _finish(
            run,
            RunStatus.FAILED,
            totals,
            error_code="lease-lost",
            error_message=("The run stalled and another worker took the stream over."),
            requests=ctx.requests,
        )
        return Outcome(RunStatus.FAILED)
    except Exception as error:
        logger.exception("sync run %s failed", run.pk)
        _finish(
            run,
            RunStatus.FAILED,
            totals,
            error_code="internal-error",
            error_message=(
                f"AIQ hit an internal error ({type(error).__name__}); the team has been told."
            ),
            requests=ctx.requests,
        )
        raise
    finally:
        if ctx.counter is not None:
            ctx.counter.detach()
        lease.release(cursor, token)
    return outcome


def _time_limit(ctx: RunContext) -> Outcome:
    """The task's soft time limit interrupted the run. What its batches committed stays,
    with the position they saved; the next run continues from there. A run that
    committed nothing counts towards ``STALLED_AFTER``, at which the stream stops
    continuing (``complete=True``) and the run says why, rather than loop."""
    run, cursor = ctx.run, ctx.cursor
    stalled_runs = 0
    if ctx.committed == 0:
        stalled_runs = cursor.runs_without_progress + 1
        SyncCursor.objects.filter(pk=cursor.pk).update(runs_without_progress=stalled_runs)
        cursor.runs_without_progress = stalled_runs
    if stalled_runs >= STALLED_AFTER:
        _finish(
            run,
            RunStatus.FAILED,
            ctx.totals,
            error_code="no-progress",
            error_message=STALLED_MESSAGE.format(runs=stalled_runs),
            requests=ctx.requests,
        )
        SyncCursor.objects.filter(pk=cursor.pk).update(runs_without_progress=0)
        logger.warning("sync run %s: no progress in %s runs; stopped", run.pk, stalled_runs)
        return Outcome(RunStatus.FAILED, complete=True)
    _finish(
        run,
        RunStatus.FAILED,
        ctx.totals,
        error_code="time-limit",
        error_message=TIME_LIMIT_MESSAGE,
        requests=ctx.requests,
    )
    return Outcome(RunStatus.FAILED, complete=False)


def _run(ctx: RunContext, provider: Provider) -> Outcome:
    run, cursor, policy, totals, started = (
        ctx.run,
        ctx.cursor,
        ctx.policy,
        ctx.totals,
        ctx.started,
    )
    credential = run.credential
    writer_class = CustomersWriter if run.stream == Stream.CUSTOMERS else SalesWriter
    writer = writer_class(credential, policy, started)
    window = lease.window_for(cursor, full=run.full)
    by_listing = run.stream == Stream.CUSTOMERS and getattr(provider, "customers_by_listing", False)
    locations = None
    if run.stream == Stream.SALES or (by_listing and not run.full and window.since is not None):
        locations = _sales_locations(provider, policy)
    if by_listing:
        assert isinstance(writer, CustomersWriter)
        complete = run_listing(ctx, provider, writer, locations, window)
        run.window_since, run.window_until = (
            ctx.extra_fields["window_since"],
            ctx.extra_fields["window_until"],
        )
        SyncRun.objects.filter(pk=run.pk).update(
            window_since=run.window_since, window_until=run.window_until
        )
    else:
        complete = _read_slices(ctx, provider, writer, window, locations)
    if run.stream == Stream.CUSTOMERS and complete:
        # The card's loyalty balance settings, once every shopper is in (one request per
        # shopper, counted in this run; never inside a transaction).
        totals.details.update(
            sync_pos_balances(
                credential.integration, provider, started, lambda: not ctx.past_deadline()
            )
        )
    with transaction.atomic():
        totals.add(writer.finish())
        SyncCursor.objects.filter(pk=cursor.pk).update(last_success_at=timezone.now())
        if not complete:
            totals.details["continues"] = 1
        _finish(run, RunStatus.OK, totals, requests=ctx.requests)
    logger.info(
        "sync run %s %s/%s: %s created, %s updated, %s unchanged, %s quarantined, %s skipped, "
        "%s requests",
        run.pk,
        credential.integration.provider,
        run.stream,
        totals.created,
        totals.updated,
        totals.unchanged,
        totals.quarantined,
        totals.skipped,
        ctx.requests,
    )
    return Outcome(RunStatus.OK, complete=complete)


def _read_slices(
    ctx: RunContext,
    provider: Provider,
    writer: CustomersWriter | SalesWriter,
    window: lease.Window,
    locations: list[str] | None,
) -> bool:
    """Read the window slice by slice; True when every slice was read.

    A resumable stream (``Provider.resumable_streams``) saves its position with every
    batch and may stop at any batch once past the deadline; the others stop only between
    slices (a slice read again costs requests, so stopping inside one could never end).
    """
    run, cursor = ctx.run, ctx.cursor
    resumable = run.stream in getattr(provider, "resumable_streams", frozenset())
    slices = _slices(run.stream, window, ctx.started)
    at: dict[str, Any] = {}
    from_start = window.since is None
    if resumable:
        read = _resumed(run.stream, cursor, slices, full=from_start)
        slices, at, from_start = read.slices, read.at, read.from_start
    run.window_since, run.window_until = slices[0][0], slices[-1][1]
    SyncRun.objects.filter(pk=run.pk).update(
        window_since=run.window_since, window_until=run.window_until
    )
    keep_going = (lambda: not ctx.past_deadline()) if resumable else (lambda: True)
    for index, (since, until) in enumerate(slices):
        if index and ctx.past_deadline():
            return False
        window.slice_end = until
        items = _iterate(provider, run.stream, since, until, locations, at if resumable else None)
        at = {}
        batches: Iterator[tuple[list[Any], dict[str, Any] | None]] = (
            batched_at_checkpoints(items, writer.batch_size)
            if resumable
            else ((batch, None) for batch in batched(items, writer.batch_size))
        )

        def prepare(batch: tuple[list[Any], dict[str, Any] | None]) -> tuple[Any, Any]:
            records, position = batch
            return writer.prepare(records, window=window), position

        boundary: list[str] = []
        wrote_any = finished = False
        for (prepared, position), is_last in pipeline(batches, prepare, keep_going):
            wrote_any = True
            boundary += prepared.boundary_ids
            saved = None
            if resumable and not is_last:
                saved = {
                    "slice_since": since.isoformat() if since else None,
                    "slice_until": until.isoformat(),
                    "from_start": from_start,
                    "at": position or {},
                }
            with ctx.batch(saved) as now:
                ctx.totals.add(writer.write(prepared))
                if is_last:
                    if not lease.advance(
                        cursor,
                        ctx.token,
                        watermark=until,
                        boundary_ids=boundary,
                        now=now,
                        full=run.full,
                    ):
                        raise LeaseLost
                    if resumable:
                        ctx.save_position({})
            finished = is_last
        if wrote_any and not finished:
            return False  # stopped at the deadline inside a resumable slice
        if not wrote_any:
            with transaction.atomic():
                if not lease.advance(
                    cursor,
                    ctx.token,
                    watermark=until,
                    boundary_ids=[],
                    now=timezone.now(),
                    full=run.full,
                ):
                    raise LeaseLost
                if resumable and cursor.position:
                    ctx.save_position({})
            ctx.committed += 1
        window.watermark, window.boundary_ids = cursor.watermark, set(cursor.boundary_ids)
    return True


def _provider_failure(ctx: RunContext, error: ProviderError) -> Outcome:
    run, totals = ctx.run, ctx.totals
    message = error.user_message[:500]
    if error.permanent:
        _finish(
            run,
            RunStatus.FAILED,
            totals,
            error_code=error.code[:40],
            error_message=message,
            requests=ctx.requests,
        )
        mark_needs_attention(run.credential, error)
        logger.warning("sync run %s: permanent %s: %s", run.pk, error.code, error)
        return Outcome(RunStatus.FAILED, error=error)
    # Transient: back to the queue; the task retries it with backoff.
    run.status = RunStatus.QUEUED
    SyncRun.objects.filter(pk=run.pk).update(
        status=RunStatus.QUEUED,
        error_code=error.code[:40],
        error_message=message,
        requests=ctx.requests,
        **totals.as_fields(),
    )
    logger.info("sync run %s: transient %s: %s", run.pk, error.code, error)
    return Outcome(RunStatus.QUEUED, error=error)
