"""A persona's favorite store.

The rule: the mapped retail store where the persona made the most purchases (refunds
excluded) in the last 90 days; a tie goes to the store with the most recent of those
purchases, then to the lower store id. A persona with no purchase at a mapped store in
that window keeps the favorite it has (set by staff, a signup form or an earlier rule).

Recomputed, set-based, for the personas a sync touched, after a merge, and when a POS
key gets mapped (``purchases.attribute_sales_for_mapping``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import islice

from django.db import connection
from django.db.models import Count, F, Max, OuterRef, Subquery
from django.utils import timezone

from aiq.personas.models import Persona, Sale

WINDOW = timedelta(days=90)
CHUNK = 5000


def _best_store(since: datetime) -> Subquery:
    return Subquery(
        Sale.objects.filter(
            persona=OuterRef("pk"), store__isnull=False, is_refund=False, occurred_at__gte=since
        )
        .values("store")
        .annotate(purchases=Count("pk"), latest=Max("occurred_at"))
        .order_by("-purchases", "-latest", "store")
        .values("store")[:1]
    )


# PostgreSQL: one pass over the chunk's sales (on the persona/time index), grouped, the
# best store per persona picked with DISTINCT ON, and only real changes written.
_POSTGRESQL = """
UPDATE personas_persona p SET favorite_store_id = best.store_id, updated_at = %(now)s
FROM (
    SELECT DISTINCT ON (persona_id) persona_id, store_id
    FROM (
        SELECT persona_id, store_id, count(*) AS purchases, max(occurred_at) AS latest
        FROM personas_sale
        WHERE persona_id = ANY(%(ids)s) AND store_id IS NOT NULL AND NOT is_refund
          AND occurred_at >= %(since)s
        GROUP BY persona_id, store_id
    ) per_store
    ORDER BY persona_id, purchases DESC, latest DESC, store_id
) best
WHERE p.id = best.persona_id AND p.favorite_store_id IS DISTINCT FROM best.store_id
"""


# The same over a whole company, for when a run touched most of its shoppers (a first
# sync): one pass over the company's recent sales beats many index probes.
_POSTGRESQL_COMPANY = _POSTGRESQL.replace(
    "persona_id = ANY(%(ids)s)", "company_id = %(company)s AND persona_id IS NOT NULL"
).replace(
    "WHERE p.id = best.persona_id", "WHERE p.company_id = %(company)s AND p.id = best.persona_id"
)
WHOLE_COMPANY_ABOVE = 50_000


def recompute_favorite_stores(
    persona_ids: Iterable[int], now: datetime | None = None, company_id: int | None = None
) -> int:
    """Apply the rule to these personas (one UPDATE per 5,000); return how many changed.

    With ``company_id`` and more than WHOLE_COMPANY_ABOVE personas, PostgreSQL applies it
    to every persona of the company with a recent sale in one statement instead (the rule
    gives the others the favorite they already have).
    """
    now = now or timezone.now()
    since = now - WINDOW
    unique = set(persona_ids)
    if (
        company_id is not None
        and len(unique) > WHOLE_COMPANY_ABOVE
        and connection.vendor == "postgresql"
    ):
        with connection.cursor() as cursor:
            cursor.execute(_POSTGRESQL_COMPANY, {"company": company_id, "since": since, "now": now})
            return cursor.rowcount
    ids = iter(sorted(unique))
    changed = 0
    while chunk := list(islice(ids, CHUNK)):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_POSTGRESQL, {"ids": chunk, "since": since, "now": now})
                changed += cursor.rowcount
            continue
        changed += (
            Persona.objects.filter(pk__in=chunk)
            .alias(best=_best_store(since))
            .filter(best__isnull=False)
            .exclude(favorite_store=F("best"))
            .update(favorite_store=_best_store(since), updated_at=now)
        )
    return changed
