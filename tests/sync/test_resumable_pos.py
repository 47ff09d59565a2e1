"""Clover and POSaBIT streams resume where their last committed batch ended: across the
continuations of a run that overruns its time limit, and after a worker is killed
mid-stream. Against each sandbox over HTTP, every request counted.

For CI's time the pages are small (100 records) and so are the batches (two pages), so a
few thousand records make dozens of pages; one sales slice covers the whole history, so
the runs resume inside a slice (what a 30-day slice boundary could not do).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from aiq.personas.models import Sale
from integrations.models import SyncCursor, SyncRun
from integrations.providers.clover.provider import CloverProvider
from integrations.providers.posabit.provider import PosabitProvider
from integrations.sync import lease
from integrations.sync.choices import RunStatus, Stream, Trigger
from integrations.sync.customers import CustomersWriter
from integrations.sync.runner import _resumed, run_stream
from integrations.sync.sales import SalesWriter
from tests.integrations.factories import sandbox_values
from tests.sync.factories import SandboxCredentialFactory, SyncRunFactory, run_once
from tests.sync.test_resumable import WorkerKilled, _drain

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = 100
BATCH = 2 * PAGE


@dataclass(frozen=True)
class Case:
    provider: str
    stream: str
    records: int
    # What the URL path of a data page (not the merchant or venue read) contains.
    page_path: str

    @property
    def option(self) -> str:
        return f"{self.stream}={self.records},ratelimit=0"

    def minimum_pages(self) -> int:
        """The pages one uninterrupted read needs: Clover stops after the first short
        page (a full last page costs one more), POSaBIT after ``total_pages``."""
        if self.provider == "clover":
            return self.records // PAGE + 1
        return max(1, math.ceil(self.records / PAGE))


CASES = [
    Case("clover", Stream.CUSTOMERS, 6_000, "/customers"),
    Case("clover", Stream.SALES, 6_000, "/orders"),
    Case("posabit", Stream.CUSTOMERS, 6_000, "/venue/customers"),
    Case("posabit", Stream.SALES, 6_000, "/sales_histories"),
]
IDS = [f"{case.provider}-{case.stream}" for case in CASES]


@pytest.fixture(autouse=True)
def small_pages(monkeypatch, settings):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(CloverProvider, "page_size", PAGE)
    monkeypatch.setattr(PosabitProvider, "page_size", PAGE)
    monkeypatch.setattr(CustomersWriter, "batch_size", BATCH)
    monkeypatch.setattr(SalesWriter, "batch_size", BATCH)
    settings.SYNC_SALES_SLICE_DAYS = 1000  # one slice: the whole 730-day first window


@dataclass
class Traffic:
    """Every request the sync sends (URL path and query), and the data page (counted
    from 1) at which the worker dies, if any."""

    page_path: str
    paths: list[str] = field(default_factory=list)
    killed_at: int | None = None

    def data_pages(self) -> list[str]:
        return [path for path in self.paths if self.page_path in path]


@pytest.fixture
def traffic(request, monkeypatch) -> Traffic:  # type: ignore[no-untyped-def]
    seen = Traffic(request.getfixturevalue("case").page_path)
    original = requests.Session.send

    def send(session, prepared, **kwargs):  # type: ignore[no-untyped-def]
        is_page = seen.page_path in prepared.path_url
        if is_page and seen.killed_at == len(seen.data_pages()) + 1:
            seen.killed_at = None
            raise WorkerKilled()
        seen.paths.append(prepared.path_url)
        return original(session, prepared, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    return seen


def _credential(case: Case):  # type: ignore[no-untyped-def]
    return SandboxCredentialFactory(
        integration__provider=case.provider, values=sandbox_values(case.provider, case.option)
    )


def _records_read(runs: list[SyncRun]) -> int:
    """Records the runs handled, each counted once per read (so a record read twice
    counts twice)."""
    return sum(r.created + r.updated + r.unchanged + r.quarantined + r.skipped for r in runs)


def _assert_all_in(case: Case, credential, runs: list[SyncRun]) -> None:  # type: ignore[no-untyped-def]
    if case.stream == Stream.SALES:
        assert Sale.objects.count() == case.records
    else:
        assert sum(r.created + r.skipped for r in runs) == case.records


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_an_overrunning_stream_resumes_across_continuations(
    case, sandbox_origin, settings, queued, traffic
):
    # given an account of 6,000 records and a soft time limit far below what they need
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 30  # the deadline is "now": a few batches a task
    credential = _credential(case)
    run = SyncRunFactory(credential=credential, stream=case.stream)
    queued.append((credential.pk, [run.pk]))

    # when the task and every continuation it queues run
    tasks = _drain(credential, queued)

    # then the stream completed across several continuations
    runs = list(SyncRun.objects.filter(credential=credential).order_by("pk"))
    assert tasks == len(runs) >= 4
    assert all(r.trigger == Trigger.CONTINUATION for r in runs[1:])
    assert all(r.status == RunStatus.OK for r in runs)
    assert [("continues" in r.details) for r in runs] == [True] * (len(runs) - 1) + [False]
    _assert_all_in(case, credential, runs)
    # each continuation started where the last committed batch ended: no page was asked
    # twice, no record read twice, and the pages are within 10% of one uninterrupted read
    # (plus, for sales, the empty page of the minutes since the first run started)
    data_pages = traffic.data_pages()
    assert len(set(data_pages)) == len(data_pages)
    assert case.minimum_pages() <= len(data_pages) <= case.minimum_pages() * 1.1
    assert _records_read(runs) == case.records
    # the other requests are the merchant or venue, read once a run at most
    assert len(traffic.paths) - len(data_pages) <= len(runs)
    assert sum(r.requests for r in runs) == len(traffic.paths)
    cursor = SyncCursor.objects.get(credential=credential, stream=case.stream)
    assert cursor.position == {}
    last_slice_end = runs[0].started_at if case.stream == Stream.CUSTOMERS else runs[-1].started_at
    assert cursor.watermark == last_slice_end


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_stream_killed_midway_resumes_from_its_last_batch(
    case, sandbox_origin, monkeypatch, traffic
):
    # given an account of 6,000 records, and a worker that dies at the 16th page
    credential = _credential(case)
    traffic.killed_at = 16
    run = SyncRunFactory(credential=credential, stream=case.stream)

    # when it dies (kill -9: its lease is never released)
    release = lease.release
    monkeypatch.setattr(lease, "release", lambda *args: None)
    with pytest.raises(WorkerKilled):
        run_stream(run)
    monkeypatch.setattr(lease, "release", release)
    run.refresh_from_db()
    committed = _records_read([run])
    assert run.status == RunStatus.SYNCING
    assert 10 * PAGE <= committed < 15 * PAGE  # at most two batches were in flight
    # and once its lease ran out, the next run takes over
    SyncCursor.objects.filter(credential=credential, stream=case.stream).update(locked_until=None)
    rerun = run_once(credential, case.stream)

    # then it resumed the same read where the last committed batch ended
    assert rerun.status == RunStatus.OK
    assert _records_read([rerun]) == case.records - committed
    _assert_all_in(case, credential, [run, rerun])
    data_pages = traffic.data_pages()
    assert case.minimum_pages() <= len(data_pages) <= case.minimum_pages() * 1.1
    assert len(data_pages) - len(set(data_pages)) <= 4  # only the pages in flight at the kill
    assert rerun.requests <= case.minimum_pages() - committed // PAGE + 2
    run.refresh_from_db()
    assert (run.status, run.error_code) == (RunStatus.FAILED, "abandoned")


def _saved(since, until, from_start: bool) -> dict:  # type: ignore[no-untyped-def]
    return {
        "slice_since": since.isoformat() if since else None,
        "slice_until": until.isoformat(),
        "from_start": from_start,
        "at": {"offset": 400},
    }


@pytest.mark.parametrize(
    ("stream", "full", "saved_from_start", "resumes"),
    [
        (Stream.SALES, False, False, True),  # a continuation, one slice further
        (Stream.SALES, False, True, True),  # a continuation of a first sync
        (Stream.SALES, True, True, True),  # a nightly run continuing a nightly read
        (Stream.SALES, True, False, False),  # a nightly run over a partial incremental read
        (Stream.CUSTOMERS, False, False, True),
    ],
)
def test_a_saved_read_resumes_in_its_slice_whatever_the_window_start_now_is(
    stream, full, saved_from_start, resumes
):
    # given a read saved 400 records into the slice that followed the one committed last,
    # and a new run whose window starts a lookback before that watermark
    now = timezone.now().replace(microsecond=0)
    watermark = now - timedelta(days=40)
    saved_since, saved_until = watermark, watermark + timedelta(days=30)
    cursor = SyncCursor(
        watermark=watermark, position=_saved(saved_since, saved_until, saved_from_start)
    )
    since = None if full else watermark - lease.lookback()
    slices = [(since or now - timedelta(days=730), now)]

    # when the new run plans its read
    read = _resumed(stream, cursor, slices, full=full)

    # then it goes on from the saved position, or starts over
    if not resumes:
        assert (read.slices, read.at, read.from_start) == (slices, {}, True)
    elif stream == Stream.CUSTOMERS:
        assert (read.slices, read.at) == ([(saved_since, saved_until)], {"offset": 400})
    else:
        assert read.slices == [(saved_since, saved_until), (saved_until, now)]
        assert (read.at, read.from_start) == ({"offset": 400}, saved_from_start)
