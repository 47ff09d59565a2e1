"""Print sandbox credentials this server's sandbox issued (it accepts writes only from
those): the demo's, or the values given, with the ``issued=`` mark in their secret."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from integrations.providers import PROVIDERS
from integrations.sandbox_credentials import DEMO_SANDBOX_CREDENTIALS, issue_sandbox_credentials


class Command(BaseCommand):
    help = (
        "Print sandbox credentials issued by this server's sandbox, to type into a card "
        "marked 'Sandbox credential'. The sandbox reads with any credential but writes "
        "(Sync Personas) only with issued ones; the mark is signed with DJANGO_SECRET_KEY."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("provider", nargs="?", choices=sorted(PROVIDERS))
        parser.add_argument(
            "--field",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="Use this value instead of the demo's (repeatable).",
        )

    def handle(self, *args, provider: str | None, field: list[str], **options) -> None:  # type: ignore[no-untyped-def]
        overrides = {}
        for pair in field:
            name, separator, value = pair.partition("=")
            if not separator or not name:
                raise CommandError(f"--field takes NAME=VALUE, not {pair!r}.")
            overrides[name] = value
        for key in [provider] if provider else list(PROVIDERS):
            values = issue_sandbox_credentials(key, {**DEMO_SANDBOX_CREDENTIALS[key], **overrides})
            self.stdout.write(f"{PROVIDERS[key].label}:")
            for name, value in values.items():
                self.stdout.write(f"  {name}: {value}")
