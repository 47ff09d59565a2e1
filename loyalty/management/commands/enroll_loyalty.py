"""``python manage.py enroll_loyalty [--company UID] [--dry-run]``: the daily task's twin."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aiq.accounts.models import Company
from loyalty.enrollment.daily import run_daily


class Command(BaseCommand):
    help = (
        "Apply every integration card's \"Enroll Personas in loyalty program who purchased "
        'after" date now (the daily task does the same). --dry-run only counts.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", metavar="UID", help="Only this account UID.")
        parser.add_argument("--dry-run", action="store_true", help="Count, enroll nobody.")

    def handle(self, *args: Any, **options: Any) -> None:
        company_id = None
        if options["company"]:
            company = Company.objects.filter(uid=options["company"]).first()
            if company is None:
                raise CommandError(f"No company has the account UID {options['company']!r}.")
            company_id = company.pk
        verb = "would enroll" if options["dry_run"] else "enrolled"
        results = run_daily(company_id, dry_run=options["dry_run"])
        for result in results:
            self.stdout.write(
                f"Company {result.company_id}, {result.card} card (purchased after "
                f"{result.setting_date}): {verb} {result.enrolled} personas."
            )
        total = sum(result.enrolled for result in results)
        self.stdout.write(self.style.SUCCESS(f"{len(results)} cards: {verb} {total} personas."))
