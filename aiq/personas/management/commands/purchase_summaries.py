"""Check (or rebuild) the purchase summaries audiences read against the sales.

python manage.py purchase_summaries --verify            # every company; exit 1 if off
python manage.py purchase_summaries --rebuild --company 7
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from aiq.accounts.models import Company
from aiq.personas import summaries


class Command(BaseCommand):
    help = "Verify purchase summaries against the sales, or rebuild them."

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--verify", action="store_true", help="Recompute and compare.")
        action.add_argument("--rebuild", action="store_true", help="Recompute and store.")
        parser.add_argument("--company", type=int, help="One company's id (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        companies = Company.objects.order_by("pk")
        if options["company"] is not None:
            companies = companies.filter(pk=options["company"])
            if not companies.exists():
                raise CommandError(f"No company with id {options['company']}.")
        off = 0
        for company in companies:
            if options["rebuild"]:
                with transaction.atomic():
                    rows = summaries.rebuild(company.pk)
                self.stdout.write(f"{company.name}: {rows} summaries corrected")
                continue
            wrong = summaries.verify(company.pk)
            off += len(wrong)
            state = "exact" if not wrong else f"{len(wrong)} wrong, e.g. personas {wrong[:10]}"
            self.stdout.write(f"{company.name}: {state}")
        if off:
            raise CommandError("Purchase summaries differ from the sales (run --rebuild).")
