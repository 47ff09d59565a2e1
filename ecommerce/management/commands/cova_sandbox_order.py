"""Look at or cancel an order in the Cova sandbox a store pushes its orders to, as staff at
the store would: ``manage.py cova_sandbox_order --store 1 --order <GUID> --cancel``. The
order's next status poll then says Cancelled (7)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecommerce.models import CovaEcommerceSettings
from integrations.sandbox.cova.menu_edits import cova_account
from integrations.sandbox.cova.orders import cancel_order, find_order, status_payload


class Command(BaseCommand):
    help = "Show or cancel an order in the Cova sandbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", type=int, required=True, help="Retail store id.")
        parser.add_argument("--order", required=True, help="The order's GUID.")
        parser.add_argument("--cancel", action="store_true", help="Cancel it at the store.")

    def handle(self, *args: Any, **options: Any) -> None:
        settings = CovaEcommerceSettings.objects.filter(store_id=options["store"]).first()
        if settings is None or not settings.is_sandbox:
            raise CommandError("That store has no COVA ecommerce settings on the sandbox.")
        account = cova_account(settings.credential_values())
        try:
            order = (
                cancel_order(account, options["order"])
                if options["cancel"]
                else find_order(account, options["order"])
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        if order is None:
            raise CommandError(f"The sandbox has no order {options['order']}.")
        shown = {**status_payload(order), "Lines": order["Lines"]}
        self.stdout.write(json.dumps(shown, indent=2))
        if options["cancel"]:
            self.stdout.write("Cancelled: the next status poll says 7 (Cancelled).")
