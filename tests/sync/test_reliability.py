"""Reliability of the sync engine, on PostgreSQL: crashes, rate-limit storms, credentials
failing mid-run, concurrent dispatchers and runs, malformed records, idempotent re-runs.

Tests that need real concurrency (threads, row locks, commits) skip on SQLite, which
serialises writers and so would hide what they check.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aiq.personas.models import PersonaIdentity, Sale, SaleLine
from integrations.choices import CredentialState, IntegrationStatus
from integrations.models import SyncCursor, SyncRun
from integrations.providers.errors import AuthenticationFailed, MalformedRecord, RateLimited
from integrations.sync import lease, scheduling
from integrations.sync.choices import RunStatus, Stream
from integrations.sync.runner import run_stream
from integrations.sync.sales import SalesWriter
from tests.integrations.factories import sandbox_values
from tests.sync.factories import (
    T0,
    SandboxCredentialFactory,
    SyncRunFactory,
    run_once,
    sale,
)
from tests.sync.fakes import FakeProvider

pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, which hides races and locks",
)

PAGES = 6
PAGE = 3


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing in the engine handles it."""


def _sales(count: int = PAGES * PAGE):  # type: ignore[no-untyped-def]
    return [sale(f"s{i:03d}", occurred_at=T0 + timedelta(minutes=i)) for i in range(count)]


def _writes(queries) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE", "COPY")) and '"personas_' in q["sql"]
    ]


@pytest.mark.parametrize("killed_after", [1, 3, 5])
def test_a_worker_killed_after_page_k_then_rerun_leaves_no_duplicate_and_nothing_missing(
    monkeypatch, killed_after
):
    # given a sales history of 6 pages, written one page per batch
    monkeypatch.setattr(SalesWriter, "batch_size", PAGE)
    credential = SandboxCredentialFactory()
    provider = FakeProvider(
        sales=_sales(), page_size=PAGE, fail_after_pages=killed_after, error=WorkerKilled()
    )
    run = SyncRunFactory(credential=credential, stream=Stream.SALES)
    cursor = lease.cursor_for(credential, Stream.SALES)

    # when the worker dies after page k (it never releases its lease)
    monkeypatch.setattr(lease, "release", lambda *args: None)
    with pytest.raises(WorkerKilled):
        run_stream(run, provider=provider)
    monkeypatch.undo()
    monkeypatch.setattr(SalesWriter, "batch_size", PAGE)

    # then what was committed is whole pages, and the watermark is not past any sale
    # left uncommitted (it stopped at the end of the last complete, empty, slice)
    committed = Sale.objects.count()
    assert committed == (killed_after - 1) * PAGE  # page k was fetched, not yet committed
    assert SaleLine.objects.count() == committed * 2
    cursor.refresh_from_db()
    assert cursor.watermark < T0
    run.refresh_from_db()
    assert run.status == RunStatus.SYNCING

    # a redelivery while the dead worker's lease lasts does nothing...
    again = FakeProvider(sales=_sales(), page_size=PAGE)
    assert run_stream(run, provider=again).status == RunStatus.SKIPPED
    assert again.calls == []

    # ...and once the lease has run out, the same run resumes and completes
    SyncCursor.objects.filter(pk=cursor.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    outcome = run_stream(run, provider=again)

    assert outcome.status == RunStatus.OK
    ids = list(Sale.objects.order_by("external_id").values_list("external_id", flat=True))
    assert ids == [f"s{i:03d}" for i in range(PAGES * PAGE)]
    assert SaleLine.objects.count() == PAGES * PAGE * 2
    run.refresh_from_db()
    assert (run.status, run.attempts, run.created) == (RunStatus.OK, 2, PAGES * PAGE)
    cursor.refresh_from_db()
    assert cursor.watermark == run.window_until and cursor.locked_until is None


def test_a_rate_limit_storm_beyond_patience_never_advances_the_cursor_past_uncommitted_data(
    monkeypatch,
):
    monkeypatch.setattr(SalesWriter, "batch_size", PAGE)
    credential = SandboxCredentialFactory()
    storm = FakeProvider(
        sales=_sales(),
        page_size=PAGE,
        fail_after_pages=4,
        error=RateLimited("429", retry_after=120),
    )
    run = SyncRunFactory(credential=credential, stream=Stream.SALES)

    outcome = run_stream(run, provider=storm)

    # the run waits in the queue for its retry; 3 pages are committed, the cursor is not moved
    assert outcome.transient_error and outcome.status == RunStatus.QUEUED
    assert Sale.objects.count() == 3 * PAGE
    cursor = SyncCursor.objects.get(credential=credential, stream=Stream.SALES)
    assert cursor.watermark < T0 and cursor.locked_until is None
    run.refresh_from_db()
    assert (run.status, run.error_code) == (RunStatus.QUEUED, "rate-limited")

    # the retry, once the storm is over, completes the window exactly once
    outcome = run_stream(run, provider=FakeProvider(sales=_sales(), page_size=PAGE))
    assert outcome.status == RunStatus.OK
    run.refresh_from_db()
    assert Sale.objects.count() == PAGES * PAGE
    cursor.refresh_from_db()
    assert cursor.watermark == run.window_until


@pytest.mark.slow
def test_a_429_storm_is_waited_out_against_the_sandbox(sandbox_origin):
    # every 5th request starts a 1 s penalty of 429s with Retry-After: 1
    credential = SandboxCredentialFactory(
        integration__provider="posabit",
        values=sandbox_values("posabit", "fault=rate-limit,sales=300"),
    )

    run = run_once(credential, Stream.SALES)

    assert (run.status, run.created, run.quarantined) == (RunStatus.OK, 300, 0)
    assert Sale.objects.count() == 300
    assert (
        SyncCursor.objects.get(credential=credential, stream=Stream.SALES).watermark
        == run.window_until
    )


def test_credentials_failing_mid_run_end_in_needs_attention_without_retrying(monkeypatch):
    from integrations.models import Credential
    from integrations.tasks import sync_credential

    credential = SandboxCredentialFactory()
    provider = FakeProvider(
        sales=_sales(), page_size=PAGE, fail_after_pages=2, error=AuthenticationFailed("401")
    )
    monkeypatch.setattr(Credential, "provider_client", lambda self, **kwargs: provider)
    monkeypatch.setattr(SalesWriter, "batch_size", PAGE)
    run = SyncRunFactory(credential=credential, stream=Stream.SALES)

    sync_credential.apply(args=(credential.pk, [run.pk]))

    run.refresh_from_db()
    assert (run.status, run.attempts, run.error_code) == (RunStatus.FAILED, 1, "bad-credentials")
    assert provider.pages_served == 2  # no retry asked for more
    credential.refresh_from_db()
    assert credential.state == CredentialState.FAILING
    card = credential.integration
    card.refresh_from_db()
    assert card.status == IntegrationStatus.NEEDS_ATTENTION
    assert card.status_detail == "The credential needs attention"
    assert credential.last_error == AuthenticationFailed.default_user_message
    assert scheduling.dispatch(timezone.now() + timedelta(days=1)) == []


@postgresql_only
def test_two_dispatchers_at_once_produce_one_run(monkeypatch):
    monkeypatch.setattr(scheduling, "_enqueue", lambda *args: None)
    credential = SandboxCredentialFactory()
    now = timezone.now()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def dispatcher() -> None:
        try:
            barrier.wait()
            results.append(len(scheduling.dispatch(now)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 2]
    assert SyncRun.objects.filter(credential=credential).count() == 2  # customers + sales, once


@postgresql_only
def test_two_runs_of_one_stream_at_once_sync_it_once(monkeypatch):
    credential = SandboxCredentialFactory()
    first = SyncRunFactory(credential=credential, stream=Stream.SALES)
    second = SyncRunFactory(credential=credential, stream=Stream.SALES)
    inside = threading.Event()
    release = threading.Event()

    class SlowProvider(FakeProvider):
        def iter_sales(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            inside.set()
            release.wait(10)
            return super().iter_sales(*args, **kwargs)

    outcomes = {}

    def work(run, provider) -> None:  # type: ignore[no-untyped-def]
        try:
            outcomes[run.pk] = run_stream(run, provider=provider)
        finally:
            connections.close_all()

    slow = SlowProvider(sales=_sales(4))
    thread = threading.Thread(target=work, args=(first, slow))
    thread.start()
    assert inside.wait(10)
    other = FakeProvider(sales=_sales(4))
    work(second, other)  # "Sync now" while the scheduled run holds the stream
    release.set()
    thread.join()

    assert outcomes[first.pk].status == RunStatus.OK
    assert outcomes[second.pk].status == RunStatus.SKIPPED
    assert other.calls == []
    second.refresh_from_db()
    assert (second.status, second.error_code) == (RunStatus.SKIPPED, "busy")
    assert Sale.objects.count() == 4


@pytest.mark.slow
def test_malformed_records_are_quarantined_while_the_rest_lands(sandbox_origin):
    credential = SandboxCredentialFactory(
        integration__provider="clover", values=sandbox_values("clover", "fault=malformed")
    )
    provider = credential.provider_client()
    pos_sales = list(provider.iter_sales(None))
    good = [s for s in pos_sales if not isinstance(s, MalformedRecord)]
    bad = [s for s in pos_sales if isinstance(s, MalformedRecord)]
    assert bad and good

    run = run_once(credential, Stream.SALES)

    assert (run.status, run.created, run.quarantined) == (RunStatus.OK, len(good), len(bad))
    assert set(Sale.objects.values_list("external_id", flat=True)) == {s.external_id for s in good}
    assert credential.quarantined_records.filter(resolved=False).count() == len(bad)
    assert all(record.payload is not None for record in credential.quarantined_records.all())


@pytest.mark.slow
def test_a_second_sync_of_unchanged_data_writes_nothing(sandbox_origin):
    credential = SandboxCredentialFactory()
    for stream in (Stream.CUSTOMERS, Stream.SALES):
        run_once(credential, stream, full=True)
    identities, sales = PersonaIdentity.objects.count(), Sale.objects.count()
    stamps = set(Sale.objects.values_list("updated_at", flat=True))

    with CaptureQueriesContext(connection) as queries:
        second = [
            run_once(credential, stream, full=True) for stream in (Stream.CUSTOMERS, Stream.SALES)
        ]

    assert _writes(queries) == []
    assert [(r.created, r.updated) for r in second] == [(0, 0), (0, 0)]
    assert second[1].unchanged == sales
    assert (PersonaIdentity.objects.count(), Sale.objects.count()) == (identities, sales)
    assert set(Sale.objects.values_list("updated_at", flat=True)) == stamps
