"""``python manage.py create_api_key --company UID --name NAME [--store ID]``: the operator
twin of Settings > API & Tracking > Create. The key is printed alone on the last line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aiq.accounts.models import Company
from loyalty.api.keys import create_api_key
from stores.models import RetailStore


class Command(BaseCommand):
    help = "Create an API key for the POS-facing loyalty API; prints the key once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", metavar="UID", required=True, help="Account UID.")
        parser.add_argument("--name", required=True, help="What the key is for (e.g. 'Cova').")
        parser.add_argument("--store", type=int, help="Only this store (its id).")

    def handle(self, *args: Any, **options: Any) -> None:
        company = Company.objects.filter(uid=options["company"]).first()
        if company is None:
            raise CommandError(f"No company has the account UID {options['company']!r}.")
        name = options["name"].strip()
        if not name:
            raise CommandError("--name must not be blank.")
        store = None
        if options["store"] is not None:
            store = RetailStore.objects.filter(company=company, pk=options["store"]).first()
            if store is None:
                raise CommandError(f"{company} has no store with id {options['store']}.")
        new = create_api_key(company, name, store=store)
        self.stdout.write(
            f"Created API key {new.key.name!r} ({new.key.prefix}...) for {company} "
            f"(account UID {company.uid}). It is shown only now:"
        )
        self.stdout.write(new.plaintext)
