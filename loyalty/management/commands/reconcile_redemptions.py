"""``python manage.py reconcile_redemptions``: points back for deduct-on-apply redemptions
(Cova) whose sale never carried the discount, once LOYALTY_RECONCILE_HOURS have passed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from loyalty.api.redemption.reconcile import reconcile_due


class Command(BaseCommand):
    help = "Confirm or return the points of redemptions deducted on apply, past their time."

    def handle(self, *args: Any, **options: Any) -> None:
        run = reconcile_due(timezone.now())
        self.stdout.write(
            f"Confirmed {len(run.confirmed)} redemptions by their sale; "
            f"returned the points of {len(run.returned)}."
        )
