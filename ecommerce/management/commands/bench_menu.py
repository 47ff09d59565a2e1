"""How the Cova menu scales: the full menu sync and an incremental one with 1% of the
products changed, then the public menu page's latency with that many products, beside the
persona changelist measured in the same run (the same machine's yardstick).

    manage.py bench_menu --products 20000 [--runs 50] [--personas 20000]

The syncs run the real runner over real HTTP against the Cova sandbox served on a local
port in a thread of this process (``products=N`` in the credential sizes its menu). Pages
are fetched with Django's test Client, in process (no network, full middleware stack).
Targets: incremental sync under 10 seconds, menu page p95 under 200 ms.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client

from aiq.accounts.models import Company
from aiq.crypto import encrypt
from aiq.ops.bench_personas import fill_personas
from aiq.ops.management.commands.bench_admin import Command as BenchAdmin
from aiq.ops.management.commands.bench_admin import percentiles
from aiq.personas.models import Persona
from ecommerce.choices import MenuSyncTrigger, VerificationState
from ecommerce.menu.runner import run_menu_sync
from ecommerce.models import CovaEcommerceSettings, MenuProduct, MenuSyncRun
from integrations.sandbox.cova import menu_edits, payloads
from integrations.sandbox.models import SandboxRecord
from integrations.sandbox.server import running_sandbox
from integrations.sync.bench import peak_rss_mb, rss_mb
from stores.models import RetailStore

COMPANY = "Menu benchmark"
SHOP_SLUG = "menu-benchmark"
CHANGELIST = "/admin/personas/persona/"
TARGET_INCREMENTAL_S = 10
TARGET_PAGE_P95_MS = 200
# Every hundredth product changes: 1% of the menu, spread over the whole catalog.
CHANGE_EVERY = 100


def credential_values(products: int) -> dict[str, str]:
    return {
        "client_id": "MENUBENCH.AIQ",
        "client_secret": "bench-secret",
        "username": "AIQ.COVA.APIUser.MENUBENCH",
        "password": f"bench-password,products={products},ratelimit=0",
    }


def changed_indices(products: int) -> list[int]:
    return list(range(CHANGE_EVERY // 2, products, CHANGE_EVERY)) or [0]


def new_price_cents(index: int) -> int:
    return 10_000 + index % 1000


def queries_of(call: Any) -> int:
    """How many SQL statements ``call`` runs (works with DEBUG off, across requests)."""
    count = 0

    def counted(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        call()
    return count


def timed_within(call: Any, runs: int, budget_s: float) -> list[float]:
    """``runs`` timings in ms after one warm-up, fewer when they pass ``budget_s`` (a page
    of many seconds would otherwise hold the run for an hour); at least one."""
    call()
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(samples) < runs and (not samples or time.perf_counter() < deadline):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


class Command(BaseCommand):
    help = "Benchmark the Cova menu sync and the public menu page (see the module docstring)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=20_000)
        parser.add_argument("--runs", type=int, default=50, help="page requests per measure")
        parser.add_argument(
            "--budget",
            type=float,
            default=120.0,
            help="seconds a page measure may take before it stops short of --runs",
        )
        parser.add_argument(
            "--personas", type=int, help="personas behind the changelist (default: --products)"
        )

    def line(self, label: str, value: str, target: str = "") -> None:
        self.stdout.write(f"  {label:<44} {value:>30}  {target}".rstrip())

    def handle(self, *args: Any, **options: Any) -> None:
        if options["products"] < 1 or options["runs"] < 1:
            raise CommandError("--products and --runs must be at least 1.")
        # As bench_sync: the key is loaded first, and DEBUG (which keeps every query's SQL
        # in memory) is off, as in production.
        encrypt("load the key")
        debug, django_settings.DEBUG = django_settings.DEBUG, False
        try:
            self._bench(options)
        finally:
            django_settings.DEBUG = debug

    def _shop(self, products: int) -> tuple[CovaEcommerceSettings, Company]:
        """A clean benchmark store with verified sandbox settings and no menu yet."""
        company, _ = Company.objects.get_or_create(name=COMPANY)
        store, _ = RetailStore.objects.get_or_create(
            company=company, name="Menu bench store", defaults={"state": "WA"}
        )
        values = credential_values(products)
        account = menu_edits.cova_account(values)
        MenuProduct.objects.filter(store=store).delete()
        MenuSyncRun.objects.filter(company=company).delete()
        CovaEcommerceSettings.objects.filter(store=store).delete()
        SandboxRecord.objects.filter(
            provider="cova", account=account.key, kind=menu_edits.KIND
        ).delete()
        shop = CovaEcommerceSettings(
            company=company,
            store=store,
            enabled=True,
            is_sandbox=True,
            shop_slug=SHOP_SLUG,
            company_id_at_cova=str(payloads.company_id(account)),
            location_id=str(payloads.location_ids(account)[0]),
            username=values["username"],
            client_id=values["client_id"],
            verification_state=VerificationState.VERIFIED,
        )
        shop.set_secrets(values)
        shop.save()
        return shop, company

    def _sync(self, shop: CovaEcommerceSettings, origin: str, *, full: bool) -> tuple[Any, float]:
        started = time.perf_counter()
        run = run_menu_sync(shop.pk, MenuSyncTrigger.COMMAND, full=full, sandbox_origin=origin)
        elapsed = time.perf_counter() - started
        if run is None or run.status not in ("ok", "partial"):
            raise CommandError(f"the menu sync did not finish: {run and run.error}")
        return run, elapsed

    def _bench(self, options: dict[str, Any]) -> None:
        count, runs = options["products"], options["runs"]
        personas = options["personas"] if options["personas"] is not None else count
        self.stdout.write(
            f"database: {connection.vendor}; products: {count:,}; page runs: {runs}; "
            f"python process RSS at start: {rss_mb():.0f} MB"
        )
        if connection.vendor != "postgresql":
            self.stdout.write("note: the targets are for PostgreSQL; other figures are indicative")
        shop, company = self._shop(count)
        account = menu_edits.cova_account(shop.credential_values())
        location = payloads.location_number(account, shop.location_id) or 0

        self.stdout.write(
            "menu sync (the real runner over HTTP; the Cova sandbox served on a local port "
            "by a thread of this process):"
        )
        with running_sandbox() as origin:
            full, full_s = self._sync(shop, origin, full=True)
            self.line("full sync", f"{full.written:,} products in {full_s:.1f} s")
            self.line("full sync rate", f"{full.written / full_s:,.0f} products/s")
            self.line("peak memory after the full sync", f"{peak_rss_mb():.0f} MB")

            changed = changed_indices(count)
            for index in changed:
                menu_edits.edit_product(
                    account,
                    index,
                    price_cents=new_price_cents(index),
                    stock={location: index % 50},
                )
            incremental, incremental_s = self._sync(shop, origin, full=False)
        landed = MenuProduct.objects.filter(
            store=shop.store,
            cova_product_id__in=[payloads.product_id(account, index) for index in changed],
        ).values_list("cova_product_id", "price")
        expected = {
            payloads.product_id(account, index): Decimal(new_price_cents(index)) / 100
            for index in changed
        }
        updated = sum(1 for product_id, price in landed if expected.get(product_id) == price)
        self.line(
            f"incremental sync ({len(changed):,} changed, 1%)",
            f"{incremental.written:,} products in {incremental_s:.2f} s",
            f"target < {TARGET_INCREMENTAL_S} s",
        )
        self.line(
            "incremental sync rate",
            f"{incremental.written / incremental_s:,.0f} products/s",
        )
        self.line(
            "incremental: fetched / changed / changes landed",
            f"{incremental.fetched:,} / {len(changed):,} / {updated:,}",
        )
        self.line("peak memory (ru_maxrss, sandbox included)", f"{peak_rss_mb():.0f} MB")

        self._pages(shop, company, personas, runs, options["budget"])
        self.stdout.write(f"peak memory of the whole run (ru_maxrss): {peak_rss_mb():.0f} MB")

    def _pages(
        self,
        shop: CovaEcommerceSettings,
        company: Company,
        personas: int,
        runs: int,
        budget_s: float,
    ) -> None:
        menu_url = f"/shop/{shop.shop_slug}/"
        shopper = Client()
        shopper.post(f"{menu_url}age/", {"answer": "yes"})
        first = shopper.get(menu_url)
        if first.status_code != 200:
            raise CommandError(f"the menu page answered {first.status_code}")
        menu_queries = queries_of(lambda: shopper.get(menu_url))

        added = fill_personas(company, personas, [shop.store_id])
        owner = BenchAdmin()._owner(company)
        staff = Client()
        staff.force_login(owner)
        if staff.get(CHANGELIST).status_code != 200:
            raise CommandError("the persona changelist did not answer 200")
        changelist_queries = queries_of(lambda: staff.get(CHANGELIST))

        personas = Persona.objects.filter(company=company).count()
        listed = MenuProduct.objects.filter(store=shop.store, is_archived=False).count()
        self.stdout.write(
            f"pages (Django test Client, in process; up to {runs} requests each after one "
            f"warm-up, within {budget_s:.0f} s; personas seeded now: {added:,}):"
        )
        self.stdout.write(
            f"  {'measure':<44} {'median ms':>10} {'p95 ms':>10} {'requests':>8}  target"
        )
        for label, url, client, target in (
            (f"menu page, {listed:,} products", menu_url, shopper, TARGET_PAGE_P95_MS),
            (f"persona changelist, {personas:,} personas", CHANGELIST, staff, None),
        ):
            samples = timed_within(lambda c=client, u=url: c.get(u), runs, budget_s)
            median, p95 = percentiles(samples)
            beside = f"p95 < {target} ms" if target else ""
            self.stdout.write(
                f"  {label:<44} {median:10.1f} {p95:10.1f} {len(samples):8}  {beside}".rstrip()
            )
        self.line(
            "menu page: queries / size",
            f"{menu_queries} / {len(first.content) / 1024:,.0f} KB",
        )
        self.line("persona changelist: queries", f"{changelist_queries}")
