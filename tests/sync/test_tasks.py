"""The sync task: transient errors retry with backoff, permanent ones stop and flag the
card, long runs continue in a new task, redelivered messages do nothing twice."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from aiq.personas.models import Persona, Sale
from integrations.choices import CredentialState, EventAction, IntegrationStatus
from integrations.models import Credential, IntegrationEvent, SyncCursor, SyncRun
from integrations.providers.errors import AuthenticationFailed, RateLimited
from integrations.sync import scheduling
from integrations.sync.choices import RunStatus, Stream, Trigger
from integrations.sync.runner import run_stream
from integrations.tasks import MAX_RETRIES, sync_credential
from tests.sync.factories import T0, SandboxCredentialFactory, SyncRunFactory, customer, sale
from tests.sync.fakes import FakeProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(monkeypatch):  # type: ignore[no-untyped-def]
    """Every credential's client is this fake (set its records and failures per test)."""
    fake = FakeProvider(
        [customer(f"c{i}", phone=f"206555{i:04d}") for i in range(4)],
        [sale(f"s{i}", occurred_at=T0 + timedelta(minutes=i)) for i in range(4)],
    )
    monkeypatch.setattr(Credential, "provider_client", lambda self, **kwargs: fake)
    return fake


@pytest.fixture
def no_enqueue(monkeypatch):  # type: ignore[no-untyped-def]
    queued: list[tuple[int, list[int]]] = []
    monkeypatch.setattr(scheduling, "_enqueue", lambda cid, ids: queued.append((cid, ids)))
    return queued


def _runs(credential):  # type: ignore[no-untyped-def]
    return [
        SyncRunFactory(credential=credential, stream=Stream.CUSTOMERS),
        SyncRunFactory(credential=credential, stream=Stream.SALES),
    ]


def test_the_task_runs_customers_then_sales(provider):
    credential = SandboxCredentialFactory()
    runs = _runs(credential)

    result = sync_credential.apply(args=(credential.pk, [runs[1].pk, runs[0].pk])).get()

    assert result == {"customers": RunStatus.OK, "sales": RunStatus.OK}
    kinds = [call[0] for call in provider.calls]
    assert kinds[:3] == ["customers", "locations", "sales"]
    assert set(kinds[3:]) == {"sales"}  # the following time slices
    assert Persona.objects.count() == 4 and Sale.objects.count() == 4


def test_a_transient_error_is_retried_and_the_run_completes(provider):
    # given a POS that rate-limits once, after the first page
    credential = SandboxCredentialFactory()
    provider.fail_after_pages, provider.error = 1, RateLimited("slow down", retry_after=1)
    original = provider._pages

    def recovering(records):  # type: ignore[no-untyped-def]
        try:
            yield from original(records)
        finally:
            provider.fail_after_pages = None  # the storm passes

    provider._pages = recovering
    run = SyncRunFactory(credential=credential, stream=Stream.CUSTOMERS)

    # when the task runs (eagerly: the retry runs at once)
    sync_credential.apply(args=(credential.pk, [run.pk]))

    # then the run ended OK on its second attempt, with nothing missing
    run.refresh_from_db()
    assert (run.status, run.attempts, run.created) == (RunStatus.OK, 2, 4)
    assert Persona.objects.count() == 4


def test_transient_errors_that_never_stop_end_in_failed_runs_not_a_loop(provider):
    credential = SandboxCredentialFactory()
    provider.fail_after_pages, provider.error = 0, RateLimited("slow down")
    run = SyncRunFactory(credential=credential, stream=Stream.CUSTOMERS)

    result = sync_credential.apply(args=(credential.pk, [run.pk]))

    run.refresh_from_db()
    assert result.failed()
    assert (run.status, run.attempts, run.error_code) == (
        RunStatus.FAILED,
        MAX_RETRIES + 1,
        "rate-limited",
    )
    credential.refresh_from_db()
    assert credential.state == CredentialState.VERIFIED  # transient: not the credential's fault


def test_a_permanent_error_mid_run_needs_attention_and_is_not_retried(provider):
    # given credentials that stop working after the first page
    credential = SandboxCredentialFactory()
    provider.fail_after_pages, provider.error = 1, AuthenticationFailed("401")
    runs = _runs(credential)

    sync_credential.apply(args=(credential.pk, [run.pk for run in runs]))

    # then the run failed once, the card needs attention, and sales were not attempted
    customers_run, sales_run = (SyncRun.objects.get(pk=run.pk) for run in runs)
    assert (customers_run.status, customers_run.attempts) == (RunStatus.FAILED, 1)
    assert customers_run.error_message == AuthenticationFailed.default_user_message
    assert sales_run.status == RunStatus.QUEUED and sales_run.attempts == 0
    assert provider.pages_served == 1
    credential.refresh_from_db()
    card = credential.integration
    card.refresh_from_db()
    assert credential.state == CredentialState.FAILING
    assert credential.last_error == AuthenticationFailed.default_user_message
    assert (card.status, card.status_detail) == (
        IntegrationStatus.NEEDS_ATTENTION,
        "The credential needs attention",
    )
    assert (
        IntegrationEvent.objects.filter(integration=card, action=EventAction.STATUS_CHANGED).count()
        == 1
    )
    # and the dispatcher leaves it alone until someone fixes it
    credential.next_sync_at = timezone.now() - timedelta(minutes=1)
    credential.save()
    assert scheduling.dispatch() == []


def test_a_redelivered_message_does_not_run_a_finished_run_again(provider):
    credential = SandboxCredentialFactory()
    run = SyncRunFactory(credential=credential, stream=Stream.CUSTOMERS)
    sync_credential.apply(args=(credential.pk, [run.pk]))
    calls = len(provider.calls)

    sync_credential.apply(args=(credential.pk, [run.pk]))

    assert len(provider.calls) == calls
    run.refresh_from_db()
    assert run.attempts == 1


def test_a_run_that_reaches_its_deadline_stops_at_a_slice_and_continues(
    provider, no_enqueue, settings
):
    # given sales spread over several slices
    settings.SYNC_SALES_SLICE_DAYS = 1
    credential = SandboxCredentialFactory()
    provider.sales = [sale(f"s{i}", occurred_at=T0 + timedelta(days=i)) for i in range(4)]
    run = SyncRunFactory(credential=credential, stream=Stream.SALES)

    # when the deadline has passed after the first slice
    outcome = run_stream(run, deadline=time.monotonic() - 1)

    # then the run ends OK but incomplete, the watermark at the end of its first slice
    assert (outcome.status, outcome.complete) == (RunStatus.OK, False)
    cursor = SyncCursor.objects.get(credential=credential, stream=Stream.SALES)
    run.refresh_from_db()
    assert cursor.watermark == run.window_since + timedelta(days=1)
    assert run.details == {"continues": 1}


def test_the_task_queues_a_continuation_for_an_incomplete_run(
    provider, no_enqueue, settings, monkeypatch
):
    from integrations import tasks

    settings.SYNC_SALES_SLICE_DAYS = 1
    monkeypatch.setattr(tasks, "SLICE_ALLOWANCE_SECONDS", 10**6)  # the deadline is now
    credential = SandboxCredentialFactory()
    run = SyncRunFactory(credential=credential, stream=Stream.SALES)

    sync_credential.apply(args=(credential.pk, [run.pk]))

    follow_up = SyncRun.objects.exclude(pk=run.pk).get()
    assert (follow_up.stream, follow_up.trigger, follow_up.status) == (
        Stream.SALES,
        Trigger.CONTINUATION,
        RunStatus.QUEUED,
    )


def test_a_run_left_syncing_by_a_dead_worker_is_closed_by_the_next_one(provider):
    credential = SandboxCredentialFactory()
    dead = SyncRunFactory(credential=credential, stream=Stream.CUSTOMERS, status=RunStatus.SYNCING)

    run_stream(SyncRunFactory(credential=credential, stream=Stream.CUSTOMERS))

    dead.refresh_from_db()
    assert (dead.status, dead.error_code) == (RunStatus.FAILED, "abandoned")


def test_the_push_task_ends_quietly_for_a_persona_that_is_gone():
    from integrations.tasks import push_persona

    assert push_persona.apply(args=(123456,)).get() == {}


def test_a_persona_added_by_staff_is_queued_for_the_pos_after_commit(
    owner_a, company_a, monkeypatch, django_capture_on_commit_callbacks
):
    from integrations import tasks

    pushed: list[int] = []
    monkeypatch.setattr(tasks.push_persona, "delay", pushed.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a.post(
            "/admin/personas/persona/add/",
            {
                "first_name": "Quinn",
                "last_name": "Okafor",
                "email": "quinn@example.com",
                "phone_raw": "206-555-0177",
                "sms_consent": "unknown",
                "email_consent": "unknown",
                "brand_traits": "{}",
                "identities-TOTAL_FORMS": "0",
                "identities-INITIAL_FORMS": "0",
            },
        )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert pushed == [Persona.objects.get(first_name="Quinn").pk]


def test_a_soft_time_limit_hit_does_not_start_the_next_stream(
    provider, no_enqueue, django_capture_on_commit_callbacks
):
    # given a POS so slow that the soft time limit strikes during the customers stream
    from celery.exceptions import SoftTimeLimitExceeded

    credential = SandboxCredentialFactory()
    provider.fail_after_pages, provider.error = 1, SoftTimeLimitExceeded()
    customers_run, sales_run = _runs(credential)

    # when the task runs both streams
    with django_capture_on_commit_callbacks(execute=True):
        sync_credential.apply(args=(credential.pk, [customers_run.pk, sales_run.pk]))

    # then the sales stream was not started beyond the soft limit
    sales_run.refresh_from_db()
    assert (sales_run.status, sales_run.attempts, sales_run.started_at) == (
        RunStatus.QUEUED,
        0,
        None,
    )
    assert [kind for kind, _args in provider.calls] == ["customers"]
    assert not Sale.objects.exists()
    # and one task was queued: the customers continuation, then the waiting sales run
    continuation = SyncRun.objects.exclude(pk__in=[customers_run.pk, sales_run.pk]).get()
    assert (continuation.stream, continuation.trigger) == (Stream.CUSTOMERS, Trigger.CONTINUATION)
    assert no_enqueue == [(credential.pk, [continuation.pk, sales_run.pk])]


def test_a_stream_that_ends_past_the_deadline_leaves_the_next_one_to_a_new_task(
    provider, no_enqueue, monkeypatch, django_capture_on_commit_callbacks
):
    # given a deadline that has passed by the time the customers stream ends
    from integrations import tasks

    monkeypatch.setattr(tasks, "SLICE_ALLOWANCE_SECONDS", 10**6)  # the deadline is now
    credential = SandboxCredentialFactory()
    customers_run, sales_run = _runs(credential)

    # when the task runs both streams
    with django_capture_on_commit_callbacks(execute=True):
        task = sync_credential.apply(args=(credential.pk, [customers_run.pk, sales_run.pk]))
    result = task.get()

    # then customers completed, and sales waits, untouched, for the task it was queued in
    assert result == {"customers": RunStatus.OK}
    customers_run.refresh_from_db()
    sales_run.refresh_from_db()
    assert customers_run.status == RunStatus.OK and "continues" not in customers_run.details
    assert (sales_run.status, sales_run.attempts) == (RunStatus.QUEUED, 0)
    assert "sales" not in [kind for kind, _args in provider.calls]
    assert SyncRun.objects.count() == 2
    assert no_enqueue == [(credential.pk, [sales_run.pk])]
