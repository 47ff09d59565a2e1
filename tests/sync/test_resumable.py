"""Runs that overrun their time limit resume rather than restart, and incremental Cova
runs cost what changed (requests counted per run), against the Cova sandbox over HTTP."""

from __future__ import annotations

from collections import Counter

import pytest
import requests
from celery.exceptions import SoftTimeLimitExceeded

from aiq.personas.models import PersonaIdentity, Sale
from integrations.models import KnownCustomer, SyncCursor, SyncRun
from integrations.providers.cova.provider import CovaProvider
from integrations.sandbox.options import account_for
from integrations.sandbox.sales import sales_timeline
from integrations.sandbox.timeline import to_datetime
from integrations.sync import lease
from integrations.sync.choices import RunStatus, Stream, Trigger
from integrations.sync.runner import STALLED_MESSAGE, run_stream
from integrations.tasks import sync_credential
from tests.integrations.factories import sandbox_values
from tests.sync.factories import SandboxCredentialFactory, SyncRunFactory, run_once, sale
from tests.sync.fakes import FakeProvider

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMERS = 5_000


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing in the engine handles it."""


@pytest.fixture
def sent(monkeypatch):  # type: ignore[no-untyped-def]
    """Every Cova request the sync sends (URL paths), and a hook to fail one on cue."""
    paths: list[str] = []
    cues: dict[int, BaseException] = {}
    original = requests.Session.send

    def send(session, request, **kwargs):  # type: ignore[no-untyped-def]
        if "CustomerFull(" in request.url:
            number = sum("CustomerFull(" in path for path in paths) + 1
            if number in cues:
                raise cues.pop(number)
        paths.append(request.path_url)
        return original(session, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    return paths, cues


def _full_reads(paths: list[str]) -> list[str]:
    return [
        path.split("CustomerFull(")[1].split(")")[0] for path in paths if "CustomerFull(" in path
    ]


def _drain(credential, queued) -> int:  # type: ignore[no-untyped-def]
    """Run the queued tasks (and the continuations they queue) until none is left."""
    tasks = 0
    while queued:
        credential_id, run_ids = queued.pop(0)
        sync_credential.apply(args=(credential_id, run_ids))
        tasks += 1
        assert tasks < 200, "continuations never end"
    return tasks


@pytest.mark.slow
def test_an_overrunning_customers_sync_resumes_across_continuations(
    sandbox_origin, settings, queued, sent
):
    # given a 5,000-customer Cova account and a soft time limit far below what it needs
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 30  # the deadline is "now": a batch or two a task
    credential = SandboxCredentialFactory(
        values=sandbox_values("cova", f"customers={CUSTOMERS},ratelimit=0")
    )
    paths, cues = sent
    # and, once, the soft time limit itself interrupting a batch midway
    cues[2_050] = SoftTimeLimitExceeded()
    run = SyncRunFactory(credential=credential, stream=Stream.CUSTOMERS, full=True)
    queued.append((credential.pk, [run.pk]))

    # when the task and every continuation it queues run
    tasks = _drain(credential, queued)

    # then the stream completed across continuations, every customer in
    runs = list(SyncRun.objects.filter(credential=credential).order_by("pk"))
    assert tasks == len(runs) > 10
    assert all(r.trigger == Trigger.CONTINUATION for r in runs[1:])
    assert runs[-1].status == RunStatus.OK and "continues" not in runs[-1].details
    assert [r.error_code for r in runs if r.status == RunStatus.FAILED] == ["time-limit"]
    assert KnownCustomer.objects.filter(credential=credential).count() == CUSTOMERS
    assert not KnownCustomer.objects.filter(credential=credential, pending=True).exists()
    # each continuation started where the last committed batch ended: no customer was read
    # twice except those of the one batch the time limit cut short (at most two batches
    # were in flight)
    reads = _full_reads(paths)
    assert set(reads) == set(KnownCustomer.objects.values_list("external_id", flat=True))
    assert len(reads) - len(set(reads)) <= 200
    # and the requests in all are within 10% of the account's size, as the runs recorded
    assert len(paths) <= CUSTOMERS * 1.1
    assert sum(r.requests for r in runs) <= len(paths)
    assert sum(r.requests for r in runs) >= CUSTOMERS
    cursor = SyncCursor.objects.get(credential=credential, stream=Stream.CUSTOMERS)
    assert cursor.position == {} and cursor.watermark == runs[0].started_at


@pytest.mark.slow
def test_a_customers_sync_killed_midway_resumes_from_its_last_batch(
    sandbox_origin, monkeypatch, sent
):
    # given a 5,000-customer Cova account
    credential = SandboxCredentialFactory(
        values=sandbox_values("cova", f"customers={CUSTOMERS},ratelimit=0")
    )
    paths, cues = sent
    cues[2_500] = WorkerKilled()
    run = SyncRunFactory(credential=credential, stream=Stream.CUSTOMERS, full=True)

    # when the worker dies halfway (kill -9: its lease is never released)
    release = lease.release
    monkeypatch.setattr(lease, "release", lambda *args: None)
    with pytest.raises(WorkerKilled):
        run_stream(run)
    monkeypatch.setattr(lease, "release", release)
    committed = KnownCustomer.objects.filter(credential=credential, pending=False).count()
    assert 2_000 <= committed < 2_500
    run.refresh_from_db()
    assert run.status == RunStatus.SYNCING and 2_000 <= run.requests < 2_600

    # and once its lease ran out, the next run takes over
    SyncCursor.objects.filter(credential=credential, stream=Stream.CUSTOMERS).update(
        locked_until=None
    )
    rerun = run_once(credential, Stream.CUSTOMERS)

    # then it resumed the same full read where the last committed batch ended
    assert rerun.status == RunStatus.OK
    assert rerun.requests < CUSTOMERS - committed + 300
    reads = _full_reads(paths)
    assert len(set(reads)) == CUSTOMERS
    assert len(reads) - len(set(reads)) <= 300  # only the batches in flight at the kill
    assert len(paths) <= CUSTOMERS * 1.1
    assert not KnownCustomer.objects.filter(credential=credential, pending=True).exists()
    run.refresh_from_db()
    assert (run.status, run.error_code) == (RunStatus.FAILED, "abandoned")


def owner_client_page(credential) -> str:  # type: ignore[no-untyped-def]
    """The card as its company's owner sees it."""
    from aiq.accounts.choices import Role
    from tests.conftest import staff_client

    client = staff_client(credential.integration.company, Role.OWNER)
    url = f"/admin/integrations/integration/{credential.integration_id}/change/"
    return client.get(url).content.decode()


def test_a_stream_that_makes_no_progress_twice_stops_and_says_why(queued, monkeypatch):
    # given a POS so slow that the time limit strikes before the first batch, every time
    from integrations.models import Credential

    credential = SandboxCredentialFactory()
    provider = FakeProvider(
        sales=[sale("s1")],
        fail_after_pages=0,
        error=SoftTimeLimitExceeded(),  # type: ignore[arg-type]
    )
    monkeypatch.setattr(Credential, "provider_client", lambda self, **kwargs: provider)
    run = SyncRunFactory(credential=credential, stream=Stream.SALES)
    queued.append((credential.pk, [run.pk]))

    # when the task runs, and then whatever it queues
    tasks = _drain(credential, queued)

    # then the first run moved through the empty months before the sale (progress) and
    # continued; the next two saved nothing, and the second of them stopped, saying why
    runs = list(SyncRun.objects.filter(credential=credential).order_by("pk"))
    assert tasks == 3
    assert [(r.status, r.error_code) for r in runs] == [
        (RunStatus.FAILED, "time-limit"),
        (RunStatus.FAILED, "time-limit"),
        (RunStatus.FAILED, "no-progress"),
    ]
    assert runs[2].error_message == STALLED_MESSAGE.format(runs=2)
    page = owner_client_page(credential)
    assert STALLED_MESSAGE.format(runs=2) in page
    assert queued == []
    assert not Sale.objects.exists()


@pytest.mark.slow
def test_an_incremental_cova_run_after_100_sales_costs_what_changed(sandbox_origin, sent):
    """A 20,000-customer Cova account, after its first full sync, then 100 new sales.

    Shortcut, for CI's time: the first full sync's stored state is seeded rather than
    synced (20,000 CustomerFull reads take minutes): the known customers come from the
    sandbox's real customer list read over HTTP (their fingerprints as the sync computes
    them), and both cursors are set as if that sync had ended just before the account's
    last 100 sales (the sandbox's history ends today, so "new" sales are its newest).
    The incremental runs themselves are real, over HTTP, customers then sales.
    """
    option = "customers=20000,sales=9000,ratelimit=0"
    credential = SandboxCredentialFactory(values=sandbox_values("cova", option))
    provider = credential.provider_client()
    assert isinstance(provider, CovaProvider)
    known = [
        KnownCustomer(
            company_id=credential.company_id,
            credential=credential,
            external_id=item.external_id,
            fingerprint=item.fingerprint,
            pending=False,
        )
        for _offset, page in provider.iter_customer_listing()
        for item in page
    ]
    assert len(known) == 20_000
    KnownCustomer.objects.bulk_create(known, batch_size=2000)
    values = credential.values()
    sandbox = account_for("cova", [values["client_id"], values["username"]], values.values())
    timeline = sales_timeline(sandbox)
    cut = to_datetime(timeline.at(sandbox.sales - 100)) + lease.lookback()
    for stream in (Stream.CUSTOMERS, Stream.SALES):
        cursor = lease.cursor_for(credential, stream)
        SyncCursor.objects.filter(pk=cursor.pk).update(watermark=cut)
    paths, _cues = sent
    paths.clear()  # the seeding's own requests

    # when the scheduled incremental runs go
    customers = run_once(credential, Stream.CUSTOMERS)
    sales = run_once(credential, Stream.SALES)

    # then the 100 new sales landed, with their shoppers' full records read, and the run
    # records show the requests: fewer than 300 in all
    assert (customers.status, sales.status) == (RunStatus.OK, RunStatus.OK)
    assert Sale.objects.count() == sales.created >= 100
    shoppers = set(
        Sale.objects.exclude(customer_external_id="").values_list("customer_external_id", flat=True)
    )
    assert customers.details["seen_in_sales"] == len(shoppers)
    assert customers.details["fetched"] == len(shoppers)
    assert set(_full_reads(paths)) == shoppers
    assert PersonaIdentity.objects.filter(external_id__in=shoppers).count() > 0
    assert customers.requests + sales.requests == len(paths) < 300
    assert Counter(p.split("?")[0].rsplit("/", 1)[-1] for p in paths)["Customers"] <= 21
