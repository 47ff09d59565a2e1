"""Admin screens for what syncs leave behind: their runs (read-only) and the records they
set aside (with a "Retry" action). Both are scoped to the staff member's company."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from aiq.accounts.tenancy import ReadOnlyTenantAdmin, TenantAdmin
from aiq.paginator import EstimatedCountPaginator
from integrations.models import QuarantinedRecord, SyncRun
from integrations.sync.choices import RunStatus, Trigger
from integrations.sync.scheduling import create_runs


class RunProblemFilter(admin.SimpleListFilter):
    title = "problems"
    parameter_name = "problem"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [
            ("failed", "Failed"),
            ("quarantined", "Set records aside"),
            ("retrying", "Waiting to retry"),
        ]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if self.value() == "failed":
            return queryset.filter(status=RunStatus.FAILED)
        if self.value() == "quarantined":
            return queryset.filter(quarantined__gt=0)
        if self.value() == "retrying":
            return queryset.filter(status=RunStatus.QUEUED).exclude(error_code="")
        return queryset


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyTenantAdmin):
    """Every run of every stream: what it did and how it ended. Read-only."""

    list_display = [
        "queued_at",
        "integration",
        "credential",
        "stream",
        "status_badge",
        "trigger",
        "full",
        "created",
        "updated",
        "unchanged",
        "quarantined",
        "skipped",
        "requests",
        "duration_display",
        "error_message",
    ]
    list_filter = [RunProblemFilter, "status", "stream", "trigger", "integration"]
    list_select_related = ["integration", "credential"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    ordering = ["-queued_at", "-id"]
    date_hierarchy = None
    readonly_fields = [
        "integration",
        "credential",
        "stream",
        "status",
        "trigger",
        "full",
        "window_since",
        "window_until",
        "created",
        "updated",
        "unchanged",
        "quarantined",
        "skipped",
        "details_display",
        "requests",
        "attempts",
        "queued_at",
        "started_at",
        "finished_at",
        "duration",
        "error_code",
        "error_message",
    ]
    fieldsets = [
        (
            None,
            {"fields": [("integration", "credential"), ("stream", "status", "trigger", "full")]},
        ),
        (
            "Counts",
            {
                "fields": [
                    ("created", "updated", "unchanged", "quarantined", "skipped"),
                    "details_display",
                ]
            },
        ),
        ("Window", {"fields": [("window_since", "window_until")]}),
        (
            "Timing",
            {
                "fields": [
                    ("queued_at", "started_at", "finished_at"),
                    ("duration", "attempts", "requests"),
                ]
            },
        ),
        ("Error", {"fields": ["error_code", "error_message"]}),
    ]

    @admin.display(description="Status", ordering="status")
    def status_badge(self, run: SyncRun) -> str:
        return format_html(
            '<span class="sync-status sync-status-{}">{}</span>',
            run.status,
            run.get_status_display(),
        )

    @admin.display(description="Duration", ordering="duration")
    def duration_display(self, run: SyncRun) -> str:
        if run.duration is None:
            return "-"
        return f"{run.duration.total_seconds():.1f} s"

    @admin.display(description="Details")
    def details_display(self, run: SyncRun) -> str:
        if not run.details:
            return "-"
        return ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in run.details.items())


class ResolvedFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "resolved__exact"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [("0", "Open"), ("1", "Resolved")]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if self.value() in ("0", "1"):
            return queryset.filter(resolved=self.value() == "1")
        return queryset


@admin.register(QuarantinedRecord)
class QuarantinedRecordAdmin(TenantAdmin):
    """Records a POS sent that could not be read, with the reason and the payload.

    "Retry" queues a full read of the record's stream for its credential: once the data
    is fixed in the POS, the good record lands and its quarantined version is resolved.
    """

    list_display = [
        "last_seen_at",
        "integration",
        "credential",
        "stream",
        "external_id",
        "short_reason",
        "resolved",
        "retried_at",
    ]
    list_filter = [ResolvedFilter, "stream", "integration"]
    list_select_related = ["integration", "credential"]
    search_fields = ["external_id"]
    paginator = EstimatedCountPaginator
    ordering = ["-last_seen_at", "-id"]
    actions = ["retry"]
    readonly_fields = [
        "integration",
        "credential",
        "stream",
        "external_id",
        "reason",
        "payload_display",
        "created_at",
        "last_seen_at",
        "retried_at",
        "resolved",
        "resolved_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Reason")
    def short_reason(self, record: QuarantinedRecord) -> str:
        return record.reason if len(record.reason) <= 80 else f"{record.reason[:79]}…"

    @admin.display(description="Payload")
    def payload_display(self, record: QuarantinedRecord) -> str:
        text = json.dumps(record.payload, indent=2, sort_keys=True, ensure_ascii=False)
        return format_html('<pre class="quarantine-payload">{}</pre>', text)

    @admin.action(description="Retry: read the stream again from the POS", permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        now = timezone.now()
        records = list(queryset.select_related("credential"))
        targets = {(r.credential_id, r.stream): r.credential for r in records}
        with transaction.atomic():
            QuarantinedRecord.objects.filter(pk__in=[r.pk for r in records]).update(retried_at=now)
            runs = []
            for (_credential_id, stream), credential in targets.items():
                runs += create_runs(credential, trigger=Trigger.RETRY, full=True, streams=[stream])
        self.message_user(
            request,
            f"{len(records)} record(s) queued for retry: {len(runs)} full read(s) of their "
            "stream. A record is resolved when the POS sends it in a readable form.",
            messages.SUCCESS,
        )
