"""Set-based writes of one page: products upserted in bulk, failures quarantined in bulk.

Per product, a syncable field takes Cova's value unless staff turned that field's sync
off (a new product still gets it) or edited it here with "keep fields edited here" on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ecommerce.choices import SYNCABLE_FIELD_NAMES
from ecommerce.menu.mapping import CovaMenuProduct
from ecommerce.models import CovaEcommerceSettings, MenuProduct, MenuQuarantinedProduct

ALWAYS_SYNCED = (
    "cova_classification",
    "skus",
    "in_stock_quantity",
    "stock_by_location",
    "is_archived",
    "cova_updated_at",
    "synced_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class Failure:
    """A product that could not be read, with why."""

    cova_product_id: str
    reason: str
    payload: Any


def _cova_values(
    settings: CovaEcommerceSettings, item: CovaMenuProduct, mappings: dict[str, str]
) -> dict[str, Any]:
    return {
        "name": item.name,
        "brand": item.brand,
        "category": settings.category_for(item.classification, mappings),
        "description": item.description,
        "images": item.images,
        "price": item.price,
        "sale_price": item.sale_price,
        "coa_url": item.coa_url,
        "labs": item.labs,
    }


def write_products(
    settings: CovaEcommerceSettings,
    items: Iterable[CovaMenuProduct],
    mappings: dict[str, str],
    now: datetime,
) -> int:
    """Upsert ``items`` on (store, cova_product_id); returns how many were written."""
    by_id = {item.cova_product_id: item for item in items}  # a repeated id: the last wins
    if not by_id:
        return 0
    existing = {
        row["cova_product_id"]: row
        for row in MenuProduct.objects.filter(
            store_id=settings.store_id, cova_product_id__in=list(by_id)
        ).values("cova_product_id", "locally_edited_fields", *SYNCABLE_FIELD_NAMES)
    }
    synced = set(settings.synced_fields or [])
    rows = []
    for product_id, item in by_id.items():
        values = _cova_values(settings, item, mappings)
        current = existing.get(product_id)
        if current is not None:
            kept_local = (
                set(current["locally_edited_fields"] or []) if settings.keep_local_edits else set()
            )
            for name in SYNCABLE_FIELD_NAMES:
                if name not in synced or name in kept_local:
                    values[name] = current[name]
        rows.append(
            MenuProduct(
                company_id=settings.company_id,
                store_id=settings.store_id,
                cova_product_id=product_id,
                cova_classification=item.classification[:200],
                skus=item.skus,
                in_stock_quantity=item.in_stock_quantity,
                stock_by_location=item.stock_by_location,
                is_archived=item.is_archived,
                cova_updated_at=item.updated_at,
                synced_at=now,
                created_at=now,
                updated_at=now,
                **values,
            )
        )
    MenuProduct.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["store", "cova_product_id"],
        update_fields=[*SYNCABLE_FIELD_NAMES, *ALWAYS_SYNCED],
    )
    # A product that lands now is no longer malformed.
    MenuQuarantinedProduct.objects.filter(
        settings=settings, cova_product_id__in=list(by_id), resolved=False
    ).update(resolved=True)
    return len(rows)


def _fingerprint(failure: Failure) -> str:
    if failure.cova_product_id:
        return failure.cova_product_id
    text = json.dumps(failure.payload, sort_keys=True, default=str)
    return "hash:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def quarantine(settings: CovaEcommerceSettings, failures: list[Failure], now: datetime) -> int:
    """Keep each failure with its reason (one row per product, refreshed when seen again)."""
    rows = {
        _fingerprint(failure): MenuQuarantinedProduct(
            company_id=settings.company_id,
            settings=settings,
            fingerprint=_fingerprint(failure),
            cova_product_id=failure.cova_product_id[:64],
            reason=failure.reason,
            payload=failure.payload,
            first_seen_at=now,
            last_seen_at=now,
            resolved=False,
        )
        for failure in failures
    }
    if rows:
        MenuQuarantinedProduct.objects.bulk_create(
            list(rows.values()),
            update_conflicts=True,
            unique_fields=["settings", "fingerprint"],
            update_fields=["reason", "payload", "last_seen_at", "resolved"],
        )
    return len(rows)
