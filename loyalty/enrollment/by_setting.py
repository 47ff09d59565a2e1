"""Enrollment by the card setting "Enroll Personas in loyalty program who purchased after".

Set-based: one query finds the personas not yet enrolled who have a sale (not a refund)
from the card's POS on or after the date, and one UPDATE enrolls them. The preview on the
card ("This will enroll 1,234 personas") counts the very queryset that saving then runs.

The enrolled-at moment is the persona's first qualifying sale, not the moment the
setting or a sync ran: earning counts sales "on or after enrollment", so the sale that
qualified the shopper earns too, whether the sync or the daily task got there first.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, time
from itertools import islice

from django.db import transaction
from django.db.models import Exists, Min, OuterRef, QuerySet, Subquery
from django.utils import timezone

from aiq.personas.choices import EnrollmentRoute
from aiq.personas.models import Persona, Sale
from integrations.models import Integration
from loyalty.enrollment.models import Enrollment

BATCH = 2_000


def _chunks(values: Iterable[int], size: int) -> Iterable[list[int]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def start_of(day: date) -> datetime:
    """Midnight at the start of ``day``, in the site's time zone (Company has none)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def _qualifying_sales(integration: Integration, day: date) -> QuerySet[Sale]:
    return Sale.objects.filter(
        company_id=integration.company_id,
        source=integration.provider,
        is_refund=False,
        occurred_at__gte=start_of(day),
    )


def eligible_personas(
    integration: Integration, day: date, persona_ids: Collection[int] | None = None
) -> QuerySet[Persona]:
    """Personas the setting would enroll with ``day``: not members, with a sale from the
    card's POS on or after it. The preview counts this; saving enrolls it."""
    sales = _qualifying_sales(integration, day).filter(persona=OuterRef("pk"))
    personas = Persona.objects.filter(
        company_id=integration.company_id, loyalty_enrolled_at__isnull=True
    ).filter(Exists(sales))
    if persona_ids is not None:
        personas = personas.filter(pk__in=list(persona_ids))
    return personas


def preview_count(integration: Integration, day: date) -> int:
    """How many personas saving ``day`` on this card would enroll now."""
    return eligible_personas(integration, day).count()


def enroll_purchased_after(
    integration: Integration,
    *,
    day: date | None = None,
    persona_ids: Collection[int] | None = None,
) -> int:
    """Enroll the card's eligible personas (all, or only ``persona_ids``); returns how
    many. Idempotent: an enrolled persona is never enrolled again."""
    day = day or integration.enroll_loyalty_after
    if day is None:
        return 0
    candidates = eligible_personas(integration, day, persona_ids).values_list("pk", flat=True)
    first_sale = (
        _qualifying_sales(integration, day)
        .filter(persona=OuterRef("pk"))
        .values("persona")
        .annotate(first=Min("occurred_at"))
        .values("first")
    )
    enrolled = 0
    for chunk in _chunks(list(candidates), BATCH):
        with transaction.atomic():
            # Lock and re-check: a staff enrollment or another sync may have come first.
            ids = list(
                Persona.objects.select_for_update()
                .filter(pk__in=chunk, loyalty_enrolled_at__isnull=True)
                .values_list("pk", flat=True)
            )
            if not ids:
                continue
            Persona.objects.filter(pk__in=ids).update(
                loyalty_enrolled_at=Subquery(first_sale),
                loyalty_enrollment_route=EnrollmentRoute.PURCHASED_AFTER,
            )
            Enrollment.objects.bulk_create(
                Enrollment(
                    company_id=integration.company_id,
                    persona_id=pk,
                    route=EnrollmentRoute.PURCHASED_AFTER,
                    enrolled_at=at,
                    integration=integration,
                    setting_date=day,
                )
                for pk, at in Persona.objects.filter(pk__in=ids).values_list(
                    "pk", "loyalty_enrolled_at"
                )
            )
            enrolled += len(ids)
    return enrolled


def cards_with_setting(company_id: int | None = None) -> QuerySet[Integration]:
    cards = Integration.objects.filter(enroll_loyalty_after__isnull=False)
    return cards.filter(company_id=company_id) if company_id is not None else cards


def enroll_for_company(company_id: int, persona_ids: Iterable[int] | None = None) -> int:
    """Apply every card setting of the company (to ``persona_ids`` only, when given)."""
    ids = None if persona_ids is None else set(persona_ids)
    if ids is not None and not ids:
        return 0
    return sum(
        enroll_purchased_after(card, persona_ids=ids)
        for card in cards_with_setting(company_id).order_by("pk")
    )


def enroll_for_sales(company_id: int, sale_ids: Collection[int]) -> int:
    """Apply the company's card settings to the personas of these sales."""
    if not sale_ids or not cards_with_setting(company_id).exists():
        return 0
    persona_ids = set(
        Sale.objects.filter(pk__in=list(sale_ids), persona__isnull=False).values_list(
            "persona_id", flat=True
        )
    )
    return enroll_for_company(company_id, persona_ids)
