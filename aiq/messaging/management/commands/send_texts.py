"""Operators' twin of the messaging.send_due_texts task: one pass over the SMS outbox."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from aiq.messaging.sending import send_due_texts


class Command(BaseCommand):
    help = "Send the due texts of the SMS outbox (quiet hours, daily limits, consent apply)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--company", type=int, help="Only this company id.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = send_due_texts(company_id=options["company"])
        outcomes = ", ".join(f"{name}: {count}" for name, count in sorted(report.counts.items()))
        self.stdout.write(outcomes or "Nothing due.")
