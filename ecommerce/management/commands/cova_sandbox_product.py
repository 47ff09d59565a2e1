"""Change a product (or its stock) in the Cova sandbox a store's menu syncs from, so the
change shows at the next sync: ``manage.py cova_sandbox_product --store 1 --product 3
--stock 0``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecommerce.models import CovaEcommerceSettings
from integrations.sandbox.cova import payloads
from integrations.sandbox.cova.menu_edits import cova_account, edit_product


class Command(BaseCommand):
    help = "Edit a Cova sandbox product's name, price, stock or archived state."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", type=int, required=True, help="Retail store id.")
        parser.add_argument(
            "--product", type=int, required=True, help="Catalog index (0-39; more with products=N)."
        )
        parser.add_argument("--stock", type=int, help="New in-stock quantity at the store.")
        parser.add_argument("--price", help="New price, e.g. 24.50.")
        parser.add_argument("--name", help="New name.")
        parser.add_argument("--archive", action="store_true", help="Archive the product.")

    def handle(self, *args: Any, **options: Any) -> None:
        settings = CovaEcommerceSettings.objects.filter(store_id=options["store"]).first()
        if settings is None or not settings.is_sandbox:
            raise CommandError("That store has no COVA ecommerce settings on the sandbox.")
        account = cova_account(settings.credential_values())
        number = payloads.location_number(account, settings.location_id)
        if number is None:
            raise CommandError("The store's Location ID is not one of the sandbox's locations.")
        price_cents = None
        if options["price"]:
            try:
                price_cents = int(Decimal(options["price"]) * 100)
            except InvalidOperation:
                raise CommandError("--price is an amount, e.g. 24.50.") from None
        try:
            product_id = edit_product(
                account,
                options["product"],
                name=options["name"],
                price_cents=price_cents,
                stock={number: options["stock"]} if options["stock"] is not None else None,
                archived=True if options["archive"] else None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Changed {product_id}; it shows at the store's next menu sync.")
