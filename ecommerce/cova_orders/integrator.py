"""Which IntegratorId a store's orders carry: AIQ's own (COVA_INTEGRATOR_ID), or the
sandbox's for a store on sandbox credentials."""

from __future__ import annotations

from django.conf import settings as django_settings

from ecommerce.cova_orders.errors import CovaOrderRejected
from ecommerce.models import CovaEcommerceSettings
from integrations.sandbox_credentials import COVA_SANDBOX_INTEGRATOR_ID


def integrator_id_for(settings: CovaEcommerceSettings) -> str:
    if settings.is_sandbox:
        return COVA_SANDBOX_INTEGRATOR_ID
    value = (getattr(django_settings, "COVA_INTEGRATOR_ID", "") or "").strip()
    if not value:
        raise CovaOrderRejected(
            "COVA_INTEGRATOR_ID is not set",
            user_message=(
                "AIQ has no Cova integrator id yet, so orders cannot be sent to Cova. "
                "Ask AIQ support."
            ),
        )
    return value
