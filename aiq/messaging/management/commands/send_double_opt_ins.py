"""Operators' twin of messaging.send_double_opt_ins: every card's "Send SMS double opt-ins
to Personas who purchased after"."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from aiq.messaging.double_opt_in import cards_with_setting, preview_count, request_opt_ins


class Command(BaseCommand):
    help = "Queue SMS double opt-in requests for every card with the purchased-after date."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--company", type=int, help="Only this company id.")
        parser.add_argument("--dry-run", action="store_true", help="Count, send nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        for card in cards_with_setting(options["company"]):
            assert card.sms_double_opt_in_after is not None
            if options["dry_run"]:
                count, verb = preview_count(card, card.sms_double_opt_in_after), "would ask"
            else:
                count, verb = request_opt_ins(card), "asked"
            self.stdout.write(
                f"{card.company.name} / {card.label} (after "
                f"{card.sms_double_opt_in_after.isoformat()}): {verb} {count}"
            )
