"""Enrollment of one persona by a person: staff on the persona card, or the POS (signups
at the counter, called by the POS-facing API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from aiq.personas.choices import EnrollmentRoute
from aiq.personas.models import Persona
from integrations.models import Integration
from loyalty.enrollment.models import Enrollment


@transaction.atomic
def enroll(
    persona: Persona,
    route: str,
    at: datetime | None = None,
    *,
    staff_user: Any = None,
    integration: Integration | None = None,
    source: str = "",
) -> bool:
    """Make the persona a member from ``at``; False (and nothing written) if it already is.

    The conditional UPDATE decides a race with a sync or another click: only one wins.
    """
    at = at or timezone.now()
    changed = Persona.objects.filter(pk=persona.pk, loyalty_enrolled_at__isnull=True).update(
        loyalty_enrolled_at=at, loyalty_enrollment_route=route
    )
    if not changed:
        return False
    Enrollment.objects.create(
        company_id=persona.company_id,
        persona=persona,
        route=route,
        enrolled_at=at,
        integration=integration,
        source=source,
        staff_user=staff_user if getattr(staff_user, "pk", None) else None,
    )
    persona.loyalty_enrolled_at, persona.loyalty_enrollment_route = at, route
    return True


def may_enroll(user: Any) -> bool:
    """Who may press "Enroll in loyalty": whoever may sign a shopper up (budtenders at the
    counter, marketers, managers, owners: seed 000, budtenders sign shoppers up)."""
    return bool(user.has_perm("personas.add_persona") or user.has_perm("personas.change_persona"))


def enroll_by_staff(persona: Persona, user: Any, at: datetime | None = None) -> bool:
    """The "Enroll in loyalty" button on the persona card."""
    return enroll(persona, EnrollmentRoute.STAFF, at, staff_user=user)


def enroll_from_pos(persona: Persona, source: str, at: datetime | None = None) -> bool:
    """A POS signed the shopper up (e.g. a POSaBIT signup): the seam the API calls."""
    card = Integration.objects.filter(company_id=persona.company_id, provider=source).first()
    return enroll(persona, EnrollmentRoute.POS, at, integration=card, source=source)
