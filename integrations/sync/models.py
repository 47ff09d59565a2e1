"""What the sync engine records: a cursor and a lock per (credential, stream), one row per
run, and the records it set aside. Imported by ``integrations.models`` so Django sees them."""

from __future__ import annotations

from django.db import models

from aiq.accounts.models import TenantModel
from integrations.sync.choices import RunStatus, Stream, Trigger


class SyncCursor(TenantModel):
    """Where the next incremental sync of one stream of one credential starts, and the lock
    that keeps two runs of it from overlapping.

    ``watermark`` is the newest record time fully committed; ``boundary_ids`` are the ids
    of the records sharing exactly that time, so a re-read of the boundary skips them. Both
    change only in the transaction that commits the last batch of a run's window.
    ``locked_until``/``lock_token`` form a lease taken with a conditional UPDATE; a worker
    that dies leaves a lease that simply expires.

    ``position`` is where the read in progress stands (a page, an offset, a phase), saved
    in the transaction of every batch, so a continuation or a rerun after a crash resumes
    from the last committed batch; it is emptied when the read completes.
    ``runs_without_progress`` counts consecutive runs that ended early having committed
    nothing: at two, the stream stops continuing and says why.
    """

    credential = models.ForeignKey(
        "integrations.Credential", on_delete=models.CASCADE, related_name="sync_cursors"
    )
    stream = models.CharField(max_length=20, choices=Stream.choices)
    watermark = models.DateTimeField(null=True, blank=True)
    boundary_ids = models.JSONField(default=list, blank=True)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    position = models.JSONField(default=dict, blank=True)
    runs_without_progress = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    lock_token = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sync cursor"
        constraints = [
            models.UniqueConstraint(fields=["credential", "stream"], name="cursor_per_stream")
        ]

    def __str__(self) -> str:
        return f"{self.credential} {self.stream} @ {self.watermark}"


class SyncRun(TenantModel):
    """One run of one stream: what it did, how long it took, and how it ended."""

    integration = models.ForeignKey(
        "integrations.Integration", on_delete=models.CASCADE, related_name="sync_runs"
    )
    credential = models.ForeignKey(
        "integrations.Credential", on_delete=models.CASCADE, related_name="sync_runs"
    )
    stream = models.CharField(max_length=20, choices=Stream.choices)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.SCHEDULE)
    full = models.BooleanField("full reconciliation", default=False)
    window_since = models.DateTimeField(null=True, blank=True)
    window_until = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(
        default=0, help_text="Records left out on purpose: no usable PII, outside the market."
    )
    details = models.JSONField(default=dict, blank=True)
    requests = models.PositiveIntegerField(
        default=0, help_text="HTTP requests this run sent to the POS, retries included."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.DurationField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "sync run"
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(
                fields=["credential", "stream", "-queued_at"], name="syncrun_credential_stream"
            ),
            models.Index(fields=["integration", "-queued_at"], name="syncrun_integration"),
        ]

    def __str__(self) -> str:
        return f"{self.stream} run {self.pk} ({self.get_status_display()})"

    @property
    def records_seen(self) -> int:
        return self.created + self.updated + self.unchanged + self.quarantined + self.skipped


class KnownCustomer(TenantModel):
    """A customer a POS listed for one credential, for POSes whose customer list cannot
    filter by change time (Cova): what its list entry looked like, and whether its full
    record still has to be read.

    An incremental run marks ``pending`` only the customers that are new in the list, whose
    list entry changed, or who appear in new sales; the nightly reconciliation marks every
    one. Each batch of full records read clears its rows' ``pending`` in the transaction
    that writes them, so the pending rows are also where an interrupted run resumes.
    """

    credential = models.ForeignKey(
        "integrations.Credential", on_delete=models.CASCADE, related_name="known_customers"
    )
    external_id = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=32, blank=True)
    pending = models.BooleanField(default=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "known POS customer"
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "external_id"], name="known_customer_per_credential"
            )
        ]
        indexes = [
            models.Index(fields=["credential", "pending", "external_id"], name="known_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.credential_id}:{self.external_id}"


class QuarantinedRecord(TenantModel):
    """A record a POS sent that could not be read, kept with its reason and payload.

    One row per (credential, stream, fingerprint): the fingerprint is the record's external
    id, or a hash of its payload when it has none, so a record re-read by every sync is
    counted, not copied (and not written again while it stays the same). ``resolved``
    turns true when a later sync lands a good record with the same external id (e.g.
    after a retry, once the POS data is fixed).
    """

    integration = models.ForeignKey(
        "integrations.Integration", on_delete=models.CASCADE, related_name="quarantined_records"
    )
    credential = models.ForeignKey(
        "integrations.Credential", on_delete=models.CASCADE, related_name="quarantined_records"
    )
    stream = models.CharField(max_length=20, choices=Stream.choices)
    external_id = models.CharField(max_length=128, blank=True)
    fingerprint = models.CharField(max_length=160)
    reason = models.TextField()
    payload = models.JSONField(null=True, blank=True)
    payload_hash = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(
        auto_now=True, help_text="Last time a sync saw it change or come back."
    )
    retried_at = models.DateTimeField(null=True, blank=True)
    resolved = models.BooleanField(default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "quarantined record"
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "stream", "fingerprint"], name="quarantine_unique_record"
            )
        ]
        indexes = [
            models.Index(fields=["credential", "stream", "resolved"], name="quarantine_open"),
        ]

    def __str__(self) -> str:
        return f"{self.stream} {self.external_id or self.fingerprint[:12]}: {self.reason[:60]}"


__all__ = [
    "KnownCustomer",
    "QuarantinedRecord",
    "RunStatus",
    "Stream",
    "SyncCursor",
    "SyncRun",
    "Trigger",
]
