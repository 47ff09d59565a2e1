from __future__ import annotations

from django.core.management.base import BaseCommand

from aiq.ops.demo import DEFAULT_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo company, stores, staff logins, personas and connected integration "
        "cards. Seeding an existing demo changes nothing (passwords only with --password)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--password",
            help=f"Set this password on the demo logins (new logins get {DEFAULT_PASSWORD}).",
        )

    def handle(self, *args, password: str | None = None, **options) -> None:  # type: ignore[no-untyped-def]
        result = seed_demo(password)
        self.stdout.write(
            f"Demo company: {result.company.name} (account UID {result.company.uid}); "
            f"{result.personas_created} personas created; {result.cards_connected} integration "
            f"cards connected, {result.stores_mapped} POS keys mapped to stores."
        )
        if result.password is None:
            self.stdout.write("Logins: owner, budtender (passwords kept; --password sets them)")
        else:
            self.stdout.write(f"Logins: owner / {result.password}   budtender / {result.password}")
