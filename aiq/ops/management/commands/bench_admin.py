"""Persona changelist and phone-search latency with a big company, against a stock Django
admin (exact COUNT(*) paginator, icontains search) measured on the same data in the same run.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from itertools import cycle

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from aiq.accounts.choices import Role
from aiq.accounts.models import Company, Membership
from aiq.ops.bench_personas import bench_phone, fill_personas
from aiq.personas.admin import PersonaAdmin
from aiq.personas.models import Persona
from stores.models import RetailStore

BENCH_COMPANY = "Benchmark Dispensary"
SMALL_COMPANY = "Benchmark Dispensary (small)"
URL = "/admin/personas/persona/"


class StockPersonaAdmin(PersonaAdmin):
    """The baseline: what Django's admin does out of the box for the same list."""

    paginator = Paginator
    show_full_result_count = True
    search_fields = ["first_name", "last_name", "email", "phone_raw"]

    def get_search_results(self, request, queryset, search_term):  # type: ignore[no-untyped-def]
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(call: Callable[[], object], runs: int) -> list[float]:
    call()  # warm caches the way a second visitor would find them
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def typed_like_a_person(e164: str, rng: random.Random) -> str:
    digits = e164[2:]
    return rng.choice(
        [
            f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
            f"{digits[:3]}-{digits[3:6]}-{digits[6:]}",
            digits,
            e164,
        ]
    )


class Command(BaseCommand):
    help = "Seed (or reuse) N personas and print changelist and phone-search latency."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--personas", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=40)

    def _owner(self, company: Company):  # type: ignore[no-untyped-def]
        user, _ = get_user_model().objects.get_or_create(
            username=f"bench-{company.pk}", defaults={"is_staff": True}
        )
        Membership.objects.update_or_create(
            user=user, defaults={"company": company, "role": Role.OWNER}
        )
        return user

    def _company(self, name: str, size: int) -> Company:
        company, _ = Company.objects.get_or_create(name=name)
        stores = [
            RetailStore.objects.get_or_create(company=company, name=n, defaults={"state": s})[0]
            for n, s in [("Bench North", "WA"), ("Bench South", "OR")]
        ]
        started = time.perf_counter()
        added = fill_personas(company, size, [s.pk for s in stores])
        if added:
            elapsed = time.perf_counter() - started
            self.stdout.write(f"seeded {added:,} personas into {name!r} in {elapsed:.1f} s")
        return company

    def _client(self, user) -> Client:  # type: ignore[no-untyped-def]
        client = Client()
        client.force_login(user)
        return client

    def _stock_view(self, user, company: Company) -> Callable[[dict], object]:  # type: ignore[no-untyped-def]
        stock = StockPersonaAdmin(Persona, admin.site)
        factory = RequestFactory()

        def view(params: dict) -> object:
            request = factory.get(URL, params)
            request.user = user
            request.company = company  # type: ignore[attr-defined]
            response = stock.changelist_view(request)
            response.render()  # type: ignore[attr-defined]
            return response

        return view

    def _queries(self, client: Client, params: dict | None = None) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, params or {}).status_code == 200
        return len(ctx.captured_queries)

    def handle(self, *args, personas: int, runs: int, **options) -> None:  # type: ignore[no-untyped-def]
        self.stdout.write(f"database: {connection.vendor}; personas: {personas:,}; runs: {runs}")
        if connection.vendor != "postgresql":
            self.stdout.write("note: the targets are for PostgreSQL; SQLite figures are indicative")
        company = self._company(BENCH_COMPANY, personas)
        small = self._company(SMALL_COMPANY, 60)
        user = self._owner(company)
        client, small_client = self._client(user), self._client(self._owner(small))
        stock = self._stock_view(user, company)
        rng = random.Random(7)  # noqa: S311 - repeatable sample, not security

        def phones(count: int) -> list[str]:
            return [
                typed_like_a_person(bench_phone(rng.randrange(personas)), rng) for _ in range(count)
            ]

        ours_terms, stock_terms = cycle(phones(runs + 1)), cycle(phones(runs + 1))
        # "Last four of your phone?": about personas / 10,000 shoppers share each ending.
        last4_terms = cycle([bench_phone(rng.randrange(personas))[-4:] for _ in range(runs + 1)])
        results = {
            "changelist page 1": timed(lambda: client.get(URL), runs),
            "changelist page 20": timed(lambda: client.get(URL, {"p": 20}), runs),
            "changelist filtered (loyalty+source)": timed(
                lambda: client.get(URL, {"loyalty": "member", "source": "cova"}), runs
            ),
            "phone search (typed any format)": timed(
                lambda: client.get(URL, {"q": next(ours_terms)}), runs
            ),
            "phone search (last 4 digits)": timed(
                lambda: client.get(URL, {"q": next(last4_terms)}), runs
            ),
            "stock admin: changelist page 1": timed(lambda: stock({}), max(5, runs // 4)),
            "stock admin: phone search": timed(
                lambda: stock({"q": next(stock_terms)}), max(5, runs // 4)
            ),
        }
        targets = {
            "changelist page 1": "p95 < 300 ms",
            "phone search (typed any format)": "p95 < 100 ms",
            "phone search (last 4 digits)": "p95 < 100 ms",
        }
        self.stdout.write(f"{'measure':40} {'median ms':>10} {'p95 ms':>10}  target")
        for label, samples in results.items():
            median, p95 = percentiles(samples)
            self.stdout.write(f"{label:40} {median:10.1f} {p95:10.1f}  {targets.get(label, '')}")

        def ratio(baseline: str, ours: str) -> float:
            return percentiles(results[baseline])[1] / percentiles(results[ours])[1]

        self.stdout.write(
            f"p95 speed-up over the stock admin: changelist "
            f"{ratio('stock admin: changelist page 1', 'changelist page 1'):.1f}x, phone search "
            f"{ratio('stock admin: phone search', 'phone search (typed any format)'):.1f}x"
        )
        self.stdout.write(
            f"queries per changelist page (50 rows): {self._queries(client)} with {personas:,} "
            f"personas, {self._queries(small_client)} with 60 (an exact count there: one query "
            f"more); phone search page: {self._queries(client, {'q': '2062001234'})}"
        )
