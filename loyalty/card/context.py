"""The loyalty section's template context, built for one staff member."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from aiq.personas.models import Persona
from loyalty.card.adjustments import ADJUST_PERMISSION
from loyalty.card.forms import AdjustmentForm
from loyalty.card.wallet import wallet_summary


def loyalty_context(request: HttpRequest, persona: Persona, admin_site_name: str) -> dict[str, Any]:
    """Wallet, and the adjustment form and refund buttons only for staff who may adjust."""
    can_adjust = request.user.has_perm(ADJUST_PERMISSION)
    return {
        "wallet": wallet_summary(persona),
        "can_adjust": can_adjust,
        "form": AdjustmentForm() if can_adjust else None,
        "adjust_url": reverse(
            f"{admin_site_name}:personas_persona_adjust_points", args=[persona.pk]
        ),
        "entries_url": reverse(
            f"{admin_site_name}:personas_persona_points_history", args=[persona.pk]
        ),
    }
