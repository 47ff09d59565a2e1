"""How fast sales land: the sync's mapping and persistence path at scale, against a raw
COPY of the same rows measured in the same run, plus the end-to-end rate over HTTP from
the sandbox. See ``integrations.sync.bench``.

    manage.py bench_sync --sales 1000000 [--customers N] [--http-sales 20000]

Targets (PostgreSQL): at least 20,000 sales a second on the persistence path, at least a
quarter of the COPY rate, and memory flat under 300 MB.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from aiq.accounts.models import Company
from aiq.crypto import encrypt
from integrations.choices import CredentialState, IntegrationStatus
from integrations.models import Credential, Integration, SyncRun
from integrations.sandbox.options import account_for
from integrations.sync import bench
from integrations.sync import sales as sales_module
from integrations.sync.choices import Stream, Trigger
from integrations.sync.runner import run_stream
from stores.models import RetailStore, StoreMapping

COMPANY = "Sync benchmark"
HTTP_COMPANY = "Sync benchmark (HTTP)"
TARGET_RATE = 20_000
TARGET_RATIO = 0.25
TARGET_MB = 300


def _card(name: str, values: dict[str, str]) -> Credential:
    company, _ = Company.objects.get_or_create(name=name)
    bench.wipe_company(company.pk)
    Integration.objects.filter(company=company).delete()
    card = Integration.objects.create(
        company=company, provider="cova", status=IntegrationStatus.CONNECTED, age_gate_attested=True
    )
    credential = Credential(
        company=company, integration=card, is_sandbox=True, state=CredentialState.VERIFIED
    )
    credential.set_values(values)
    credential.save()
    return credential


def _values(sales: int, customers: int) -> dict[str, str]:
    return {
        "client_id": "BENCH.AIQ",
        "client_secret": "bench-secret",
        "username": "AIQ.COVA.APIUser.BENCH",
        "password": f"bench-password,sales={sales},customers={customers},ratelimit=1000000",
    }


def _run(
    credential: Credential, stream: str, provider: Any = None, origin: str | None = None
) -> SyncRun:
    run = SyncRun.objects.create(
        company_id=credential.company_id,
        integration_id=credential.integration_id,
        credential=credential,
        stream=stream,
        trigger=Trigger.COMMAND,
        full=True,
    )
    run_stream(run, provider=provider, sandbox_origin=origin)
    run.refresh_from_db()
    return run


class Command(BaseCommand):
    help = "Benchmark the sales sync path against COPY (see the module docstring)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--sales", type=int, default=1_000_000)
        parser.add_argument("--customers", type=int, help="shopper pool (default: sales / 5)")
        parser.add_argument("--http-sales", type=int, default=20_000)

    def line(self, label: str, value: str, target: str = "") -> None:
        self.stdout.write(f"  {label:<52} {value:>22}  {target}")

    def handle(self, *args: Any, **options: Any) -> None:
        # DEBUG keeps every query's SQL in memory; a benchmark measures production. The
        # credentials' key is loaded first (DEBUG decides which key an unkeyed setup uses).
        encrypt("load the key")
        debug, settings.DEBUG = settings.DEBUG, False
        try:
            self._bench(options)
        finally:
            settings.DEBUG = debug

    def _bench(self, options: dict[str, Any]) -> None:
        count = options["sales"]
        customers = options["customers"] or max(1, count // 5)
        vendor = connection.vendor
        self.stdout.write(
            f"database: {vendor}; sales: {count:,}; shopper pool: {customers:,}; "
            f"python process RSS at start: {bench.rss_mb():.0f} MB"
        )
        if vendor != "postgresql":
            self.stdout.write("note: the targets are for PostgreSQL; other figures are indicative")
        values = _values(count, customers)
        credential = _card(COMPANY, values)
        account = account_for(
            "cova", (values["client_id"], values["username"]), tuple(values.values())
        )
        clock = bench.Clock()
        provider = bench.BenchProvider(account, clock)
        for number, key in enumerate(provider.location_keys):
            store, _ = RetailStore.objects.get_or_create(
                company_id=credential.company_id,
                name=f"Bench store {number + 1}",
                defaults={"state": "WA"},
            )
            StoreMapping.objects.update_or_create(
                company_id=credential.company_id,
                provider="cova",
                key=key,
                defaults={"store": store},
            )

        self.stdout.write("shoppers (customers stream, same engine, generated as they are read):")
        started = time.perf_counter()
        customers_run = _run(credential, Stream.CUSTOMERS, provider)
        elapsed = time.perf_counter() - started
        self.line(
            "customers synced",
            f"{customers_run.created:,} in {elapsed:.1f} s",
            f"{customers_run.created / max(elapsed, 1e-9):,.0f} customers/s",
        )

        self.stdout.write("sales (mapping + persistence path):")
        provider.generated = bench.GeneratedSales(account, clock)
        self.line("generating the sales first (not timed)", f"{clock.generating:.1f} s")
        clock.mapping = 0.0
        favorites = {"seconds": 0.0}
        recompute = sales_module.recompute_favorite_stores

        def timed_recompute(*args: Any, **kwargs: Any) -> int:
            begun = time.perf_counter()
            try:
                return recompute(*args, **kwargs)
            finally:
                favorites["seconds"] += time.perf_counter() - begun

        sales_module.recompute_favorite_stores = timed_recompute  # type: ignore[assignment]
        started = time.perf_counter()
        try:
            sales_run = _run(credential, Stream.SALES, provider)
        finally:
            sales_module.recompute_favorite_stores = recompute  # type: ignore[assignment]
            provider.generated.close()
        wall = time.perf_counter() - started
        peak = bench.peak_rss_mb()
        rate = sales_run.created / wall
        lines_rate = clock.lines / wall
        repeat, personas = bench.repeat_share(credential.company_id)
        anonymous = bench.anonymous_share(credential.company_id)
        self.line("sales written", f"{sales_run.created:,} ({sales_run.status})")
        self.line(
            "lines written", f"{clock.lines:,} ({clock.lines / max(1, clock.generated):.2f} a sale)"
        )
        self.line(
            "sales by repeat shoppers / anonymous sales",
            f"{repeat:.0%} ({personas:,} shoppers) / {anonymous:.0%}",
        )
        self.line("wall time, reading to favorite stores", f"{wall:.1f} s")
        self.line("  reading + mapping (fetch thread, overlapped)", f"{clock.mapping:.1f} s")
        self.line(f"  favorite stores of {personas:,} personas", f"{favorites['seconds']:.1f} s")
        self.line("persistence rate", f"{rate:,.0f} sales/s", f"target >= {TARGET_RATE:,} sales/s")
        self.line("", f"{lines_rate:,.0f} lines/s")
        step = max(1, len(clock.samples) // 6)
        samples = ", ".join(f"{n // 1000:,}k: {mb:.0f}" for n, mb in clock.samples[::step])
        self.line("RSS while syncing (MB, by sales done)", samples or "-")
        self.line("peak memory (ru_maxrss)", f"{peak:.0f} MB", f"target < {TARGET_MB} MB, flat")

        if vendor == "postgresql":
            self.stdout.write(
                "baseline: raw COPY of the same rows into identically indexed tables:"
            )
            copied = bench.copy_baseline(credential.company_id)
            copy_rate = copied.sales / copied.seconds
            self.line(
                "COPY sales + lines",
                f"{copied.sales:,} + {copied.lines:,} in {copied.seconds:.1f} s",
            )
            self.line("COPY rate", f"{copy_rate:,.0f} sales/s")
            self.line(
                "persistence / COPY",
                f"{rate / copy_rate:.2f}",
                f"target >= {TARGET_RATIO:.2f}",
            )

        self._http(options["http_sales"])
        self.stdout.write(f"peak memory of the whole run (ru_maxrss): {bench.peak_rss_mb():.0f} MB")

    def _http(self, count: int) -> None:
        from integrations.sandbox.server import running_sandbox, sandbox_answers

        if count <= 0:
            return
        self.stdout.write(f"end to end over HTTP from the Cova sandbox ({count:,} sales):")
        credential = _card(HTTP_COMPANY, _values(count, max(1, count // 5)))
        origin = settings.POS_SANDBOX_ORIGIN
        serving = None if sandbox_answers(origin) else running_sandbox()
        if serving is not None:
            origin = serving.__enter__()
        try:
            for stream in (Stream.CUSTOMERS, Stream.SALES):
                run = _run(credential, stream, origin=origin)
                seconds = run.duration.total_seconds() if run.duration else float("nan")
                self.line(
                    f"{stream} over HTTP",
                    f"{run.created:,} in {seconds:.1f} s",
                    f"{run.created / seconds:,.0f} {stream}/s ({run.status})",
                )
        finally:
            if serving is not None:
                serving.__exit__(None, None, None)
