"""Time audience sizes over a large company: the seed's two audiences and three compound
ones, beside a plain COUNT(*) of the company's personas, median and p95 each.

    python manage.py bench_audiences --personas 1000000 --sales 3000000

Data is made once (COPY / INSERT ... SELECT on PostgreSQL) and reused by later runs.
"""

from __future__ import annotations

import functools
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aiq.audiences.bench.setup import set_up
from aiq.audiences.services import size
from aiq.personas.models import Persona

AUDIENCES: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "Delivery (fulfillment contains delivery)": (
        "all",
        [{"type": "fulfillment", "value": "delivery"}],
    ),
    "CovaPricingGroup = VIP": (
        "all",
        [{"type": "brand_trait", "key": "CovaPricingGroup", "value": "VIP"}],
    ),
    "Member AND delivery in 90 days AND spend >= $250": (
        "all",
        [
            {"type": "loyalty_member", "value": "yes"},
            {"type": "fulfillment", "value": "delivery", "days": 90},
            {"type": "total_spend", "amount": "250"},
        ],
    ),
    "3+ purchases in 365 days AND points >= 500": (
        "all",
        [{"type": "purchase_count", "count": 3, "days": 365}, {"type": "points", "points": "500"}],
    ),
    "Bought in 30 days OR Senior pricing group OR not a member": (
        "any",
        [
            {"type": "last_purchase", "days": 30},
            {"type": "brand_trait", "key": "CovaPricingGroup", "value": "Senior"},
            {"type": "loyalty_member", "value": "no"},
        ],
    ),
}


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Benchmark audience sizes (computed on read) against COUNT(*) over personas."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--personas", type=int, default=100_000)
        parser.add_argument("--sales", type=int, default=300_000)
        parser.add_argument("--repeat", type=int, default=10, help="Timed runs of each size.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        bench = set_up(options["personas"], options["sales"])
        self.stdout.write(
            f"Data ready in {time.perf_counter() - started:.1f} s "
            f"({bench.personas_added} personas and {bench.sales_added} sales added)"
        )
        company = bench.company
        measures: dict[str, Callable[[], int]] = {
            "COUNT(*) of the company's personas": Persona.objects.filter(company=company).count
        }
        for label, (match, conditions) in AUDIENCES.items():
            measures[label] = functools.partial(size, company, match, conditions)
        sizes = {label: measure() for label, measure in measures.items()}  # warm-up
        samples: dict[str, list[float]] = {label: [] for label in measures}
        # Turns, so a burst of load elsewhere on the machine falls on every measure alike.
        for _ in range(max(1, options["repeat"])):
            for label, measure in measures.items():
                start = time.perf_counter()
                measure()
                samples[label].append((time.perf_counter() - start) * 1000)
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        self.stdout.write(f"Load average (1, 5, 15 min): {load}; CPUs: {os.cpu_count()}")
        self.stdout.write(f"{'measure':<60} {'size':>9} {'median ms':>10} {'p95 ms':>8}")
        for label, timings in samples.items():
            self.stdout.write(
                f"{label:<60} {sizes[label]:>9} {statistics.median(timings):>10.1f} "
                f"{_p95(timings):>8.1f}"
            )
