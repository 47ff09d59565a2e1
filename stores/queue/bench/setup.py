"""The benchmark's data, made before anything is timed and reused by the next run.

Personas come from the persona bench's filler (COPY on PostgreSQL). Sales are one
INSERT ... SELECT on PostgreSQL: each persona gets 0 to 3 sales (1.5 on average) of $5 to
$150, one in twenty a refund, for personas that have none yet, so a rerun adds nothing.
Check-ins are replaced on every run: ``waiting`` at one store, ``few_waiting`` at another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from aiq.accounts.choices import Role
from aiq.accounts.models import Company, Membership
from aiq.ops.bench_personas import fill_personas
from aiq.personas.choices import Source
from aiq.personas.models import Persona, Sale
from stores.models import RetailStore
from stores.queue.choices import CheckInDoor, QueueState
from stores.queue.models import CheckIn
from stores.queue.services import bump_version, queue_of

COMPANY = "Queue benchmark"
USERNAME = "bench-queue-owner"


@dataclass(frozen=True)
class Bench:
    company: Company
    user: object
    busy_store: RetailStore  # ``waiting`` shoppers
    quiet_store: RetailStore  # ``few_waiting`` shoppers
    personas_added: int
    sales_added: int


def set_up(personas: int, waiting: int, few_waiting: int) -> Bench:
    company, _ = Company.objects.get_or_create(name=COMPANY)
    busy, quiet = (
        RetailStore.objects.update_or_create(
            company=company, name=name, defaults={"opt_in_queue_enabled": True, "state": "WA"}
        )[0]
        for name in (f"Queue bench ({waiting} waiting)", f"Queue bench ({few_waiting} waiting)")
    )
    # Earlier runs with other --waiting values left stores named after them: off the menu.
    RetailStore.objects.filter(company=company).exclude(pk__in=[busy.pk, quiet.pk]).update(
        opt_in_queue_enabled=False
    )
    personas_added = fill_personas(company, personas, [busy.pk, quiet.pk])
    sales_added = _fill_sales(company, busy.pk)
    _replace_check_ins(busy, waiting)
    _replace_check_ins(quiet, few_waiting)
    return Bench(company, _owner(company), busy, quiet, personas_added, sales_added)


def _owner(company: Company):  # type: ignore[no-untyped-def]
    user, _ = get_user_model().objects.get_or_create(username=USERNAME, defaults={"is_staff": True})
    Membership.objects.update_or_create(
        user=user, defaults={"company": company, "role": Role.OWNER}
    )
    return user


_SALES_SQL = """
INSERT INTO personas_sale (
    company_id, persona_id, source, external_id, customer_external_id, pos_key, store_id,
    occurred_at, subtotal, tax, discount, total, currency, fulfillment, payment_method,
    payments, is_refund, receipt_number, content_hash, created_at, updated_at)
SELECT p.company_id, p.id, 'cova', 'QB' || p.id || '-' || g, '', 'loc-1', %(store)s,
       %(now)s - (((p.id + g * 7) %% 365) || ' days')::interval,
       amount, 0, 0,
       CASE WHEN (p.id + g) %% 20 = 0 THEN -amount ELSE amount END,
       'USD', 'in_store', 'Cash', '[]', (p.id + g) %% 20 = 0, '', 'bench', %(now)s, %(now)s
FROM personas_persona p
CROSS JOIN LATERAL generate_series(1, (p.id %% 4)::int) AS g
CROSS JOIN LATERAL (
    SELECT round((5 + ((p.id * 37 + g * 101) %% 14500) / 100.0)::numeric, 2) AS amount
) AS a
WHERE p.company_id = %(company)s
  AND NOT EXISTS (SELECT 1 FROM personas_sale s WHERE s.persona_id = p.id)
"""


def _fill_sales(company: Company, store_id: int) -> int:
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_SALES_SQL, {"company": company.pk, "store": store_id, "now": now})
            added = cursor.rowcount
            if added:
                cursor.execute("ANALYZE personas_sale")
        return added
    # Elsewhere (the tiny test run): the same shape, through the ORM.
    without_sales = Persona.objects.filter(company=company, sales__isnull=True)
    sales = []
    for persona_id in without_sales.values_list("pk", flat=True):
        for g in range(1, persona_id % 4 + 1):
            amount = Decimal(5 + ((persona_id * 37 + g * 101) % 14500) / 100).quantize(
                Decimal("0.01")
            )
            refund = (persona_id + g) % 20 == 0
            sales.append(
                Sale(
                    company=company,
                    persona_id=persona_id,
                    source=Source.COVA,
                    external_id=f"QB{persona_id}-{g}",
                    pos_key="loc-1",
                    store_id=store_id,
                    occurred_at=now - timedelta(days=(persona_id + g * 7) % 365),
                    subtotal=amount,
                    tax=Decimal(0),
                    discount=Decimal(0),
                    total=-amount if refund else amount,
                    is_refund=refund,
                    content_hash="bench",
                )
            )
    Sale.objects.bulk_create(sales, batch_size=2000)
    return len(sales)


def _replace_check_ins(store: RetailStore, count: int) -> None:
    """``count`` shoppers on the store's queue, spread over the whole company's personas;
    one in ten being served, one in ten a name without a phone (no persona)."""
    CheckIn.objects.filter(store=store).delete()
    queue_of(store)
    bounds = Persona.objects.filter(company=store.company).aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"] or 0, bounds["high"] or 0
    step = max(1, (high - low) // max(count, 1))
    wanted = [low + i * step for i in range(count)]
    found = set(
        Persona.objects.filter(pk__in=wanted, company=store.company).values_list("pk", flat=True)
    )
    started = timezone.now() - timedelta(minutes=count)
    entries = []
    for index, persona_id in enumerate(wanted):
        at = started + timedelta(minutes=index)
        linked = persona_id in found and index % 10 != 9
        entries.append(
            CheckIn(
                company=store.company,
                store=store,
                persona_id=persona_id if linked else None,
                name="" if linked and index % 2 else f"Walk-in {index}",
                phone="",
                door=CheckInDoor.CHECK_IN_PAGE if index % 3 else CheckInDoor.API,
                state=QueueState.BEING_SERVED if index % 10 == 0 else QueueState.WAITING,
                checked_in_at=at,
                state_changed_at=at,
            )
        )
    CheckIn.objects.bulk_create(entries, batch_size=1000)
    bump_version(store.pk)
