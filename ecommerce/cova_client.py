"""The Cova client of a store's ecommerce settings: the POS integration's ``CovaProvider``
(its OAuth2 token flow, token cache, pacing and error mapping), built from these settings
instead of a POS card's credential."""

from __future__ import annotations

from aiq.http import HttpClient
from ecommerce.models import CovaEcommerceSettings
from integrations.endpoints import base_urls_for
from integrations.providers.cova.provider import CovaProvider


def provider_for(
    settings: CovaEcommerceSettings,
    sandbox_origin: str | None = None,
    http: HttpClient | None = None,
) -> CovaProvider:
    """A Cova client for ``settings``, pointed at the sandbox when marked so."""
    base_urls = base_urls_for("cova", sandbox=settings.is_sandbox, origin=sandbox_origin)
    return CovaProvider(settings.credential_values(), base_urls=base_urls, http=http)
