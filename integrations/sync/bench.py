"""The sync benchmark (``manage.py bench_sync``): sandbox-shaped sales through the same
mapping and persistence path as a real sync, against a raw COPY of the same rows.

Data come from the Cova sandbox's generators (``integrations.sandbox``): a history of N
sales over 90 days with 1-5 lines each (3 on average), 15 % anonymous, 5 % refunds, and
shoppers drawn from a pool of ``customers`` so that most sales belong to repeat shoppers.
They are generated before the timed run (the sandbox generator costs more than the sync
itself) and kept compact on disk, so memory stays flat.

The timed path is ``run_stream`` itself (slices, lease renewals, cursor, run counts), fed
by ``BenchProvider`` instead of HTTP: reading a generated record and mapping it to our
``values.Sale`` (a provider mapping's job), then everything a worker does with a page:
rows, hashes, comparison with what is stored, persona and store lookups, the sales
upsert, the lines COPY, POS keys, and finally the favorite stores.
"""

from __future__ import annotations

import marshal
import resource
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count

from integrations.providers.values import Customer, Location, Payment, Sale, SaleLine
from integrations.sandbox import ids
from integrations.sandbox.catalog import catalog
from integrations.sandbox.cova import payloads
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.sales import sale as generated_sale
from integrations.sandbox.timeline import to_datetime

CENT = Decimal("0.01")
FULFILLMENT_OK = {"in_store", "pickup", "delivery"}


def rss_mb() -> float:
    """The process's resident memory now, in MB (Linux /proc)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * resource.getpagesize() / 1_048_576
    except OSError:
        return 0.0


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _money(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


@dataclass(slots=True)
class Clock:
    """Where the benchmark's time goes, apart from the database."""

    generating: float = 0.0  # sandbox generators, before the timed run
    mapping: float = 0.0  # reading generated records and mapping them to our values
    generated: int = 0
    lines: int = 0
    samples: list[tuple[int, float]] = field(default_factory=list)


class GeneratedSales:
    """Sandbox sales generated ahead of the timed run, kept compact on disk.

    Each chunk of ``CHUNK`` sales (in time order) is one ``marshal`` record of plain
    tuples, with its time range kept in memory, so a time slice reads only its chunks
    and memory stays flat whatever the count.
    """

    CHUNK = 5000

    def __init__(self, account: SandboxAccount, clock: Clock) -> None:
        self.account = account
        self.clock = clock
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.chunks: list[tuple[int, int, int]] = []  # (first ms, last ms, offset)
        products = catalog(account)
        key = account.key
        started = time.perf_counter()
        rows: list[tuple[Any, ...]] = []
        for index in range(account.sales):
            sale = generated_sale(account, index)
            rows.append(
                (
                    payloads.sale_id(account, index),
                    sale.location,
                    None if sale.customer is None else payloads.customer_id(account, sale.customer),
                    sale.created_ms,
                    sale.subtotal_cents,
                    sale.tax_cents,
                    sale.discount_cents,
                    sale.total_cents,
                    sale.is_refund,
                    sale.fulfillment,
                    sale.payment_method,
                    sale.receipt_number,
                    tuple(
                        (
                            ids.guid(key, "line", index * 8 + number),
                            line.product_index,
                            line.quantity,
                            line.unit_price_cents,
                            line.discount_cents,
                            line.subtotal_cents,
                        )
                        for number, line in enumerate(sale.lines)
                    ),
                )
            )
            if len(rows) == self.CHUNK:
                self._flush(rows)
        if rows:
            self._flush(rows)
        self.products = products
        clock.generating += time.perf_counter() - started

    def _flush(self, rows: list[tuple[Any, ...]]) -> None:
        self.chunks.append((rows[0][3], rows[-1][3], self.file.tell()))
        marshal.dump(rows, self.file)
        rows.clear()

    def between(self, low: int | None, high: int | None) -> Iterator[tuple[Any, ...]]:
        """The generated rows whose time is in [low, high], in time order."""
        for first, last, offset in self.chunks:
            if (high is not None and first > high) or (low is not None and last < low):
                continue
            self.file.seek(offset)
            for row in marshal.load(self.file):  # noqa: S302 - our own temporary file
                if (low is None or row[3] >= low) and (high is None or row[3] <= high):
                    yield row

    def close(self) -> None:
        self.file.close()


class BenchProvider:
    """Serves the generated sales by time window, as ``iter_sales`` over HTTP would,
    mapping each compact record to our ``values.Sale`` like a provider's mapping does.

    Customers come straight from the sandbox generator and the Cova mapping.
    """

    def __init__(self, account: SandboxAccount, clock: Clock, sample_every: int = 50_000) -> None:
        self.account = account
        self.clock = clock
        self.sample_every = sample_every
        self.products = catalog(account)
        self.location_keys = [str(key) for key in payloads.location_ids(account)]
        self.product_ids = [payloads.product_id(account, p.index) for p in self.products]
        self.generated: GeneratedSales | None = None

    def iter_locations(self) -> Iterator[Location]:
        for number, key in enumerate(self.location_keys):
            yield Location(key=key, name=payloads.location_name(self.account, number))

    def iter_customers(self, since: datetime | None = None) -> Iterator[Customer]:
        """Every shopper, as the Cova mapping reads a CustomerFull."""
        from integrations.providers.cova.mapping import customer_from

        for index in range(self.account.customers):
            started = time.perf_counter()
            value = customer_from(payloads.customer_full(self.account, index))
            self.clock.mapping += time.perf_counter() - started
            yield value

    def value(self, row: tuple[Any, ...]) -> Sale:
        """One compact generated sale as our value (the provider mapping's job)."""
        products, product_ids = self.products, self.product_ids
        lines = tuple(
            SaleLine(
                external_id=line_id,
                product_external_id=product_ids[product],
                sku=products[product].sku,
                name=products[product].name,
                quantity=Decimal(quantity),
                unit_price=_money(unit),
                discount=_money(discount),
                total=_money(subtotal),
                category=products[product].category,
            )
            for line_id, product, quantity, unit, discount, subtotal in row[12]
        )
        total = _money(row[7])
        return Sale(
            external_id=row[0],
            location_key=self.location_keys[row[1]],
            customer_external_id=row[2],
            occurred_at=to_datetime(row[3]),
            updated_at=None,
            subtotal=_money(row[4]),
            tax=_money(row[5]),
            discount=_money(row[6]),
            total=total,
            is_refund=row[8],
            fulfillment=row[9],
            lines=lines,
            payments=(Payment(method=row[10], amount=total),),
            receipt_number=row[11],
        )

    def iter_sales(
        self,
        since: datetime | None,
        until: datetime | None = None,
        location_keys: Iterable[str] | None = None,
    ) -> Iterator[Sale]:
        if self.generated is None:
            self.generated = GeneratedSales(self.account, self.clock)
        low = None if since is None else int(since.timestamp() * 1000)
        high = None if until is None else int(until.timestamp() * 1000)
        wanted = None if location_keys is None else set(location_keys)
        clock = self.clock
        for row in self.generated.between(low, high):
            started = time.perf_counter()
            value = self.value(row)
            clock.mapping += time.perf_counter() - started
            if wanted is not None and value.location_key not in wanted:
                continue
            clock.generated += 1
            clock.lines += len(value.lines)
            if clock.generated % self.sample_every == 0:
                clock.samples.append((clock.generated, rss_mb()))
            yield value


@dataclass(frozen=True, slots=True)
class CopyResult:
    seconds: float
    sales: int
    lines: int


SALE_COLUMNS = (
    "company_id, persona_id, source, external_id, customer_external_id, pos_key, store_id, "
    "occurred_at, subtotal, tax, discount, total, currency, fulfillment, payment_method, "
    "payments, is_refund, receipt_number, content_hash, created_at, updated_at"
)
LINE_COLUMNS = (
    "sale_id, position, external_id, product_external_id, sku, name, category, brand, quantity, "
    "unit_price, discount, total"
)


def copy_baseline(company_id: int, chunk: int = 100_000) -> CopyResult:
    """COPY the company's sales and lines, as stored, into scratch tables indexed exactly
    like the real ones (``LIKE ... INCLUDING ALL``: every index, no foreign key); only
    the COPY FROM is timed. Read back in chunks so memory stays flat."""
    from aiq.personas.models import Sale as SaleRow

    spent = 0.0
    sales = lines = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_copy_saleline; DROP TABLE IF EXISTS bench_copy_sale; "
            "CREATE TABLE bench_copy_sale (LIKE personas_sale INCLUDING ALL); "
            "CREATE TABLE bench_copy_saleline (LIKE personas_saleline INCLUDING ALL)"
        )
        raw = cursor.cursor
        bounds = (
            SaleRow.objects.filter(company_id=company_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        first, last = bounds.first(), bounds.last()
        if first is None:
            return CopyResult(0.0, 0, 0)
        for low in range(first, last + 1, chunk):
            high = low + chunk
            for table, columns, where in (
                (
                    "personas_sale",
                    SALE_COLUMNS,
                    f"company_id = {company_id} AND id >= {low} AND id < {high}",
                ),
                ("personas_saleline", LINE_COLUMNS, f"sale_id >= {low} AND sale_id < {high}"),
            ):
                buffer = bytearray()
                query = f"COPY (SELECT {columns} FROM {table} WHERE {where}) TO STDOUT"  # noqa: S608
                with raw.copy(query) as out:
                    for data in out:
                        buffer += data
                rows = buffer.count(b"\n")
                target = "bench_copy_sale" if table == "personas_sale" else "bench_copy_saleline"
                started = time.perf_counter()
                with raw.copy(f"COPY {target} ({columns}) FROM STDIN") as into:
                    into.write(bytes(buffer))
                spent += time.perf_counter() - started
                if table == "personas_sale":
                    sales += rows
                else:
                    lines += rows
                del buffer
        cursor.execute("DROP TABLE bench_copy_saleline; DROP TABLE bench_copy_sale")
    return CopyResult(spent, sales, lines)


def repeat_share(company_id: int) -> tuple[float, int]:
    """(share of identified sales made by a persona with more than one sale, personas)."""
    from aiq.personas.models import Sale as SaleRow

    counts = list(
        SaleRow.objects.filter(company_id=company_id, persona__isnull=False)
        .values("persona")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    total = sum(counts)
    return (sum(n for n in counts if n > 1) / total if total else 0.0), len(counts)


def anonymous_share(company_id: int) -> float:
    from aiq.personas.models import Sale as SaleRow

    sales = SaleRow.objects.filter(company_id=company_id)
    total = sales.count()
    return sales.filter(persona__isnull=True).count() / total if total else 0.0


def wipe_company(company_id: int) -> None:
    """Remove a benchmark company's rows quickly (raw deletes; the ORM would collect
    a million objects first)."""
    statements: list[tuple[str, list[Any]]] = [
        (
            "DELETE FROM personas_saleline WHERE sale_id IN "
            "(SELECT id FROM personas_sale WHERE company_id = %s)",
            [company_id],
        ),
        ("DELETE FROM personas_sale WHERE company_id = %s", [company_id]),
        ("DELETE FROM personas_personamerge WHERE company_id = %s", [company_id]),
        ("DELETE FROM personas_personaidentity WHERE company_id = %s", [company_id]),
        ("DELETE FROM personas_persona WHERE company_id = %s", [company_id]),
    ]
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
