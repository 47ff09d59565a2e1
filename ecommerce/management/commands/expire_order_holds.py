"""Twin of the every-minute sweeper: ``manage.py expire_order_holds``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ecommerce.orders.expiry import sweep


class Command(BaseCommand):
    help = (
        "Cancel online orders not confirmed in time and release inventory holds that a menu "
        "sync counted or that ran out."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep()
        self.stdout.write(
            f"{result.cancelled} unconfirmed orders cancelled, {result.counted} holds counted "
            f"by a sync, {result.expired} holds expired"
        )
