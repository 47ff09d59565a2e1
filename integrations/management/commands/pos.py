"""Talk to a POS the way a sync would, from the command line.

    manage.py pos fetch <provider> <stream> [--sandbox] [--credential-field NAME=VALUE ...]
                        [--since ISO] [--until ISO] [--limit N] [--location KEY]
    manage.py pos check <provider> [--sandbox] [--credential-field NAME=VALUE ...]

`fetch` writes one normalised record per line as JSON to stdout (malformed records go to
stderr with their reason); `check` verifies the credentials and says in plain words what
to do when they fail, and on stderr what works only in part (a missing permission).
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from itertools import islice

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.endpoints import base_urls_for
from integrations.providers import PROVIDERS, get_provider_class
from integrations.providers.base import MalformedRecord, Provider, ProviderError
from integrations.sandbox_credentials import (
    DEMO_SANDBOX_CREDENTIALS,
    with_sandbox_platform_values,
)

STREAMS = ("customers", "sales", "locations", "products")


def parse_credential_fields(pairs: list[str]) -> dict[str, str]:
    fields = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not name:
            raise CommandError(f"--credential-field takes NAME=VALUE, not {pair!r}")
        fields[name] = value
    return fields


def parse_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{option} must be an ISO date or date-time: {error}") from None


@contextlib.contextmanager
def sandbox_origin() -> Iterator[str]:
    """This server's sandbox if it answers, else one started in-process for this run."""
    from integrations.sandbox.server import running_sandbox, sandbox_answers

    if sandbox_answers(settings.POS_SANDBOX_ORIGIN):
        yield settings.POS_SANDBOX_ORIGIN
        return
    with running_sandbox() as origin:
        yield origin


class Command(BaseCommand):
    help = "Fetch records from a POS, or check its credentials (see the module docstring)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        actions = parser.add_subparsers(dest="action", required=True)
        for name in ("fetch", "check"):
            sub = actions.add_parser(name)
            sub.add_argument("provider", choices=sorted(PROVIDERS))
            if name == "fetch":
                sub.add_argument("stream", choices=STREAMS)
                sub.add_argument("--since", help="ISO date-time: only records changed since")
                sub.add_argument("--until", help="ISO date-time: sales up to (default now)")
                sub.add_argument("--limit", type=int, help="stop after N records")
                sub.add_argument("--location", help="location key (products; sales filter)")
            sub.add_argument("--sandbox", action="store_true", help="talk to the POS sandbox")
            sub.add_argument(
                "--credential-field",
                action="append",
                default=[],
                metavar="NAME=VALUE",
                help="a credential field; repeat for each (sandbox: demo values by default)",
            )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        key = options["provider"]
        credentials = parse_credential_fields(options["credential_field"])
        if options["sandbox"]:
            credentials = with_sandbox_platform_values(
                key, {**DEMO_SANDBOX_CREDENTIALS[key], **credentials}
            )
            with sandbox_origin() as origin:
                self._run(
                    key, credentials, base_urls_for(key, sandbox=True, origin=origin), options
                )
        else:
            self._run(key, credentials, base_urls_for(key, sandbox=False), options)

    def _run(self, key: str, credentials: dict, base_urls: dict, options: dict) -> None:
        try:
            provider = get_provider_class(key)(credentials, base_urls=base_urls)
            if options["action"] == "check":
                provider.check()
                self.stdout.write(f"{PROVIDERS[key].label}: the credentials work.")
                # What works but is limited (a missing permission that stops one stream).
                for warning in provider.permission_warnings():
                    self.stderr.write(f"{PROVIDERS[key].label}: {warning}")
            else:
                self._fetch(provider, options)
        except ProviderError as error:
            # What a staff member can act on; the technical detail stays on stderr.
            self.stderr.write(f"{PROVIDERS[key].label}: {error.user_message}")
            self.stderr.write(f"({error.code}; {'permanent' if error.permanent else 'transient'})")
            sys.exit(2 if error.permanent else 3)

    def _fetch(self, provider: Provider, options: dict) -> None:
        since = parse_time(options["since"], "--since")
        until = parse_time(options["until"], "--until")
        stream = options["stream"]
        if stream == "customers":
            records = provider.iter_customers(since)
        elif stream == "sales":
            locations = [options["location"]] if options["location"] else None
            records = provider.iter_sales(since, until, locations)
        elif stream == "locations":
            records = provider.iter_locations()
        else:
            if not options["location"]:
                raise CommandError("products needs --location KEY (see `pos fetch ... locations`)")
            records = provider.iter_products(options["location"])
        written = malformed = 0
        for record in islice(records, options["limit"]):
            if isinstance(record, MalformedRecord):
                malformed += 1
                self.stderr.write(
                    json.dumps(
                        {
                            "malformed": record.kind,
                            "external_id": record.external_id,
                            "reason": record.reason,
                        }
                    )
                )
                continue
            self.stdout.write(json.dumps(record.to_json(), sort_keys=True))
            written += 1
        self.stderr.write(f"{written} {stream} written, {malformed} malformed")
