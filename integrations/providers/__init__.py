"""The POS provider registry: key -> label and dotted path of the provider class.

An explicit dict (not decorator registration) so there are no import-order surprises.
Provider modules are imported lazily by ``get_provider_class``: importing this package
stays cheap, e.g. for model choices at Django start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from integrations.providers.base import Provider


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """Where to find a provider, and what staff call it."""

    key: str
    label: str
    path: str


PROVIDERS: dict[str, ProviderSpec] = {
    "cova": ProviderSpec(
        "cova", label="Cova", path="integrations.providers.cova.provider.CovaProvider"
    ),
    "posabit": ProviderSpec(
        "posabit", label="POSaBIT", path="integrations.providers.posabit.provider.PosabitProvider"
    ),
    "clover": ProviderSpec(
        "clover", label="Clover", path="integrations.providers.clover.provider.CloverProvider"
    ),
}

# (key, label) pairs for a Django model field's ``choices``.
PROVIDER_CHOICES: list[tuple[str, str]] = [(spec.key, spec.label) for spec in PROVIDERS.values()]


def get_provider_class(key: str) -> type[Provider]:
    """The provider class registered under ``key`` (``KeyError`` for an unknown key)."""
    spec = PROVIDERS[key]
    module_path, _, class_name = spec.path.rpartition(".")
    cls: type[Provider] = getattr(import_module(module_path), class_name)
    return cls
