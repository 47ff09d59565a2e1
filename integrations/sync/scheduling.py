"""When syncs run: the dispatcher's claims, "Sync now", and the first sync after Connect.

One celery-beat entry runs ``dispatch()`` every minute. A credential is due when its card
is connected, the credential is not failing, and ``next_sync_at`` has passed or is blank
(never synced), or the credential was verified (connected again) after its last claim: a
card that just connected is picked up within a minute. Claiming moves
``next_sync_at`` forward with a conditional UPDATE that names the value just read; only
the dispatcher whose UPDATE changed exactly one row creates the runs and enqueues the task,
after its transaction commits. Two dispatchers at once therefore produce one run.

Each claim also decides whether the run is the nightly full reconciliation: when
``next_full_sync_at`` has passed (or is blank), the runs read everything again and the
next one is set for the next ``SYNC_NIGHTLY_HOUR_UTC``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.choices import CredentialState, IntegrationStatus
from integrations.models import Credential, Integration, SyncRun
from integrations.sync.choices import STREAMS, RunStatus, Trigger

DISPATCH_LIMIT = 500


def next_nightly(now: datetime) -> datetime:
    """The next SYNC_NIGHTLY_HOUR_UTC o'clock after ``now`` (UTC)."""
    hour = getattr(settings, "SYNC_NIGHTLY_HOUR_UTC", 9)
    candidate = now.astimezone(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


def due_credentials(now: datetime):  # type: ignore[no-untyped-def]
    return (
        # A card that needs attention keeps syncing its working credentials: one POSaBIT
        # store's revoked key must not stop the other stores' syncs.
        Credential.objects.filter(
            integration__status__in=[IntegrationStatus.CONNECTED, IntegrationStatus.NEEDS_ATTENTION]
        )
        .exclude(state=CredentialState.FAILING)
        .filter(
            Q(next_sync_at__isnull=True)
            | Q(next_sync_at__lte=now)
            | Q(last_verified_at__gt=F("sync_claimed_at"))
        )
        .order_by("next_sync_at", "pk")
    )


def _enqueue(credential_id: int, run_ids: list[int]) -> None:
    from integrations.tasks import sync_credential

    sync_credential.delay(credential_id, run_ids)


def create_runs(
    credential: Credential,
    *,
    trigger: str,
    full: bool = False,
    streams: Iterable[str] = STREAMS,
) -> list[SyncRun]:
    """Queued runs for these streams, enqueued once the caller's transaction commits.

    A stream that already has a queued run gets no second one (the existing run is
    returned), so repeated "Sync now" clicks queue one run.
    """
    waiting = {
        run.stream: run
        for run in SyncRun.objects.filter(
            credential=credential, status=RunStatus.QUEUED, stream__in=list(streams)
        )
    }
    runs = []
    for stream in streams:
        run = waiting.get(stream)
        if run is None:
            run = SyncRun.objects.create(
                company_id=credential.company_id,
                integration_id=credential.integration_id,
                credential=credential,
                stream=stream,
                trigger=trigger,
                full=full,
            )
        runs.append(run)
    run_ids = [run.pk for run in runs]
    transaction.on_commit(lambda: _enqueue(credential.pk, run_ids))
    return runs


def claim(credential_id: int, observed_next: datetime | None, now: datetime) -> list[SyncRun]:
    """Claim one due credential; [] when another dispatcher got there first."""
    with transaction.atomic():
        credential = Credential.objects.select_related("integration").get(pk=credential_id)
        interval = timedelta(minutes=max(1, credential.integration.sync_interval_minutes))
        full = credential.next_full_sync_at is None or credential.next_full_sync_at <= now
        values: dict[str, object] = {"next_sync_at": now + interval, "sync_claimed_at": now}
        if full:
            values["next_full_sync_at"] = next_nightly(now)
        rows = Credential.objects.filter(pk=credential_id)
        rows = (
            rows.filter(next_sync_at__isnull=True)
            if observed_next is None
            else rows.filter(next_sync_at=observed_next)
        )
        if rows.update(**values) != 1:
            return []
        # The very first sync reads everything anyway; call it the schedule, not nightly.
        nightly = full and credential.next_full_sync_at is not None
        return create_runs(
            credential, trigger=Trigger.NIGHTLY if nightly else Trigger.SCHEDULE, full=nightly
        )


def dispatch(now: datetime | None = None, limit: int = DISPATCH_LIMIT) -> list[SyncRun]:
    """Claim every due credential (up to ``limit``) and queue its runs."""
    now = now or timezone.now()
    runs: list[SyncRun] = []
    for credential_id, observed in due_credentials(now).values_list("pk", "next_sync_at")[:limit]:
        runs += claim(credential_id, observed, now)
    return runs


def request_sync(
    integration: Integration,
    *,
    streams: Iterable[str] = STREAMS,
    trigger: str = Trigger.MANUAL,
    full: bool = False,
) -> list[SyncRun]:
    """ "Sync now": queue runs for every working credential of the card."""
    with transaction.atomic():
        runs: list[SyncRun] = []
        for credential in integration.credentials.exclude(state=CredentialState.FAILING):
            runs += create_runs(credential, trigger=trigger, full=full, streams=list(streams))
        return runs


def schedule_first_sync(integration: Integration) -> int:
    """Make every credential of a card that just connected due now (the dispatcher picks
    it up within a minute). Returns the number of credentials scheduled."""
    return Credential.objects.filter(integration=integration).update(next_sync_at=timezone.now())
