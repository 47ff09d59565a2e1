"""The dispatcher: due credentials are claimed once and their runs queued after commit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from integrations.choices import CredentialState, IntegrationStatus
from integrations.models import Credential, SyncRun
from integrations.sync import scheduling
from integrations.sync.choices import RunStatus, Trigger
from tests.sync.factories import SandboxCredentialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):  # type: ignore[no-untyped-def]
    """What the dispatcher hands to Celery (after commit), instead of a broker."""
    calls: list[tuple[int, list[int]]] = []
    monkeypatch.setattr(scheduling, "_enqueue", lambda cid, run_ids: calls.append((cid, run_ids)))
    return calls


def test_one_beat_entry_drives_the_dispatcher():
    entries = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "integrations.dispatch_syncs"
    ]
    assert entries == [{"task": "integrations.dispatch_syncs", "schedule": 60.0}]


def test_a_newly_connected_credential_is_claimed_at_once(
    enqueued, django_capture_on_commit_callbacks
):
    # given a card that just connected (never synced)
    credential = SandboxCredentialFactory(integration__sync_interval_minutes=15)
    now = timezone.now()

    # when the dispatcher runs
    with django_capture_on_commit_callbacks(execute=True):
        runs = scheduling.dispatch(now)

    # then both streams are queued and enqueued after commit, and the next sync is set
    assert sorted(run.stream for run in runs) == ["customers", "sales"]
    assert {run.status for run in runs} == {RunStatus.QUEUED}
    assert enqueued == [(credential.pk, [run.pk for run in runs])]
    credential.refresh_from_db()
    assert credential.next_sync_at == now + timedelta(minutes=15)
    assert credential.sync_claimed_at == now


def test_nothing_is_enqueued_before_the_transaction_commits(
    enqueued, django_capture_on_commit_callbacks
):
    SandboxCredentialFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        scheduling.dispatch()
    assert enqueued == []
    assert len(callbacks) == 1


def test_a_credential_not_yet_due_is_left_alone(enqueued):
    SandboxCredentialFactory(next_sync_at=timezone.now() + timedelta(minutes=3))
    assert scheduling.dispatch() == []
    assert not SyncRun.objects.exists()


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (IntegrationStatus.NOT_CONNECTED, CredentialState.VERIFIED),
        (IntegrationStatus.FROZEN, CredentialState.VERIFIED),
        (IntegrationStatus.CONNECTED, CredentialState.FAILING),
    ],
)
def test_cards_not_connected_and_failing_credentials_are_not_claimed(enqueued, status, state):
    SandboxCredentialFactory(integration__status=status, state=state)
    assert scheduling.dispatch() == []


def test_a_card_needing_attention_keeps_syncing_its_working_credentials(enqueued):
    # Given a POSaBIT card with one store's key failing and another's verified
    working = SandboxCredentialFactory(
        integration__provider="posabit",
        integration__status=IntegrationStatus.NEEDS_ATTENTION,
        state=CredentialState.VERIFIED,
    )
    SandboxCredentialFactory(integration=working.integration, state=CredentialState.FAILING)

    # When the dispatcher runs
    claimed = scheduling.dispatch()

    # Then only the working store's credential is synced
    assert {run.credential_id for run in claimed} == {working.pk}


def test_the_cards_interval_sets_the_next_sync(enqueued):
    credential = SandboxCredentialFactory(integration__sync_interval_minutes=5)
    now = timezone.now()
    scheduling.dispatch(now)
    credential.refresh_from_db()
    assert credential.next_sync_at == now + timedelta(minutes=5)
    assert scheduling.dispatch(now + timedelta(minutes=4)) == []
    assert len(scheduling.dispatch(now + timedelta(minutes=5))) == 2


def test_connecting_again_makes_the_credential_due_at_once(enqueued):
    now = timezone.now()
    credential = SandboxCredentialFactory(
        next_sync_at=now + timedelta(minutes=10), sync_claimed_at=now - timedelta(minutes=5)
    )
    assert scheduling.dispatch(now) == []
    Credential.objects.filter(pk=credential.pk).update(last_verified_at=now)

    assert len(scheduling.dispatch(now + timedelta(seconds=30))) == 2


def test_the_nightly_reconciliation_is_a_full_run(enqueued):
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    credential = SandboxCredentialFactory(
        next_sync_at=now, next_full_sync_at=now - timedelta(hours=1)
    )

    runs = scheduling.dispatch(now)

    assert {(run.full, run.trigger) for run in runs} == {(True, Trigger.NIGHTLY)}
    credential.refresh_from_db()
    assert credential.next_full_sync_at == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def test_the_first_sync_is_not_called_nightly(enqueued):
    runs = SandboxCredentialFactory() and scheduling.dispatch()
    assert {(run.full, run.trigger) for run in runs} == {(False, Trigger.SCHEDULE)}


def test_a_claim_made_by_someone_else_first_is_refused(enqueued):
    now = timezone.now()
    credential = SandboxCredentialFactory(next_sync_at=now - timedelta(minutes=1))
    observed = credential.next_sync_at
    # another dispatcher claims it between our read and our update
    Credential.objects.filter(pk=credential.pk).update(next_sync_at=now + timedelta(minutes=15))

    assert scheduling.claim(credential.pk, observed, now) == []
    assert not SyncRun.objects.exists()


def test_repeated_sync_now_queues_one_run_per_stream(enqueued):
    credential = SandboxCredentialFactory()
    first = scheduling.request_sync(credential.integration)
    second = scheduling.request_sync(credential.integration)
    assert [run.pk for run in first] == [run.pk for run in second]
    assert SyncRun.objects.count() == 2


def test_schedule_first_sync_makes_the_card_due_now(enqueued):
    credential = SandboxCredentialFactory(next_sync_at=timezone.now() + timedelta(hours=1))
    assert scheduling.schedule_first_sync(credential.integration) == 1
    assert len(scheduling.dispatch()) == 2


def test_the_dispatch_task_runs_the_dispatcher(enqueued):
    from integrations.tasks import dispatch_syncs

    SandboxCredentialFactory()
    with mock.patch.object(scheduling, "dispatch", wraps=scheduling.dispatch) as spy:
        assert dispatch_syncs.apply().get() == 2
    spy.assert_called_once()
