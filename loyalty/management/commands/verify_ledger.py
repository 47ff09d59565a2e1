"""``python manage.py verify_ledger [--company UID]``: report drift between cache and history."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aiq.accounts.models import Company
from loyalty.ledger.verify import verify


class Command(BaseCommand):
    help = (
        "Recompute every loyalty balance from its entries and every lot from its "
        "allocations; print any drift (expected: none). Exits non-zero on drift."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", metavar="UID", help="Only this account UID.")

    def handle(self, *args: Any, **options: Any) -> None:
        company = None
        if options["company"]:
            company = Company.objects.filter(uid=options["company"]).first()
            if company is None:
                raise CommandError(f"No company has the account UID {options['company']!r}.")
        report = verify(company)
        for drift in report.drifts:
            self.stdout.write(str(drift))
        summary = (
            f"Checked {report.accounts} accounts, {report.entries} entries, {report.lots} lots: "
        )
        if report.drifts:
            raise CommandError(summary + f"{len(report.drifts)} drift(s).", returncode=1)
        self.stdout.write(self.style.SUCCESS(summary + "no drift."))
