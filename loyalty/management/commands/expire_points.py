"""``python manage.py expire_points [--dry-run] [--company UID]``: the nightly expiry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from aiq.accounts.models import Company
from loyalty.expiry_jobs.run import expire_points
from loyalty.program.points import say_points


class Command(BaseCommand):
    help = "Expire loyalty points by each company's rule; --dry-run prints what it would do."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Write nothing.")
        parser.add_argument("--company", help="Only this company (its UID).")

    def handle(self, *args: Any, **options: Any) -> None:
        company_id = None
        if options["company"]:
            company = Company.objects.filter(uid=options["company"]).first()
            if company is None:
                raise CommandError(f"No company with UID {options['company']}.")
            company_id = company.pk
        dry_run = options["dry_run"]
        verb = "would expire" if dry_run else "expired"
        results = expire_points(timezone.now(), dry_run=dry_run, company_id=company_id)
        if not results:
            self.stdout.write("No company has an expiration rule in force.")
        for result in results:
            self.stdout.write(
                f"{result.company} ({result.rule}): {verb} {say_points(result.points)} points "
                f"from {result.accounts} account{'s' if result.accounts != 1 else ''}"
            )
            for persona, points in result.per_persona.items():
                self.stdout.write(f"  {persona}: {say_points(points)}")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
