"""Records per second and memory while a real client pages through a big sandbox account.

    manage.py bench_fetch clover sales --count 1000000

The sandbox runs in its own process (Django's server on a free port) so that the figures
are the client's alone. The baseline, measured in the same run, is the rate the raw HTTP
transfer alone would allow: wall time minus everything the client does with the bytes.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aiq.http import HttpClient
from aiq.memory import pin_mmap_threshold
from integrations.endpoints import base_urls_for
from integrations.providers import PROVIDERS, get_provider_class
from integrations.providers.base import MalformedRecord
from integrations.sandbox_credentials import (
    DEMO_SANDBOX_CREDENTIALS,
    with_sandbox_platform_values,
)

SIZE_FIELD = {"cova": "client_secret", "posabit": "key", "clover": "api_token"}


class TimedSession(requests.Session):
    """Counts the time and bytes spent on the wire (send + body download)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds = 0.0
        self.bytes = 0
        self.requests = 0

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        response = super().send(request, **kwargs)
        _ = response.content  # download inside the timed span
        self.seconds += time.perf_counter() - started
        self.bytes += len(response.content)
        self.requests += 1
        return response


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Command(BaseCommand):
    help = "Benchmark a provider client against its sandbox: records/s and memory."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("provider", choices=sorted(PROVIDERS))
        parser.add_argument("stream", choices=["sales", "customers"])
        parser.add_argument("--count", type=int, default=100_000)

    def _start_sandbox(self) -> tuple[subprocess.Popen, str]:
        port = free_port()
        origin = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--skip-checks",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={
                **os.environ,
                "POS_SANDBOX_ENABLED": "true",
                # The sandboxes run in debug mode only: production refuses to start with
                # them (aiq/production.py). Its query log is capped, so memory stays flat.
                "DJANGO_DEBUG": "true",
                "DJANGO_SECRET_KEY": settings.SECRET_KEY,
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            },
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{origin}/sandbox/", timeout=2).ok:
                    return server, origin
            except requests.ConnectionError:
                time.sleep(0.3)
        server.kill()
        raise CommandError("the sandbox server did not start")

    def handle(self, *args, provider: str, stream: str, count: int, **options) -> None:  # type: ignore[no-untyped-def]
        pinned = pin_mmap_threshold()  # as Celery workers do (aiq/celery.py)
        credentials = with_sandbox_platform_values(
            provider, dict(DEMO_SANDBOX_CREDENTIALS[provider])
        )
        option = f"sales={count}" if stream == "sales" else f"customers={count}"
        credentials[SIZE_FIELD[provider]] += f",{option}"
        server, origin = self._start_sandbox()
        try:
            session = TimedSession()
            client = get_provider_class(provider)(
                credentials,
                base_urls=base_urls_for(provider, sandbox=True, origin=origin),
                http=HttpClient(session=session),
            )
            if hasattr(client, "page_size") and provider == "clover":
                client.page_size = 1000  # Clover's maximum
            records = (
                client.iter_sales(since=None) if stream == "sales" else client.iter_customers()
            )
            self.stdout.write(
                f"{PROVIDERS[provider].label} {stream}: {count:,} records from the sandbox at "
                f"{origin}; RSS at start {rss_mb():.0f} MB; mmap threshold pinned: {pinned}"
            )
            checkpoints = {max(1, count * share // 100) for share in (1, 10, 25, 50, 75, 100)}
            seen = malformed = 0
            started = time.perf_counter()
            for record in records:
                seen += 1
                malformed += isinstance(record, MalformedRecord)
                if seen in checkpoints:
                    elapsed = time.perf_counter() - started
                    self.stdout.write(
                        f"  {seen:>9,} records  {seen / elapsed:9,.0f}/s  RSS {rss_mb():6.1f} MB"
                        f"  peak {peak_rss_mb():6.1f} MB"
                    )
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=15)
        if seen != count:
            raise CommandError(f"expected {count:,} records, got {seen:,}")
        client_seconds = elapsed - session.seconds
        self.stdout.write(
            f"total: {seen:,} records ({malformed} malformed) in {elapsed:.1f} s = "
            f"{seen / elapsed:,.0f} records/s over {session.requests:,} requests "
            f"({session.bytes / 2**20:,.0f} MiB)"
        )
        self.stdout.write(
            f"baseline, same run: the wire alone took {session.seconds:.1f} s "
            f"({seen / session.seconds:,.0f} records/s); decoding and mapping took "
            f"{client_seconds:.1f} s; end-to-end rate = "
            f"{session.seconds / elapsed:.2f} x the wire-only rate"
        )
        self.stdout.write(f"peak RSS of this process: {peak_rss_mb():.1f} MB (target < 150 MB)")
