"""The queue page and its update call with many personas and many shoppers waiting,
beside the persona changelist in the same run (issue 12).

    manage.py bench_queue [--personas 1000000] [--waiting 200] [--requests 100]

Requests are timed in process with Django's test Client (see stores/queue/bench/measure.py);
queries per request are counted on the same calls. A second store with a tenth as many
waiting shows the queries do not grow with the queue. Targets: p95 under 150 ms for the
update call, under 300 ms for the page. Data is reused by the next run (stores/queue/bench).
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from stores.queue import board, vip
from stores.queue.bench.measure import Call, Figures, get, measure_all
from stores.queue.bench.setup import set_up
from stores.queue.models import StoreQueue

QUEUE_URL = "/admin/queue/checkin/"
UPDATES_URL = "/admin/queue/checkin/updates/"
CHANGELIST_URL = "/admin/personas/persona/"
TARGET_PAGE_P95_MS = 300
TARGET_UPDATE_P95_MS = 150
# An ETag no page has: the update call answers with the rows, as after any change.
STALE_ETAG = '"queue-0-0"'


class Command(BaseCommand):
    help = "Benchmark the waiting-room queue page and its update call (see the module docstring)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--personas", type=int, default=1_000_000)
        parser.add_argument("--waiting", type=int, default=200, help="shoppers on the queue")
        parser.add_argument("--requests", type=int, default=100, help="timed, per measure")

    def handle(  # type: ignore[override]
        self, *args: Any, personas: int, waiting: int, requests: int, **options: Any
    ) -> None:
        if personas < 1 or waiting < 1 or requests < 1:
            raise CommandError("--personas, --waiting and --requests must be >= 1.")
        few = max(1, waiting // 10)
        one, five, _ = os.getloadavg()
        self.stdout.write(
            f"database: {connection.vendor}; personas: {personas:,}; waiting: {waiting} and "
            f"{few}; requests: {requests} per measure, in process (Django test Client, "
            f"no WSGI server); load average {one:.2f} {five:.2f} ({os.cpu_count()} CPUs)"
        )
        started = time.perf_counter()
        bench = set_up(personas, waiting, few)
        self.stdout.write(
            f"set up in {time.perf_counter() - started:.1f} s (not timed below): "
            f"{bench.personas_added:,} personas and {bench.sales_added:,} sales added"
        )
        started = time.perf_counter()
        line = vip.compute_line(bench.company)
        self.stdout.write(
            f"VIP line (the daily refresh, stored): ${line.min_spend or 0:,.2f} over "
            f"{line.spenders:,} spenders, computed in {time.perf_counter() - started:.1f} s"
        )

        client = Client()
        client.force_login(bench.user)
        calls = {
            **self._queue_calls(client, bench.busy_store.pk, waiting),
            **self._queue_calls(client, bench.quiet_store.pk, few),
            "persona changelist (page 1)": get(client, CHANGELIST_URL, {}),
        }
        results = measure_all(calls, requests)
        self._report(results)
        self._constant(results[:3], results[3:6], waiting, few)
        vips = sum(1 for row in board.rows_for(bench.busy_store.pk) if row.vip_reason)
        self.stdout.write(f"VIP badges on the {waiting}-waiting queue: {vips}")

    def _queue_calls(self, client: Client, store_id: int, waiting: int) -> dict[str, Call]:
        params = {"store": str(store_id)}
        current = board.etag(store_id, queue_of_version(store_id))
        return {
            f"queue page ({waiting} waiting)": get(client, QUEUE_URL, params),
            f"update, unchanged: 304 ({waiting} waiting)": get(
                client, UPDATES_URL, params, if_none_match=current
            ),
            f"update, changed: 200 ({waiting} waiting)": get(
                client, UPDATES_URL, params, if_none_match=STALE_ETAG
            ),
        }

    def _report(self, results: list[Figures]) -> None:
        self.stdout.write(
            f"  {'measure':<40} {'status':>6} {'median ms':>10} {'p95 ms':>8} "
            f"{'queries':>8}  target"
        )
        for figures in results:
            target = ""
            if figures.label.startswith("queue page"):
                target = f"p95 < {TARGET_PAGE_P95_MS} ms"
                missed = figures.p95_ms >= TARGET_PAGE_P95_MS
            elif figures.label.startswith("update"):
                target = f"p95 < {TARGET_UPDATE_P95_MS} ms"
                missed = figures.p95_ms >= TARGET_UPDATE_P95_MS
            else:
                missed = False
            if target:
                target += " (missed)" if missed else " (met)"
            self.stdout.write(
                f"  {figures.label:<40} {figures.status:>6} {figures.median_ms:>10.1f} "
                f"{figures.p95_ms:>8.1f} {figures.queries:>8}  {target}"
            )

    def _constant(self, many: list[Figures], few: list[Figures], waiting: int, n: int) -> None:
        same = all(a.queries == b.queries for a, b in zip(many, few, strict=True))
        counts = ", ".join(
            f"{a.label.split(' (')[0]} {a.queries} vs {b.queries}"
            for a, b in zip(many, few, strict=True)
        )
        verdict = "constant" if same else "NOT constant"
        self.stdout.write(f"queries per request, {waiting} vs {n} waiting: {counts}: {verdict}")


def queue_of_version(store_id: int) -> int:
    return StoreQueue.objects.values_list("version", flat=True).get(store_id=store_id)
