"""The dashboard's "At a glance": a handful of facts a manager checks first, each a link.

Counts of big tables use the planner's estimate above 20,000 rows (aiq/paginator.py), so the
dashboard costs the same few queries with a million personas as with ten.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from aiq.paginator import EXACT_COUNT_BELOW, estimated_row_count


@dataclass
class Fact:
    label: str
    value: str
    url: str = ""
    tone: str = ""  # "", "ok", "warn"


@dataclass
class Glance:
    facts: list[Fact] = field(default_factory=list)
    cards: list[Fact] = field(default_factory=list)


def _count(queryset: QuerySet) -> str:  # type: ignore[type-arg]
    estimate = estimated_row_count(queryset)
    if estimate is not None and estimate >= EXACT_COUNT_BELOW:
        return f"about {estimate:,}"
    return f"{queryset.count():,}"


def glance(request: HttpRequest) -> Glance:
    """What this staff member's company looks like now, limited to what their role sees."""
    from aiq.personas.models import Persona, Sale
    from integrations.models import Integration, SyncRun
    from integrations.providers import PROVIDERS
    from integrations.services.status import derive_status, with_credential_counts
    from integrations.sync.choices import RunStatus

    result = Glance()
    company = getattr(request, "company", None)
    if company is None:
        return result
    user = request.user
    if user.has_perm("personas.view_persona"):
        personas = Persona.objects.filter(company=company)
        persona_list = reverse("admin:personas_persona_changelist")
        result.facts.append(Fact("Personas", _count(personas), persona_list))
        members = personas.filter(loyalty_enrolled_at__isnull=False)
        result.facts.append(
            Fact("Loyalty members", _count(members), f"{persona_list}?loyalty=member")
        )
    if user.has_perm("personas.view_sale"):
        sales = Sale.objects.filter(company=company)
        result.facts.append(Fact("Sales", _count(sales), reverse("admin:personas_sale_changelist")))
    if user.has_perm("integrations.view_integration"):
        cards = with_credential_counts(Integration.objects.filter(company=company))
        order = list(PROVIDERS)
        for card in sorted(cards, key=lambda card: order.index(card.provider)):
            status = derive_status(card)
            tone = {"connected": "ok", "needs_attention": "warn", "frozen": "warn"}.get(
                status.status, ""
            )
            result.cards.append(
                Fact(
                    card.label,
                    status.label,
                    reverse("admin:integrations_integration_change", args=[card.pk]),
                    tone,
                )
            )
        last = SyncRun.objects.filter(company=company, status=RunStatus.OK).aggregate(
            at=Max("finished_at")
        )["at"]
        if last is not None:
            result.facts.append(
                Fact(
                    "Last successful sync",
                    _ago(last),
                    reverse("admin:integrations_syncrun_changelist"),
                )
            )
    return result


def _ago(moment) -> str:  # type: ignore[no-untyped-def]
    from django.utils.timesince import timesince

    return f"{timesince(moment).split(',')[0]} ago"
