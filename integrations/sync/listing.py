"""The customers stream of a POS whose customer list lacks contact details (Cova): each
full record costs a request of its own, so a run reads only the ones it needs.

A run is a plan in three phases, saved as the cursor's ``position`` with every batch, so
a continuation or a rerun after a crash picks the plan up where its last batch ended:

1. ``sales`` (incremental runs only): the shoppers on the sales made since the watermark
   (minus the lookback) are marked pending: a handful of report pages.
2. ``list``: the whole list is read at up to 1,000 entries a request; a customer never
   seen before, or whose entry changed, is marked pending; the nightly reconciliation
   (``full``) marks every one. The position is the list offset.
3. ``fetch``: the pending customers' full records are read, 100 per batch, and written;
   each batch clears its rows' ``pending`` in its own transaction, so what is left
   pending is where a resumed run starts.

The watermark moves to the plan's end (when it started) in the transaction that ends it.
A 20,000-customer account thus costs about 30 requests plus one per changed customer on
an incremental run, and one per customer (paced by Cova's rate-limit headers) on the
nightly one, which the runs of the night continue until it is done.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from integrations.models import KnownCustomer
from integrations.providers.base import Provider
from integrations.providers.errors import MalformedRecord
from integrations.providers.values import Customer, ListedCustomer
from integrations.sync import lease
from integrations.sync.context import LeaseLost, RunContext
from integrations.sync.counts import Counts, Prepared
from integrations.sync.customers import CustomersWriter
from integrations.sync.pipeline import batched, pipeline

PLAN = "listing"
SALES, LIST, FETCH = "sales", "list", "fetch"
FETCH_BATCH = 100


@dataclass(slots=True)
class Plan:
    """Where a customers read by listing stands."""

    until: datetime
    full: bool
    phase: str
    offset: int = 0

    def position(self) -> dict[str, Any]:
        return {
            "plan": PLAN,
            "until": self.until.isoformat(),
            "full": self.full,
            "phase": self.phase,
            "offset": self.offset,
        }

    @classmethod
    def saved(cls, position: dict[str, Any] | None) -> Plan | None:
        """The plan a cursor's position holds, or None (none, or not readable)."""
        if not position or position.get("plan") != PLAN:
            return None
        until = parse_datetime(str(position.get("until") or ""))
        phase = position.get("phase")
        if until is None or phase not in (SALES, LIST, FETCH):
            return None
        return cls(until, bool(position.get("full")), phase, int(position.get("offset") or 0))


def plan_for(ctx: RunContext) -> Plan:
    """Resume the saved plan; a full run replaces an unfinished incremental one."""
    saved = Plan.saved(ctx.cursor.position)
    if saved is not None and (saved.full or not ctx.run.full):
        return saved
    full = ctx.run.full or ctx.cursor.watermark is None
    return Plan(until=ctx.started, full=full, phase=LIST if full else SALES)


def _mark_pending(ctx: RunContext, external_ids: Iterable[str]) -> None:
    credential = ctx.run.credential
    rows = [
        KnownCustomer(company_id=credential.company_id, credential=credential, external_id=value)
        for value in sorted(set(external_ids))
    ]
    if not rows:
        return
    KnownCustomer.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    KnownCustomer.objects.filter(
        credential=credential, external_id__in=[row.external_id for row in rows], pending=False
    ).update(pending=True)


def _list_page(
    ctx: RunContext,
    writer: CustomersWriter,
    plan: Plan,
    page: list[ListedCustomer | MalformedRecord],
) -> Counts:
    """Mark the page's new and changed customers pending (all of them on a full run);
    write the entries that are already complete, and quarantine the unreadable."""
    credential = ctx.run.credential
    listed = [item for item in page if isinstance(item, ListedCustomer)]
    stored = dict(
        KnownCustomer.objects.filter(
            credential=credential, external_id__in=[item.external_id for item in listed]
        ).values_list("external_id", "fingerprint")
    )
    wanted = [
        item for item in listed if plan.full or stored.get(item.external_id) != item.fingerprint
    ]
    complete = [item.customer for item in wanted if item.customer is not None]
    prepared = writer.prepare([*page_malformed(page), *complete], window=lease.Window(None, None))
    counts = writer.write(prepared)
    now = timezone.now()
    KnownCustomer.objects.bulk_create(
        [
            KnownCustomer(
                company_id=credential.company_id,
                credential=credential,
                external_id=item.external_id,
                fingerprint=item.fingerprint,
                pending=item.customer is None,
                fetched_at=now if item.customer is not None else None,
            )
            for item in wanted
        ],
        update_conflicts=True,
        unique_fields=["credential", "external_id"],
        update_fields=["fingerprint", "pending", "fetched_at"],
        batch_size=1000,
    )
    return counts


def page_malformed(page: list[ListedCustomer | MalformedRecord]) -> list[MalformedRecord]:
    return [item for item in page if isinstance(item, MalformedRecord)]


def _pending_ids(ctx: RunContext) -> list[str]:
    return list(
        KnownCustomer.objects.filter(credential=ctx.run.credential, pending=True)
        .order_by("external_id")
        .values_list("external_id", flat=True)
    )


def run_listing(
    ctx: RunContext,
    provider: Provider,
    writer: CustomersWriter,
    locations: list[str] | None,
    window: lease.Window,
) -> bool:
    """Carry the plan as far as the deadline allows; True when it completed."""
    plan = plan_for(ctx)
    ctx.run.window_since = None if plan.full else window.since
    ctx.run.window_until = plan.until
    ctx.extra_fields.update(window_since=ctx.run.window_since, window_until=plan.until)
    if plan.phase == SALES:
        seen = provider.customer_ids_in_sales(window.since, plan.until, locations)
        plan.phase, plan.offset = LIST, 0
        with ctx.batch(plan.position()):
            _mark_pending(ctx, seen)
            ctx.totals.details["seen_in_sales"] += len(seen)
    if plan.phase == LIST:
        for next_offset, page in provider.iter_customer_listing(plan.offset):
            plan.offset = next_offset
            with ctx.batch(plan.position()):
                ctx.totals.add(_list_page(ctx, writer, plan, page))
                ctx.totals.details["listed"] += len(page)
            if page and ctx.past_deadline():
                return False  # (an empty page ended the walk: nothing left to stop)
        plan.phase, plan.offset = FETCH, 0
        with ctx.batch(plan.position()):
            pass
    pending = _pending_ids(ctx)

    def fetch(ids: list[str]) -> tuple[list[str], Prepared]:
        records: list[Customer | MalformedRecord] = list(provider.fetch_customers(ids))
        return ids, writer.prepare(records, window=lease.Window(None, None))

    finished = True
    for (ids, prepared), is_last in pipeline(
        batched(pending, FETCH_BATCH), fetch, lambda: not ctx.past_deadline()
    ):
        with ctx.batch(plan.position()) as now:
            ctx.totals.add(writer.write(prepared))
            ctx.totals.details["fetched"] += len(ids)
            KnownCustomer.objects.filter(
                Q(credential=ctx.run.credential) & Q(external_id__in=ids)
            ).update(pending=False, fetched_at=now)
        finished = is_last
    if pending and not finished:
        return False
    with transaction.atomic():
        now = timezone.now()
        if not lease.advance(
            ctx.cursor, ctx.token, watermark=plan.until, boundary_ids=[], now=now, full=plan.full
        ):
            raise LeaseLost
        ctx.save_position({})
    return True
