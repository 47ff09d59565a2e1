"""Twin of the 10-minute menu sync: ``manage.py sync_menu [--store ID] [--full]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ecommerce.choices import MenuSyncTrigger
from ecommerce.menu.runner import run_menu_sync
from ecommerce.models import CovaEcommerceSettings


class Command(BaseCommand):
    help = "Sync the COVA menu of every enabled store (or one), now, in this process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", type=int, help="Only this retail store's id.")
        parser.add_argument("--full", action="store_true", help="DetailedProductData in full.")

    def handle(self, *args: Any, **options: Any) -> None:
        settings = CovaEcommerceSettings.objects.filter(enabled=True).select_related("store")
        if options["store"]:
            settings = settings.filter(store_id=options["store"])
        for item in settings:
            run = run_menu_sync(item.pk, MenuSyncTrigger.COMMAND, full=options["full"])
            if run is None:
                self.stdout.write(f"{item.store}: not verified, skipped")
                continue
            self.stdout.write(
                f"{item.store}: {run.get_status_display()} ({run.get_mode_display()}): "
                f"{run.fetched} read, {run.written} written, {run.quarantined} set aside"
                + (f"; {run.error}" if run.error else "")
            )
