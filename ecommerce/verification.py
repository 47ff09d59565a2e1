"""Save verifies: a token from Cova with these credentials, the company, and the location.

Returns what is wrong in plain words (or "" when all is well); never raises for Cova's
answers, so the settings form can show the message beside the fields.
"""

from __future__ import annotations

import logging

from aiq.http import HttpClient
from ecommerce.cova_client import provider_for
from ecommerce.models import CovaEcommerceSettings
from integrations.providers.cova import assumptions as cova_assumptions
from integrations.providers.cova.provider import CovaProvider
from integrations.providers.errors import NotFound, ProviderError
from integrations.providers.values import Location

logger = logging.getLogger("aiq.ecommerce")


def verify(
    settings: CovaEcommerceSettings,
    sandbox_origin: str | None = None,
    http: HttpClient | None = None,
) -> str:
    """The problem with these settings in staff words, or "" when Cova accepts them."""
    try:
        provider = provider_for(settings, sandbox_origin, http)
        wrong_company = _wrong_company(provider, settings.company_id_at_cova)
        if wrong_company:
            return wrong_company
        provider.check()
        keys = {
            item.key: item.name for item in provider.iter_locations() if isinstance(item, Location)
        }
    except NotFound:
        return (
            f"Cova does not know Company ID {settings.company_id_at_cova or '(blank)'}. "
            "Copy it again from the onboarding package Cova sent."
        )
    except ProviderError as error:
        logger.info("cova ecommerce settings %s refused: %s (%s)", settings.pk, error.code, error)
        return error.user_message
    if settings.location_id not in keys:
        known = ", ".join(f"{key} ({name})" for key, name in sorted(keys.items())) or "none"
        return (
            f"Location ID {settings.location_id} is not one of this company's locations in "
            f"Cova. The locations Cova lists are: {known}."
        )
    return ""


def _wrong_company(provider: CovaProvider, entered: str) -> str:
    """Cova answers another company's paths with a bare 403; ask the API user's own
    company first, so a mistyped Company ID is named as such."""
    me = provider.client.call("GET", "accounts", cova_assumptions.ME_PATH)
    actual = me.get(cova_assumptions.ME_COMPANY_FIELD) if isinstance(me, dict) else None
    if actual in (None, "") or not entered or str(actual) == entered:
        return ""
    return (
        f"Company ID {entered} is not this Cova user's company (Cova says it is {actual}). "
        "Copy the Company ID again from the onboarding package Cova sent."
    )
