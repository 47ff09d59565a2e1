"""Run POS syncs now, in this process: the operator's twin of the scheduled syncs.

    manage.py sync_pos (--integration ID | --all) [--stream customers|sales] [--full]
                       [--json] [--sandbox-origin URL]

Runs each stream of each credential of the chosen cards (``--all``: every connected or
frozen card) through the same engine as the Celery task, customers before sales, and
prints one line per run. ``--json`` prints, at the end, one JSON object with the counts
per card and stream and their totals. Sandbox credentials talk to POS_SANDBOX_ORIGIN, or
``--sandbox-origin``; when nothing answers there, a sandbox is started in-process for
the run. Transient errors are retried a few times; the exit status is 1 if a run failed.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.choices import CredentialState, IntegrationStatus
from integrations.models import Credential, Integration, SyncRun
from integrations.sync.choices import STREAMS, RunStatus, Trigger
from integrations.sync.runner import run_stream

ATTEMPTS = 3
COUNT_FIELDS = ("created", "updated", "unchanged", "quarantined", "skipped", "requests")


@contextlib.contextmanager
def sandbox_for(origin: str | None, needed: bool) -> Iterator[str | None]:
    """The sandbox origin to use: the given one, this server's if it answers, else one
    served in-process while the block runs."""
    from integrations.sandbox.server import running_sandbox, sandbox_answers

    if not needed:
        yield origin
        return
    candidate = origin or settings.POS_SANDBOX_ORIGIN
    if sandbox_answers(candidate):
        yield candidate
        return
    if origin:
        raise CommandError(f"No POS sandbox answers at {origin}.")
    with running_sandbox() as served:
        yield served


class Command(BaseCommand):
    help = "Sync customers and sales from POS integrations now (see the module docstring)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--integration", type=int, help="the id of one integration card")
        which.add_argument("--all", action="store_true", help="every connected or frozen card")
        parser.add_argument("--stream", choices=STREAMS, help="only this stream")
        parser.add_argument("--full", action="store_true", help="full reconciliation")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")
        parser.add_argument("--sandbox-origin", help="where the POS sandboxes answer")

    def handle(self, *args: Any, **options: Any) -> None:
        cards = Integration.objects.select_related("company").order_by("company_id", "provider")
        if options["integration"] is not None:
            cards = cards.filter(pk=options["integration"])
            if not cards.exists():
                raise CommandError(f"No integration with id {options['integration']}.")
        else:
            cards = cards.filter(status__in=[IntegrationStatus.CONNECTED, IntegrationStatus.FROZEN])
        credentials = list(
            Credential.objects.filter(integration__in=cards)
            .exclude(state=CredentialState.FAILING)
            .select_related("integration__company")
            .order_by("integration__company_id", "integration__provider", "pk")
        )
        streams = [options["stream"]] if options["stream"] else list(STREAMS)
        report: dict[str, Any] = {"integrations": [], "totals": {}}
        failed = False
        needs_sandbox = any(c.is_sandbox for c in credentials)
        with sandbox_for(options["sandbox_origin"], needs_sandbox) as origin:
            for credential in credentials:
                entry = {
                    "integration": credential.integration_id,
                    "company": credential.integration.company.name,
                    "provider": credential.integration.provider,
                    "credential": credential.pk,
                    "streams": {},
                }
                for stream in streams:
                    run = self._run(credential, stream, options["full"], origin)
                    entry["streams"][stream] = self._summary(run)
                    failed |= run.status == RunStatus.FAILED
                    self._print_line(credential, run, options["json"])
                    if (
                        run.status == RunStatus.FAILED
                        and credential.state == CredentialState.FAILING
                    ):
                        break
                report["integrations"].append(entry)
        for entry in report["integrations"]:
            for stream, summary in entry["streams"].items():
                total = report["totals"].setdefault(stream, dict.fromkeys(COUNT_FIELDS, 0))
                for name in COUNT_FIELDS:
                    total[name] += summary[name]
        if options["json"]:
            self.stdout.write(json.dumps(report, sort_keys=True))
        if failed:
            raise SystemExit(1)

    def _run(self, credential: Credential, stream: str, full: bool, origin: str | None) -> SyncRun:
        run = SyncRun.objects.create(
            company_id=credential.company_id,
            integration_id=credential.integration_id,
            credential=credential,
            stream=stream,
            trigger=Trigger.COMMAND,
            full=full,
        )
        for attempt in range(1, ATTEMPTS + 1):
            outcome = run_stream(run, sandbox_origin=origin)
            if not outcome.transient_error or attempt == ATTEMPTS:
                break
            wait = getattr(outcome.error, "retry_after", None) or 2.0 * attempt
            self.stderr.write(f"  {stream}: {outcome.error.user_message} Retrying in {wait:.0f} s.")
            time.sleep(min(wait, 30.0))
        run.refresh_from_db()
        if run.status == RunStatus.QUEUED:
            SyncRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED)
            run.status = RunStatus.FAILED
        credential.refresh_from_db(fields=["state"])
        return run

    @staticmethod
    def _summary(run: SyncRun) -> dict[str, Any]:
        summary: dict[str, Any] = {name: getattr(run, name) for name in COUNT_FIELDS}
        summary.update(
            run=run.pk,
            status=run.status,
            seconds=round(run.duration.total_seconds(), 3) if run.duration else None,
            details=run.details,
            error=run.error_message,
        )
        return summary

    def _print_line(self, credential: Credential, run: SyncRun, quiet: bool) -> None:
        line = (
            f"{credential.integration.label} {credential.display_name} {run.stream}: "
            f"{run.get_status_display()}; {run.created} created, {run.updated} updated, "
            f"{run.unchanged} unchanged, {run.quarantined} quarantined, {run.skipped} skipped; "
            f"{run.requests} requests"
        )
        if run.error_message:
            line += f" ({run.error_message})"
        # With --json, stdout carries only the JSON object; the lines go to stderr.
        (self.stderr if quiet else self.stdout).write(line)
