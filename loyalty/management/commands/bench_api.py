"""POS-facing API latency and throughput over HTTP: a gunicorn on loopback serving this
PostgreSQL database, concurrent keep-alive clients, the wallet and redemption endpoints
measured beside a one-query JSON view served by the same gunicorn in the same run.

    manage.py bench_api [--requests 2000] [--clients 8] [--workers 3] [--threads 4]
                        [--shoppers 200] [--rounds 3]

Two measures, in the same run:

- **Throughput**, closed loop: ``--clients`` connections each send their next request as
  soon as the last is answered, so the machine stays saturated; requests per second of
  each endpoint, and its latencies, which at saturation are mostly queueing (on 2 CPUs,
  eight clients wait on each other whatever the endpoint costs).
- **Latency at a stated load**, open loop: each endpoint is then offered
  ``--load-share`` (default half) of the requests per second it reached, as Poisson
  arrivals over the same connections, and each request is timed from its arrival, so
  waiting for a free connection or worker counts (``load.run_at_rate``).

Targets (issue 11): p99 under 50 ms for the wallet and redemption, judged on the second
measure; wallet requests per second at least half the one-query view's, on the first.
See ``loyalty.api.bench``.

    manage.py bench_api [...] [--load-share 0.5] [--open-requests 1500]
"""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from loyalty.api.bench import load
from loyalty.api.bench.scenarios import Scenario, Scenarios
from loyalty.api.bench.server import Gunicorn
from loyalty.api.bench.setup import STARTING_POINTS, keys_needed, set_up
from loyalty.api.models import ApiRequestLog
from loyalty.api.redemption.choices import RedemptionStatus
from loyalty.api.redemption.models import Redemption
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount
from loyalty.ledger.verify import verify

TARGET_P99_MS = 50
TARGET_RATIO = 0.5
WARM_UP_PER_CLIENT = 5  # per endpoint, before the measured rounds


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM unwinds like Ctrl-C: gunicorn is stopped on the way


class Command(BaseCommand):
    help = "Benchmark the wallet and redemption endpoints over HTTP (see the module docstring)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--requests", type=int, default=2000, help="measured, per endpoint")
        parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
        parser.add_argument("--threads", type=int, default=4, help="threads per worker")
        parser.add_argument("--shoppers", type=int, default=200)
        parser.add_argument(
            "--rounds", type=int, default=3, help="endpoints take turns, so noise hits all alike"
        )
        parser.add_argument(
            "--load-share",
            type=float,
            default=0.5,
            help="open loop: the share of each endpoint's measured req/s it is offered",
        )
        parser.add_argument(
            "--open-requests", type=int, default=1500, help="open loop: requests per endpoint"
        )

    def line(self, label: str, value: str, target: str = "") -> None:
        self.stdout.write(f"  {label:<46} {value:>24}  {target}")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_api runs on PostgreSQL only (set DATABASE_URL): gunicorn's workers "
                "write concurrently, which SQLite serialises, so its figures would mean nothing."
            )
        if min(options[name] for name in ("requests", "clients", "workers", "threads")) < 1:
            raise CommandError("--requests, --clients, --workers and --threads must be >= 1.")
        if not 0 < options["load_share"] <= 1 or options["open_requests"] < 0:
            raise CommandError("--load-share must be in (0, 1]; --open-requests >= 0.")
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            self._bench(options)
        except KeyboardInterrupt:
            raise CommandError("Interrupted; gunicorn was stopped.") from None
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _bench(self, options: dict[str, Any]) -> None:
        clients, rounds = options["clients"], max(1, options["rounds"])
        per_client = max(1, options["requests"] // (clients * rounds))
        shoppers = max(options["shoppers"], clients)
        # Four API endpoints, the warm-up included; the one-query view needs no key.
        open_requests = options["open_requests"]
        api_requests = 4 * (clients * (per_client * rounds + WARM_UP_PER_CLIENT) + open_requests)
        started = time.perf_counter()
        bench = set_up(shoppers, keys_needed(api_requests))
        self.stdout.write(
            f"database: postgresql; gunicorn gthread, {options['workers']} workers x "
            f"{options['threads']} threads; {clients} clients on loopback (keep-alive); "
            f"{shoppers:,} shoppers; {len(bench.keys)} API keys; load average {load_average()}"
        )
        self.line("bench company set up (not timed)", f"{time.perf_counter() - started:.1f} s")

        scenarios = Scenarios(bench, clients, run_id=f"bench-{bench.company.pk}")
        everything = scenarios.all()
        totals = {scenario.label: load.Outcome() for scenario in everything}
        with Gunicorn(
            workers=options["workers"],
            threads=options["threads"],
            probe_path=f"/api/bench/one-query/{bench.shoppers[0].persona_id}",
        ) as server:
            connections = [load.Connection(server.port) for _ in range(clients)]
            try:
                for scenario in everything:  # warm-up: connections, workers, caches
                    load.run(connections, WARM_UP_PER_CLIENT, scenario.make, scenario.judge)
                for _round in range(rounds):
                    for scenario in everything:
                        outcome = load.run(connections, per_client, scenario.make, scenario.judge)
                        totals[scenario.label].add(outcome)
                offered = {
                    s.label: totals[s.label].per_second * options["load_share"] for s in everything
                }
                at_rate, windows = self._open_loop(
                    connections, everything, offered, open_requests, rounds
                )
            finally:
                for client in connections:
                    client.close()
        self._report(everything, totals)
        if open_requests:
            self._report_open_loop(everything, offered, at_rate, options["load_share"])
            # Read once gunicorn has stopped: its workers flush their request log at exit.
            self._report_in_application(bench.company, everything, windows)
        self._verify(scenarios)
        self.stdout.write(f"load average at the end: {load_average()}")

    def _open_loop(
        self,
        connections: list[load.Connection],
        everything: list[Scenario],
        offered: dict[str, float],
        requests: int,
        rounds: int,
    ) -> tuple[dict[str, load.Outcome], dict[str, list[tuple[datetime, datetime]]]]:
        """Each endpoint at its offered rate, endpoints taking turns over ``rounds``; the
        outcomes, and when each endpoint's turns ran (to find their request log lines)."""
        outcomes = {scenario.label: load.Outcome() for scenario in everything}
        windows: dict[str, list[tuple[datetime, datetime]]] = {s.label: [] for s in everything}
        per_round = requests // rounds if requests >= rounds else requests
        for round_number in range(rounds if requests >= rounds else 1):
            for scenario in everything:
                began = timezone.now()
                outcome = load.run_at_rate(
                    connections,
                    per_round,
                    offered[scenario.label],
                    scenario.make,
                    scenario.judge,
                    seed=round_number,
                )
                windows[scenario.label].append((began, timezone.now()))
                outcomes[scenario.label].add(outcome)
        return outcomes, windows

    def _report_in_application(
        self,
        company: Any,
        everything: list[Scenario],
        windows: dict[str, list[tuple[datetime, datetime]]],
    ) -> None:
        """The open loop's API requests as the application timed them: the request log's
        latency, from the API key check to the answer. What the clients saw beyond it is
        waiting: for a gunicorn thread, for a CPU (two, shared with PostgreSQL and the
        load generator), for the interpreter lock, and HTTP both ways."""
        self.stdout.write(
            "the same requests inside the application (request log latency, key check to "
            "answer; whole milliseconds):"
        )
        self.stdout.write(f"  {'endpoint':<36} {'logged':>8} {'median ms':>10} {'p99 ms':>8}")
        for scenario in everything:
            spans = Q()
            for began, ended in windows[scenario.label]:
                spans |= Q(at__gte=began, at__lte=ended)
            latencies = list(
                ApiRequestLog.objects.filter(spans, company=company).values_list(
                    "latency_ms", flat=True
                )
            )
            if not latencies:
                continue  # the one-query view has no key and is not logged
            logged = load.Outcome(latencies=[float(ms) for ms in latencies])
            self.stdout.write(
                f"  {scenario.label:<36} {logged.requests:>8,} {logged.median:>10.1f} "
                f"{logged.percentile(0.99):>8.1f}"
            )

    def _report_open_loop(
        self,
        everything: list[Scenario],
        offered: dict[str, float],
        outcomes: dict[str, load.Outcome],
        share: float,
    ) -> None:
        self.stdout.write(
            f"latency at a stated load: each endpoint offered {share:.0%} of its req/s above "
            "(open loop, Poisson arrivals, timed from arrival):"
        )
        self._table(
            "offered",
            [
                (scenario, outcomes[scenario.label], offered[scenario.label])
                for scenario in everything
            ],
            judged=True,
        )

    def _report(self, everything: list[Scenario], totals: dict[str, load.Outcome]) -> None:
        self.stdout.write(
            "throughput, closed loop (every client sends again as soon as it is answered: "
            "saturated, so latencies here are mostly queueing):"
        )
        self._table(
            "req/s",
            [
                (scenario, totals[scenario.label], totals[scenario.label].per_second)
                for scenario in everything
            ],
            judged=False,
        )
        baseline = totals[everything[0].label].per_second
        for scenario in everything[1:3]:
            ratio = totals[scenario.label].per_second / baseline if baseline else 0.0
            verdict = "" if ratio >= TARGET_RATIO else " (missed)"
            self.line(
                f"{scenario.label.split(' /')[0]} / one-query (req/s)",
                f"{ratio:.2f}",
                f"target >= {TARGET_RATIO}{verdict}",
            )

    def _table(
        self, rate: str, rows: list[tuple[Scenario, load.Outcome, float]], *, judged: bool
    ) -> None:
        """One line per endpoint: requests, ``rate`` (its req/s, or the rate it was
        offered), latencies; the p99 target's verdict when ``judged``."""
        self.stdout.write(
            f"  {'endpoint':<36} {'requests':>8} {rate:>8} {'median ms':>10} "
            f"{'p90 ms':>8} {'p99 ms':>8} {'errors':>6}" + ("  target" if judged else "")
        )
        for scenario, o, per_second in rows:
            target = ""
            if judged and scenario.targeted:
                target = f"  p99 < {TARGET_P99_MS} ms"
                if o.percentile(0.99) >= TARGET_P99_MS:
                    target += " (missed)"
            self.stdout.write(
                f"  {scenario.label:<36} {o.requests:>8,} {per_second:>8,.0f} "
                f"{o.median:>10.1f} {o.percentile(0.9):>8.1f} {o.percentile(0.99):>8.1f} "
                f"{o.errors:>6}{target}"
            )
            if o.first_error:
                self.stdout.write(f"    first error: {o.first_error}")

    def _verify(self, scenarios: Scenarios) -> None:
        bench = scenarios.bench
        company = bench.company
        report = verify(company)
        self.line(
            "ledger verify after the run",
            f"{len(report.drifts)} drifts",
            f"{report.accounts:,} accounts, {report.entries:,} entries",
        )
        succeeded = scenarios.redeemed.count
        debits = LedgerEntry.objects.filter(company=company, kind=EntryKind.REDEEM).aggregate(
            count=Count("id"), points=Sum("points")
        )
        cost = bench.redeemed.points_cost
        redeemed_rows = Redemption.objects.filter(
            company=company, status=RedemptionStatus.REDEEMED
        ).count()
        balances = LoyaltyAccount.objects.filter(company=company).aggregate(total=Sum("balance"))
        expected_balance = STARTING_POINTS * len(bench.shoppers) - succeeded * cost
        exact = (
            debits["count"] == succeeded
            and redeemed_rows == succeeded
            and abs(debits["points"] or 0) == succeeded * cost
            and balances["total"] == expected_balance
        )
        self.line(
            "successful redemption PUTs (warm-up included)",
            f"{succeeded:,}",
            f"debits {debits['count']:,}, redemptions {redeemed_rows:,}: "
            + ("exactly one each (ok)" if exact else "MISMATCH"),
        )
        if report.drifts or not exact:
            raise CommandError("The ledger does not match the successful redemptions.")
