"""The queue page's VIP hint: the company's top spenders.

A shopper is a VIP when their lifetime spend with the company (every sale at every store,
refunds subtracted) reaches the company's VIP line: the spend of the shopper ranked at the
top tenth of the company's spenders (those whose lifetime spend is above zero). With ten
spenders the line is the biggest one's spend; with a thousand, the hundredth's.

The line is the expensive part (every sale of the company, grouped by shopper), so it is
computed once per company and stored (``VipLine``): a daily task refreshes it, and the
queue page computes it the first time a company has none. The rows query then compares
each waiting shopper's spend (their own sales, through the sale_persona_time index) with
the stored line inside the one query that fetches the rows: nothing per row, nothing on a
304 poll.
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from aiq.accounts.models import Company
from aiq.personas.models import Sale
from stores.queue.models import VipLine

# The share of a company's spenders marked VIP.
TOP_SHARE = Decimal("0.10")
# A line older than this is recomputed by the daily task.
STALE_AFTER = timedelta(hours=24)
MONEY = DecimalField(max_digits=14, decimal_places=2)


def spend_of_persona(persona_ref: str = "persona") -> Coalesce:
    """A persona's lifetime net spend, as an expression for a query over check-ins."""
    spent = (
        Sale.objects.filter(persona=OuterRef(persona_ref))
        .order_by()
        .values("persona")
        .annotate(spent=Sum("total"))
        .values("spent")
    )
    return Coalesce(Subquery(spent, output_field=MONEY), Decimal(0), output_field=MONEY)


def line_of_company(company_ref: str = "company") -> Subquery:
    """The company's stored VIP line (NULL while it has none), as an expression."""
    return Subquery(
        VipLine.objects.filter(company=OuterRef(company_ref)).values("min_spend")[:1],
        output_field=MONEY,
    )


def compute_line(company: Company | int) -> VipLine:
    """Compute and store the company's VIP line from all its sales (two grouped reads)."""
    company_id = company if isinstance(company, int) else company.pk
    spenders = (
        Sale.objects.filter(company_id=company_id, persona__isnull=False)
        .order_by()
        .values("persona")
        .annotate(spent=Sum("total"))
        .filter(spent__gt=0)
    )
    count = spenders.count()
    min_spend = None
    if count:
        rank = max(1, math.ceil(count * TOP_SHARE))
        min_spend = spenders.order_by("-spent").values_list("spent", flat=True)[rank - 1]
    line, _ = VipLine.objects.update_or_create(
        company_id=company_id,
        defaults={"min_spend": min_spend, "spenders": count, "computed_at": timezone.now()},
    )
    return line


def ensure_line(company_id: int) -> None:
    """The first queue page of a company with no line yet computes it; later ones read it."""
    if not VipLine.objects.filter(company_id=company_id).exists():
        compute_line(company_id)


def refresh_stale_lines() -> int:
    """Recompute the lines older than ``STALE_AFTER`` (the daily task); returns how many."""
    stale = VipLine.objects.filter(computed_at__lt=timezone.now() - STALE_AFTER)
    company_ids = list(stale.values_list("company_id", flat=True))
    for company_id in company_ids:
        compute_line(company_id)
    return len(company_ids)


def why(min_spend: Decimal | None) -> str:
    """The badge's tooltip."""
    return (
        f"Top 10% of this company's spenders: lifetime spend of ${min_spend:,.2f} or more "
        "(refunds subtracted, all stores)."
    )
