"""The earning benchmark (``manage.py bench_loyalty``): data made before the timed part,
and the baseline it is compared with. PostgreSQL only (generate_series, temp tables).

Shape: ``sales`` sales over 90 days by a pool of enrolled shoppers (a fifth as many),
5 % refunds, five stores in Seattle time, ids in time
order (as a sync writes them). The program: 1 pt per $1 rounded down, 10 points per
visit at most once a day, FIFO expiry after 365 days.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction

from aiq.accounts.models import Company
from aiq.personas.choices import EnrollmentRoute
from aiq.personas.models import Persona
from loyalty.program.choices import ExpirationMode, Rounding
from loyalty.program.models import LoyaltyProgram
from stores.models import RetailStore

COMPANY = "Loyalty benchmark"
TIME_ZONE = "America/Los_Angeles"
DAYS = 90


def wipe(company: Company) -> None:
    """Remove the previous run's rows. Ledger history refuses DELETE by trigger; this is
    the one place allowed around it, for the benchmark's own company only: replication
    mode skips triggers for this transaction (it needs a superuser, as a local bench has)."""
    tables = [
        (
            "DELETE FROM loyalty_allocation WHERE lot_id IN "
            "(SELECT id FROM loyalty_lot WHERE company_id = %s)"
        ),
        "DELETE FROM loyalty_lot WHERE company_id = %s",
        "DELETE FROM loyalty_ledgerentry WHERE company_id = %s",
        "DELETE FROM loyalty_loyaltyaccount WHERE company_id = %s",
        "DELETE FROM personas_saleline WHERE sale_id IN "
        "(SELECT id FROM personas_sale WHERE company_id = %s)",
        "DELETE FROM personas_sale WHERE company_id = %s",
        "DELETE FROM personas_persona WHERE company_id = %s",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for sql in tables:
            cursor.execute(sql, [company.pk])


def set_up(sales: int, customers: int, now: datetime) -> tuple[Company, LoyaltyProgram]:
    company, _ = Company.objects.get_or_create(name=COMPANY)
    wipe(company)
    program, _ = LoyaltyProgram.objects.update_or_create(
        company=company,
        defaults={
            "enabled": True,
            "points_per_dollar": Decimal("1"),
            "points_per_visit": Decimal("10"),
            "max_visits_per_day": 1,
            "rounding": Rounding.DOWN,
            "accrual_start_date": (now - timedelta(days=DAYS + 30)).date(),
            "expiration_mode": ExpirationMode.FIFO,
            "expiration_days": 365,
        },
    )
    stores = [
        RetailStore.objects.get_or_create(
            company=company, name=f"Bench store {n}", defaults={"time_zone": TIME_ZONE}
        )[0].pk
        for n in range(1, 6)
    ]
    enrolled_at = now - timedelta(days=DAYS + 10)
    for start in range(0, customers, 10_000):
        Persona.objects.bulk_create(
            Persona(
                company=company,
                first_name="Bench",
                last_name=f"Shopper {n}",
                phone=f"+1206{n:07d}",
                loyalty_enrolled_at=enrolled_at,
                loyalty_enrollment_route=EnrollmentRoute.STAFF,
            )
            for n in range(start, min(customers, start + 10_000))
        )
    first_persona = Persona.objects.filter(company=company).order_by("pk").first()
    assert first_persona is not None
    # The generator picks shoppers by id offset: the pool's ids must be contiguous.
    last = first_persona.pk + customers - 1
    if Persona.objects.filter(company=company, pk__lte=last).count() != customers:
        raise RuntimeError("Shopper ids are not contiguous (another writer?); run again.")
    _generate_sales(company.pk, first_persona.pk, customers, stores, sales, now)
    return company, program


def _generate_sales(
    company_id: int,
    first_persona: int,
    customers: int,
    stores: list[int],
    count: int,
    now: datetime,
) -> None:
    """One INSERT ... SELECT; ids drawn in time order, as a sync writes them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO personas_sale (
                id, company_id, persona_id, source, external_id, customer_external_id, pos_key,
                store_id, occurred_at, subtotal, tax, discount, total, currency, fulfillment,
                payment_method, payments, is_refund, receipt_number, content_hash,
                created_at, updated_at)
            SELECT nextval(pg_get_serial_sequence('personas_sale', 'id')),
                   %(company)s, %(first)s + (n::bigint * 7919) %% %(customers)s, 'cova',
                   'B' || n, '',
                   'loc-' || (n %% 5), (%(stores)s::bigint[])[1 + n %% 5],
                   %(start)s + (n::float8 / %(count)s) * %(span)s,
                   amount, round(amount * 0.1, 2), 0,
                   CASE WHEN n %% 20 = 0 THEN -round(amount * 1.1, 2)
                        ELSE round(amount * 1.1, 2) END,
                   'USD', 'in_store', 'Cash', '[]', n %% 20 = 0, n::text, 'bench', %(now)s, %(now)s
            FROM (SELECT n, round((5 + (n * 37) %% 14500 / 100.0)::numeric, 2) AS amount
                  FROM generate_series(1, %(count)s) AS n
                  ORDER BY n) AS generated
            """,
            {
                "company": company_id,
                "first": first_persona,
                "customers": customers,
                "stores": stores,
                "start": now - timedelta(days=DAYS),
                "count": count,
                "span": timedelta(days=DAYS),
                "now": now,
            },
        )


@dataclass(frozen=True)
class Baseline:
    entries: int
    points: Decimal
    seconds: float


# The baseline's SELECT: each sale's points and visit points, no lots, no explanations.
_EARN_ENTRIES = """
    SELECT s.company_id, a.id, 'earn',
           floor(s.total * %(rate)s)
           + CASE WHEN row_number() OVER (
                 PARTITION BY s.persona_id, (s.occurred_at AT TIME ZONE %(tz)s)::date
                 ORDER BY s.occurred_at, s.id) <= %(cap)s
             THEN %(visit)s ELSE 0 END,
           s.occurred_at, now(), s.id, '', 'earning', '', '', 'earn:sale:' || s.id
    FROM personas_sale s
    JOIN personas_persona p ON p.id = s.persona_id
    JOIN loyalty_loyaltyaccount a ON a.persona_id = s.persona_id
    WHERE s.company_id = %(company)s AND NOT s.is_refund
      AND p.loyalty_enrolled_at IS NOT NULL AND s.total > 0
"""
_COLUMNS = (
    "company_id, account_id, kind, points, occurred_at, created_at, sale_id, api_key_label, "
    "task, reason, explanation, idempotency_key"
)


def insert_select_baseline(
    company_id: int, program: LoyaltyProgram, *, logged: bool = True
) -> Baseline:
    """The same earn entries (points and visit bonus, no lots, no explanations) written by
    one INSERT ... SELECT into a copy of the entries table with its indexes, timed from the
    INSERT to its commit (the earning side's time includes its commits too).

    ``logged``: a regular table with the ledger's keys too (the (account, company) key and
    the sale's), so the rows are written as the ledger's are: through the WAL, and checked.
    Otherwise a TEMPORARY table, as this benchmark used before: no WAL and no keys, a write
    no production table gets; printed beside it for comparison.
    """
    parameters = {
        "company": company_id,
        "rate": program.points_per_dollar,
        "visit": program.points_per_visit,
        "cap": program.max_visits_per_day,
        "tz": TIME_ZONE,
    }
    if not logged:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_entries "
                "(LIKE loyalty_ledgerentry INCLUDING DEFAULTS INCLUDING INDEXES "
                "INCLUDING IDENTITY) ON COMMIT DROP"
            )
            started = time.perf_counter()
            cursor.execute(f"INSERT INTO bench_entries ({_COLUMNS}) {_EARN_ENTRIES}", parameters)
            seconds = time.perf_counter() - started
            cursor.execute("SELECT count(*), coalesce(sum(points), 0) FROM bench_entries")
            entries, points = cursor.fetchone()
        return Baseline(entries, points, seconds)

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_entries")
        cursor.execute(
            "CREATE TABLE bench_entries (LIKE loyalty_ledgerentry INCLUDING DEFAULTS "
            "INCLUDING INDEXES INCLUDING IDENTITY INCLUDING CONSTRAINTS)"
        )
        cursor.execute(
            "ALTER TABLE bench_entries "
            "ADD FOREIGN KEY (account_id, company_id) REFERENCES loyalty_loyaltyaccount "
            "(id, company_id) DEFERRABLE INITIALLY DEFERRED, "
            "ADD FOREIGN KEY (sale_id) REFERENCES personas_sale (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )
    try:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO bench_entries ({_COLUMNS}) {_EARN_ENTRIES}", parameters)
        seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), coalesce(sum(points), 0) FROM bench_entries")
            entries, points = cursor.fetchone()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_entries")
    return Baseline(entries, points, seconds)
