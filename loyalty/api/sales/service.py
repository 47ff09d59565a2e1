"""Writing posted visits: the sync's sales writer, the sync's loyalty hook, one transaction.

A visit becomes the same ``integrations.providers.values.Sale`` a POS sync reads, goes
through ``sale_row`` (limits, content hash) and ``bulk.write_sales`` (upsert on (company,
"api", pos_id), lines replaced, an unchanged sale not written), and the written sales go to
``loyalty.hooks.sales_written`` in the same transaction: when the call returns, the points
are in the wallet, and a re-post earns only a changed total's difference, never twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from aiq.personas.favorites import recompute_favorite_stores
from aiq.personas.models import Sale
from integrations.providers.values import Sale as PosSale
from integrations.providers.values import SaleLine as PosSaleLine
from integrations.sync import bulk
from integrations.sync.bulk import Lines, Row
from integrations.sync.sales import sale_row
from loyalty import hooks as loyalty_hooks
from loyalty.api import assumptions
from loyalty.api.models import ApiKey
from loyalty.api.sales.fields import VisitError
from loyalty.api.sales.shoppers import customer_keys
from loyalty.api.sales.stores import store_ids
from loyalty.api.sales.visits import Visit
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount

SOURCE = assumptions.SALES_SOURCE


class Status:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True)
class Refused:
    """A posted visit that could not be read, with the pos_id it showed (if any)."""

    pos_id: str
    error: VisitError


@dataclass
class Outcome:
    """What became of one posted visit."""

    index: int
    pos_id: str
    status: str
    sale_id: int | None = None
    persona_id: int | None = None
    store_id: int | None = None
    is_refund: bool = False
    total: Decimal | None = None
    points_earned: Decimal = Decimal(0)
    balance: Decimal | None = None
    error: VisitError | None = None


def post_visits(key: ApiKey, visits: Sequence[Visit | Refused], now: datetime) -> list[Outcome]:
    """Write the readable visits and report the refused ones, one outcome each, in order.
    Runs in its own transaction."""
    outcomes: list[Outcome] = []
    good: list[tuple[Outcome, Visit]] = []
    first_of: dict[str, int] = {}
    for index, visit in enumerate(visits):
        if isinstance(visit, Refused):
            outcomes.append(Outcome(index, visit.pos_id, Status.REFUSED, error=visit.error))
            continue
        outcome = Outcome(index, visit.pos_id, Status.CREATED, is_refund=visit.is_refund)
        outcome.total = visit.total
        if visit.pos_id in first_of:
            # Two versions of one sale in one call: which is current cannot be told.
            outcome.status = Status.REFUSED
            outcome.error = VisitError("pos_id", f"repeats visit {first_of[visit.pos_id]}")
        else:
            first_of[visit.pos_id] = index
            good.append((outcome, visit))
        outcomes.append(outcome)
    if good:
        with transaction.atomic():
            _write(key, good, now)
    return outcomes


def _write(key: ApiKey, good: list[tuple[Outcome, Visit]], now: datetime) -> None:
    company = key.company
    visits = [visit for _outcome, visit in good]
    customers = customer_keys(company, visits, now)
    stores = store_ids(key, visits)
    rows: dict[str, tuple[Row, Lines]] = {}
    store_of: dict[str, int | None] = {}
    for (outcome, visit), customer, store in zip(good, customers, stores, strict=True):
        try:
            rows[visit.pos_id] = sale_row(_pos_sale(visit, customer), skip_payment_method=True)
        except ValueError as error:
            outcome.status, outcome.error = Status.REFUSED, VisitError("", str(error))
            continue
        store_of[visit.pos_id] = store
    stored = dict(
        Sale.objects.filter(
            company_id=company.pk, source=SOURCE, external_id__in=list(rows)
        ).values_list("external_id", "content_hash")
    )
    written = bulk.write_sales(company.pk, SOURCE, rows, {}, now)
    _set_stores(written.sale_ids, store_of, company.pk)
    # In the call's transaction: the sale and the points it earns land together.
    loyalty_hooks.sales_written(company.pk, written.sale_ids, now)
    if written.persona_ids:
        recompute_favorite_stores(written.persona_ids, now, company_id=company.pk)
    sales = {
        external_id: (pk, persona_id, store_id)
        for external_id, pk, persona_id, store_id in Sale.objects.filter(
            company_id=company.pk, source=SOURCE, external_id__in=list(rows)
        ).values_list("external_id", "pk", "persona_id", "store_id")
    }
    # Shoppers whose earlier sales were linked just now (enrollment, catch-up earning).
    persona_ids = {persona for _pk, persona, _store in sales.values() if persona is not None}
    loyalty_hooks.personas_synced(company.pk, persona_ids, now)
    earned = _earned(pk for pk, _persona, _store in sales.values())
    balances = dict(
        LoyaltyAccount.objects.filter(persona_id__in=persona_ids).values_list(
            "persona_id", "balance"
        )
    )
    for outcome, visit in good:
        if outcome.status == Status.REFUSED:
            continue
        if visit.pos_id not in stored:
            outcome.status = Status.CREATED
        elif stored[visit.pos_id] == rows[visit.pos_id][0][-1]:
            outcome.status = Status.UNCHANGED
        else:
            outcome.status = Status.UPDATED
        outcome.sale_id, outcome.persona_id, outcome.store_id = sales[visit.pos_id]
        outcome.points_earned = earned.get(outcome.sale_id, Decimal(0))
        if outcome.persona_id is not None:
            outcome.balance = balances.get(outcome.persona_id, Decimal(0))


def _pos_sale(visit: Visit, customer: str) -> PosSale:
    discount = sum((line.discount for line in visit.lines), Decimal("0.00"))
    subtotal = sum((line.total for line in visit.lines), Decimal("0.00"))
    return PosSale(
        external_id=visit.pos_id,
        location_key=visit.pos_key,
        customer_external_id=customer or None,
        occurred_at=visit.occurred_at,
        updated_at=None,
        subtotal=subtotal if visit.lines else visit.total,
        tax=Decimal("0.00"),
        discount=discount,
        total=visit.total,
        is_refund=visit.is_refund,
        lines=tuple(
            PosSaleLine(
                external_id="",
                product_external_id=None,
                sku=line.sku or None,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                total=line.total,
                category=line.category or None,
                brand=line.brand or None,
            )
            for line in visit.lines
        ),
        receipt_number=visit.pos_id[:64],
    )


def _set_stores(sale_ids: set[int], store_of: dict[str, int | None], company_id: int) -> None:
    """The writer attributes stores by Store Mappings of provider "api" only; a visit's
    store also comes from the key's scope and store names (assumptions.py)."""
    if not sale_ids:
        return
    by_store: dict[int | None, list[str]] = defaultdict(list)
    for external_id, store in store_of.items():
        by_store[store].append(external_id)
    for store, external_ids in by_store.items():
        Sale.objects.filter(
            pk__in=sale_ids, company_id=company_id, external_id__in=external_ids
        ).exclude(store_id=store).update(store_id=store)


def _earned(sale_ids: object) -> dict[int, Decimal]:
    """Net points each sale's entries moved, all versions together."""
    return dict(
        LedgerEntry.objects.filter(sale_id__in=list(sale_ids))  # type: ignore[call-overload]
        .values("sale_id")
        .annotate(points=Sum("points"))
        .values_list("sale_id", "points")
    )
