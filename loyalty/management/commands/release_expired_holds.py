"""``python manage.py release_expired_holds``: the every-minute release of lapsed holds."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from loyalty.api.redemption.releasing import release_expired_holds


class Command(BaseCommand):
    help = "Release redemption holds that no checkout committed within LOYALTY_HOLD_MINUTES."

    def handle(self, *args: Any, **options: Any) -> None:
        run = release_expired_holds(timezone.now())
        count = len(run.released)
        self.stdout.write(f"Released {count} hold{'s' if count != 1 else ''}.")
