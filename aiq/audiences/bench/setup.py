"""The audience benchmark's data, made before anything is timed and reused by later runs.

Personas come from the persona bench's filler (COPY on PostgreSQL). Then, for rows that
have none yet: one persona in four gets a ``CovaPricingGroup`` (VIP, Staff, Senior,
Medical) and one in three a loyalty account (0 to 2,000 points); sales are spread over the
personas up to ``sales`` in all, over the last 365 days, $5 to $150, one in twenty a
refund, fulfillment 10 % delivery, 18 % pickup, the rest in store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from aiq.accounts.models import Company
from aiq.ops.bench_personas import fill_personas
from aiq.personas import summaries
from aiq.personas.choices import Fulfillment, Source
from aiq.personas.models import Persona, Sale
from loyalty.ledger.models import LoyaltyAccount

COMPANY = "Audience benchmark"
PRICING_GROUPS = ("VIP", "Staff", "Senior", "Medical")


@dataclass(frozen=True)
class Bench:
    company: Company
    personas_added: int
    sales_added: int


def set_up(personas: int, sales: int) -> Bench:
    company, _ = Company.objects.get_or_create(name=COMPANY)
    personas_added = fill_personas(company, personas, [])
    if connection.vendor == "postgresql":
        sales_added = _fill_postgresql(company, sales)
    else:
        sales_added = _fill_orm(company, sales)
    return Bench(company, personas_added, sales_added)


_TRAITS_SQL = """
UPDATE personas_persona
SET brand_traits = jsonb_build_object(
        'CovaPricingGroup', (ARRAY['VIP', 'Staff', 'Senior', 'Medical'])[1 + (id / 4) %% 4])
WHERE company_id = %(company)s AND id %% 4 = 0 AND brand_traits = '{}'::jsonb
"""

_ACCOUNTS_SQL = """
INSERT INTO loyalty_loyaltyaccount
    (company_id, persona_id, balance, on_hold, created_at, updated_at)
SELECT p.company_id, p.id, (p.id * 37) %% 2001, 0, %(now)s, %(now)s
FROM personas_persona p
WHERE p.company_id = %(company)s AND p.id %% 3 = 0
  AND NOT EXISTS (SELECT 1 FROM loyalty_loyaltyaccount a WHERE a.persona_id = p.id)
"""

# Sale g goes to the persona at a scattered offset; ids from COPY are contiguous, and the
# join drops any gap rather than guess.
_SALES_SQL = """
INSERT INTO personas_sale (
    company_id, persona_id, source, external_id, customer_external_id, pos_key, store_id,
    occurred_at, subtotal, tax, discount, total, currency, fulfillment, payment_method,
    payments, is_refund, receipt_number, content_hash, created_at, updated_at)
SELECT p.company_id, p.id, 'cova', 'AB' || g, '', 'loc-1', NULL,
       %(now)s - ((g * 7 %% 365) || ' days')::interval - ((g %% 1440) || ' minutes')::interval,
       amount, 0, 0,
       CASE WHEN g %% 20 = 0 THEN -amount ELSE amount END,
       'USD',
       CASE WHEN g %% 50 < 5 THEN 'delivery' WHEN g %% 50 < 14 THEN 'pickup' ELSE 'in_store' END,
       'Cash', '[]', g %% 20 = 0, '', 'bench', %(now)s, %(now)s
FROM generate_series(%(first)s, %(last)s) AS g
JOIN personas_persona p ON p.id = %(low)s + (g * 7919::bigint) %% %(span)s
CROSS JOIN LATERAL (SELECT round((5 + (g * 101 %% 14500) / 100.0)::numeric, 2) AS amount) a
WHERE p.company_id = %(company)s
"""


def _fill_postgresql(company: Company, sales: int) -> int:
    now = timezone.now()
    bounds = Persona.objects.filter(company=company).aggregate(low=Min("pk"), high=Max("pk"))
    existing = Sale.objects.filter(company=company).count()
    with connection.cursor() as cursor:
        cursor.execute(_TRAITS_SQL, {"company": company.pk})
        cursor.execute(_ACCOUNTS_SQL, {"company": company.pk, "now": now})
        added = 0
        if existing < sales and bounds["low"] is not None:
            cursor.execute(
                _SALES_SQL,
                {
                    "company": company.pk,
                    "now": now,
                    "first": existing + 1,
                    "last": sales,
                    "low": bounds["low"],
                    "span": bounds["high"] - bounds["low"] + 1,
                },
            )
            added = cursor.rowcount
    _summarise(company, added)
    # VACUUM as autovacuum would after a bulk load: it sets the visibility map that lets
    # the audience indexes answer without visiting the table (index-only scans).
    with connection.cursor() as cursor:
        for table in ("personas_persona", "personas_sale", "loyalty_loyaltyaccount"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return added


def _fill_orm(company: Company, sales: int) -> int:
    """The same shape through the ORM, for the tiny test run on SQLite."""
    now = timezone.now()
    personas = list(Persona.objects.filter(company=company).order_by("pk"))
    for persona in personas:
        # The persona filler leaves the text "{}" on this path: no traits either way.
        if persona.pk % 4 == 0 and persona.brand_traits in ({}, "{}"):
            persona.brand_traits = {"CovaPricingGroup": PRICING_GROUPS[(persona.pk // 4) % 4]}
            persona.save(update_fields=["brand_traits"])
        if persona.pk % 3 == 0:
            LoyaltyAccount.objects.get_or_create(
                persona=persona,
                defaults={"company": company, "balance": Decimal((persona.pk * 37) % 2001)},
            )
    existing = Sale.objects.filter(company=company).count()
    rows = []
    for g in range(existing + 1, sales + 1):
        if not personas:
            break
        amount = Decimal(5 + (g * 101 % 14500) / 100).quantize(Decimal("0.01"))
        refund = g % 20 == 0
        kind = g % 50
        fulfillment = (
            Fulfillment.DELIVERY
            if kind < 5
            else Fulfillment.PICKUP
            if kind < 14
            else Fulfillment.IN_STORE
        )
        rows.append(
            Sale(
                company=company,
                persona=personas[(g * 7919) % len(personas)],
                source=Source.COVA,
                external_id=f"AB{g}",
                pos_key="loc-1",
                occurred_at=now - timedelta(days=g * 7 % 365, minutes=g % 1440),
                subtotal=amount,
                tax=Decimal(0),
                discount=Decimal(0),
                total=-amount if refund else amount,
                is_refund=refund,
                fulfillment=fulfillment,
                content_hash="bench",
            )
        )
    Sale.objects.bulk_create(rows, batch_size=2000)
    _summarise(company, len(rows))
    return len(rows)


def _summarise(company: Company, added: int) -> None:
    """The sales above bypass the sync's writer: rebuild the purchase summaries as the
    backfill migration would (before the VACUUM, so they are analysed too)."""
    summarised = Persona.objects.filter(company=company, first_sale_at__isnull=False)
    if added or not summarised.exists():
        summaries.rebuild(company.pk)
