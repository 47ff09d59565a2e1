"""Store Mappings: which retail store each POS key belongs to.

A key maps to at most one store and a store has at most one key per provider (both are
database constraints on ``StoreMapping``). A POS key the company knows with no mapping is
"unmapped": the admin index says so until every key is mapped.

A key whose credential was removed (``PosKey.credential`` is blank) is *retired*: no
credential of the card reaches it any more, so it is neither offered in the dropdowns
nor counted as unmapped. A store already mapped to one keeps that mapping (its sales stay
attributed) and shows it as "from a removed credential" until staff unmap it. A credential
that reaches the key again (Connect, or a sync that sees its data) makes it current again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from aiq.accounts.models import Company
from integrations.models import Integration, PosKey
from integrations.providers import PROVIDERS
from stores.models import RetailStore, StoreMapping

# What a key is called on each POS, for "Cova: Capitol Hill (loc 14150)".
KEY_WORDS = {"cova": "loc", "posabit": "venue", "clover": "merchant"}


def mapping_label(provider: str, key: str, name: str | None = None) -> str:
    """How a store's mapping reads in lists: "Cova: Capitol Hill (loc 14150)"."""
    label = PROVIDERS[provider].label if provider in PROVIDERS else provider
    word = KEY_WORDS.get(provider, "key")
    return f"{label}: {name} ({word} {key})" if name else f"{label}: {word} {key}"


def current_pos_keys(company: Company | int) -> QuerySet[PosKey]:
    """The company's POS keys that a credential still on its card reaches."""
    return PosKey.objects.filter(company=company, credential__isnull=False)


def unmapped_pos_keys(company: Company | int) -> QuerySet[PosKey]:
    """The company's current POS keys that no store mapping points at (one query)."""
    mapped = StoreMapping.objects.filter(
        company=OuterRef("company"), provider=OuterRef("integration__provider"), key=OuterRef("key")
    )
    return current_pos_keys(company).filter(~Exists(mapped))


@dataclass(slots=True)
class ProviderMapping:
    """The Store Mappings row of one provider on one store's screen."""

    card: Integration
    current: str = ""  # the key mapped to this store now
    available: list[PosKey] = field(default_factory=list)  # keys free or mapped here
    taken: dict[str, str] = field(default_factory=dict)  # key -> the other store's name
    unmapped: list[PosKey] = field(default_factory=list)
    known: dict[str, PosKey] = field(default_factory=dict)  # current and retired keys

    @property
    def provider(self) -> str:
        return self.card.provider

    @property
    def label(self) -> str:
        return self.card.label

    def choices(self) -> list[tuple[str, str]]:
        """Dropdown entries: the empty choice, then "name (key)" of each key it may take."""
        options = [("", "\u2014 not mapped \u2014")]
        options += [(key.key, str(key)) for key in self.available]
        offered = {key.key for key in self.available}
        if self.current and self.current not in offered:
            known = self.known.get(self.current)
            options.append(
                (self.current, f"{known} (from a removed credential)")
                if known is not None
                else (self.current, f"{self.current} (no longer seen on the POS)")
            )
        return options

    def clean(self, value: str) -> str:
        """The key chosen for this store, or a ``ValidationError`` saying what is wrong."""
        value = (value or "").strip()
        if not value or value == self.current:
            return value
        if value in self.taken:
            raise ValidationError(
                "%(key)s is already mapped to the store \u201c%(store)s\u201d. "
                "Choose \u201cnot mapped\u201d there first.",
                code="key_taken",
                params={"key": str(self.known[value]), "store": self.taken[value]},
            )
        if value not in self.known or self.known[value].credential_id is None:
            raise ValidationError(
                "Choose one of your %(label)s POS keys.",
                code="unknown_key",
                params={"label": self.label},
            )
        return value


def mappings_for_store(company: Company | int, store: RetailStore | None) -> list[ProviderMapping]:
    """One row per card of the company: the store's current key and the keys it may take.

    Three queries whatever the number of cards and keys.
    """
    order = list(PROVIDERS)  # Cova, POSaBIT, Clover: as on Settings > Integrations
    cards = sorted(
        Integration.objects.filter(company=company), key=lambda card: order.index(card.provider)
    )
    if not cards:
        return []
    rows = {card.provider: ProviderMapping(card=card) for card in cards}
    keys_by_card: dict[int, list[PosKey]] = {}
    for key in PosKey.objects.filter(company=company).order_by("name", "key"):
        keys_by_card.setdefault(key.integration_id, []).append(key)
    taken: dict[tuple[str, str], str] = {}
    for mapping in StoreMapping.objects.filter(company=company).select_related("store"):
        if store is not None and mapping.store_id == store.pk:
            if mapping.provider in rows:
                rows[mapping.provider].current = mapping.key
        else:
            taken[(mapping.provider, mapping.key)] = mapping.store.name
    for row in rows.values():
        keys = keys_by_card.get(row.card.pk, [])
        row.known = {key.key: key for key in keys}
        row.taken = {
            k.key: taken[(row.provider, k.key)] for k in keys if (row.provider, k.key) in taken
        }
        row.available = [
            key for key in keys if key.key not in row.taken and key.credential_id is not None
        ]
        row.unmapped = [key for key in row.available if key.key != row.current]
    return list(rows.values())


@transaction.atomic
def set_store_mappings(store: RetailStore, keys: Mapping[str, str], actor: Any = None) -> None:
    """Map ``provider -> key`` to the store ("" removes that provider's mapping).

    Callers validate first (``ProviderMapping.clean``); the database constraints stop a
    key from mapping to two stores even if two saves race.
    """
    from aiq.personas.purchases import attribute_sales_for_mapping, detach_sales_for_key

    for provider, key in keys.items():
        previous = StoreMapping.objects.filter(store=store, provider=provider).first()
        if not key:
            if previous is not None:
                previous.delete()
                detach_sales_for_key(store.company_id, provider, previous.key)
            continue
        if previous is not None and previous.key == key:
            continue
        StoreMapping.objects.bulk_create(
            [StoreMapping(company_id=store.company_id, store=store, provider=provider, key=key)],
            update_conflicts=True,
            unique_fields=["store", "provider"],
            update_fields=["key", "updated_at"],
        )
        # Sales already synced under this key now belong to the store (and shape the
        # shoppers' favorite stores); the key it replaced gives its sales up.
        attribute_sales_for_mapping(StoreMapping.objects.get(store=store, provider=provider))
