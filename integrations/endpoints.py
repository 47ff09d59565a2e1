"""Which base URLs a provider client talks to: the real hosts (with overrides from
settings) or this server's own sandbox."""

from __future__ import annotations

from django.conf import settings

from integrations.providers.base import sandbox_base_urls


def base_urls_for(provider_key: str, *, sandbox: bool, origin: str | None = None) -> dict[str, str]:
    """Host role -> base URL for a provider's client.

    A sandbox credential talks to ``origin`` (default POS_SANDBOX_ORIGIN); otherwise the
    provider's real production hosts apply, except the roles POS_BASE_URLS overrides.
    """
    if sandbox:
        return sandbox_base_urls(provider_key, origin or settings.POS_SANDBOX_ORIGIN)
    overrides = {}
    for name, url in settings.POS_BASE_URLS.items():
        key, _, role = name.partition(".")
        if key == provider_key and role:
            overrides[role] = url
    return overrides
