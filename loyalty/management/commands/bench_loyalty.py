"""How fast sales earn points: ``earn_for_sales`` over a million synced sales of enrolled
shoppers (FIFO lots on), batch by batch as the sync hands them over, against one
``INSERT ... SELECT`` writing the same earn entries without lots or explanations, measured
in the same run. See ``loyalty.earning.bench``.

    manage.py bench_loyalty --sales 1000000 [--customers N] [--batch 2000]

Targets (PostgreSQL): at least 0.3 of the INSERT ... SELECT rate; memory flat under 300 MB.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from integrations.sync.bench import peak_rss_mb, rss_mb
from integrations.sync.context import relax_commit
from loyalty.earning import bench
from loyalty.earning.service import earn_for_sales
from loyalty.ledger.models import LedgerEntry, Lot
from loyalty.ledger.verify import verify

TARGET_RATIO = 0.3
TARGET_MB = 300
ANALYZE_EVERY = 50  # batches


LEDGER_TABLES = "loyalty_ledgerentry, loyalty_lot, loyalty_loyaltyaccount, loyalty_allocation"


def analyze_ledger() -> None:
    """Planner statistics that follow the growing tables (autovacuum's ANALYZE, which is
    off on some development databases). Timed with earning: its plans depend on them."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {LEDGER_TABLES}")


def vacuum_ledger() -> None:
    """Autovacuum's other job, done between runs, not timed: earning only inserts (and
    moves balances by HOT updates that prune their own pages), so it leaves little for
    VACUUM to do; it runs in the background in production."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {LEDGER_TABLES}")


class Command(BaseCommand):
    help = "Benchmark earning points on synced sales (see the module docstring)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--sales", type=int, default=1_000_000)
        parser.add_argument("--customers", type=int, help="shopper pool (default: sales / 5)")
        parser.add_argument("--batch", type=int, default=2000, help="sales per sync batch")

    def line(self, label: str, value: str, target: str = "") -> None:
        self.stdout.write(f"  {label:<46} {value:>24}  {target}")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_loyalty runs on PostgreSQL (set DATABASE_URL).")
        # DEBUG keeps every query's SQL in memory; a benchmark measures production.
        debug, settings.DEBUG = settings.DEBUG, False
        try:
            self._bench(options)
        finally:
            settings.DEBUG = debug

    def _bench(self, options: dict[str, Any]) -> None:
        count, size = options["sales"], options["batch"]
        customers = options["customers"] or max(1, count // 5)
        now = timezone.now()
        self.stdout.write(
            f"database: postgresql; sales: {count:,}; enrolled shoppers: {customers:,}; "
            f"batch: {size:,}; RSS at start: {rss_mb():.0f} MB; "
            f"load average: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)"
        )
        started = time.perf_counter()
        company, program = bench.set_up(count, customers, now)
        self.line(
            "generating shoppers and sales (not timed)", f"{time.perf_counter() - started:.1f} s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT min(id), max(id) FROM personas_sale WHERE company_id = %s", [company.pk]
            )
            low, high = cursor.fetchone()
        connection.cursor().execute("ANALYZE personas_sale, personas_persona")

        self.stdout.write("earning (earn_for_sales per sync batch, each its own transaction):")
        samples: list[tuple[int, float]] = []
        started, cpu_started = time.perf_counter(), time.process_time()
        done = 0
        for first in range(low, high + 1, size):
            ids = range(first, min(first + size, high + 1))
            with transaction.atomic():
                # As the sync commits the batch earning runs in (integrations.sync.context):
                # without waiting for the WAL flush.
                relax_commit()
                earn_for_sales(company.pk, ids, now, batch=size)
            done += len(ids)
            if (first - low) // size % max(1, count // size // 6) == 0:
                samples.append((done, rss_mb()))
            if (first - low) // size % ANALYZE_EVERY == ANALYZE_EVERY - 1:
                analyze_ledger()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        entries = LedgerEntry.objects.filter(company=company).count()
        lots = Lot.objects.filter(company=company).count()
        points = LedgerEntry.objects.filter(company=company).aggregate(total=Sum("points"))["total"]
        rate = done / seconds
        self.line("sales processed", f"{done:,} in {seconds:.1f} s", f"{rate:,.0f} sales/s")
        self.line(
            "of which Python (CPU of this process)",
            f"{cpu:.1f} s",
            f"{cpu / seconds:.0%}; the rest waits on PostgreSQL",
        )
        self.line("earn entries / lots written", f"{entries:,} / {lots:,}")
        self.line("points earned", f"{points:,}")

        self.stdout.write(
            "baseline: one INSERT ... SELECT of the same entries (no lots, no words):"
        )
        baseline = bench.insert_select_baseline(company.pk, program)
        temporary = bench.insert_select_baseline(company.pk, program, logged=False)
        earn_rate = entries / seconds
        for label, run in (
            ("into a copy of the ledger table (the target's)", baseline),
            ("into a TEMPORARY table (no WAL, no keys)", temporary),
        ):
            rate_of_run = run.entries / run.seconds
            self.line(
                label, f"{run.entries:,} in {run.seconds:.1f} s", f"{rate_of_run:,.0f} entries/s"
            )
            self.line(
                "  same entries and points as earning",
                "yes"
                if (run.entries, run.points) == (entries, points)
                else f"NO: {run.entries:,} entries, {run.points:,} points",
            )
            self.line(
                "  earning / INSERT ... SELECT (entries/s)",
                f"{earn_rate / rate_of_run:.2f}",
                f"target >= {TARGET_RATIO}" if run is baseline else "for comparison",
            )

        vacuum_ledger()
        started = time.perf_counter()
        report = verify(company)
        self.line(
            "verify_ledger over the result",
            f"{time.perf_counter() - started:.1f} s",
            f"{len(report.drifts)} drifts ({report.accounts:,} accounts)",
        )
        step = max(1, len(samples) // 6)
        self.line(
            "RSS while earning (MB, by sales done)",
            ", ".join(f"{n // 1000:,}k: {mb:.0f}" for n, mb in samples[::step]) or "-",
        )
        self.line(
            "peak memory (ru_maxrss)", f"{peak_rss_mb():.0f} MB", f"target < {TARGET_MB} MB, flat"
        )
