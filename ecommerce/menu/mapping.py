"""A DetailedProductData product -> our menu values (``CovaMenuProduct``).

Raises ``ValueError`` with a plain reason for a product that cannot be read; the runner
quarantines it and lands the rest of the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime

from ecommerce.menu import assumptions
from ecommerce.menu.labs import read_specifications

MAX_NAME = 300


@dataclass(frozen=True, slots=True)
class CovaMenuProduct:
    """One Cova product at one location, in our terms. Money and stock are Decimal."""

    cova_product_id: str
    name: str
    classification: str
    brand: str
    skus: list[str]
    description: str
    images: list[str]
    price: Decimal | None
    sale_price: Decimal | None
    in_stock_quantity: Decimal
    stock_by_location: dict[str, str]
    coa_url: str
    labs: dict[str, dict[str, str]]
    unsupported_labs: list[str]
    is_archived: bool
    updated_at: datetime | None


def _money(value: Any, what: str) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, Mapping):
        value = value.get("Price")
    if isinstance(value, bool):
        raise ValueError(f"{what} is not a number: {value!r}")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{what} is not a number: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{what} is not a usable amount: {value!r}")
    return amount.quantize(Decimal("0.01"))


def _list(raw: Mapping[str, Any], key: str) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{key} is not a list")
    return value


def _first_text(raw: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = raw.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _stock(raw: Mapping[str, Any], location_id: str) -> tuple[Decimal, dict[str, str]]:
    by_location: dict[str, Decimal] = {}
    for entry in _list(raw, assumptions.AVAILABILITY_KEY):
        if not isinstance(entry, Mapping):
            raise ValueError("an Availability entry is not an object")
        where = str(entry.get("LocationId") or "")
        try:
            quantity = Decimal(str(entry.get("InStockQuantity") or 0))
        except (InvalidOperation, ValueError):
            raise ValueError(
                f"InStockQuantity is not a number: {entry.get('InStockQuantity')!r}"
            ) from None
        # A location may list several rooms: their quantities add up.
        by_location[where] = by_location.get(where, Decimal(0)) + quantity
    here = by_location.get(str(location_id), Decimal(0))
    return here, {key: str(value) for key, value in by_location.items()}


def _prices(raw: Mapping[str, Any], location_id: str) -> tuple[Decimal | None, Decimal | None]:
    entries = [e for e in _list(raw, assumptions.PRICING_KEY) if isinstance(e, Mapping)]
    mine = [
        e
        for e in entries
        if any(str(e.get(key)) == str(location_id) for key in assumptions.PRICING_LOCATION_KEYS)
    ]
    entry = (mine or entries or [None])[0]
    if entry is None:
        return _money(raw.get(assumptions.COMPANY_PRICE_KEY), "the company price"), None
    price = _money(entry.get("Price"), "Price")
    sale = _money(entry.get(assumptions.SALE_PRICE_KEY), assumptions.SALE_PRICE_KEY)
    # A "sale" at or above the regular price is no sale.
    if sale is not None and price is not None and sale >= price:
        sale = None
    return price, sale


def product_from(raw: Any, location_id: str) -> CovaMenuProduct:
    """Map one DetailedProductData product for the store's ``location_id``."""
    if not isinstance(raw, Mapping):
        raise ValueError("the product is not an object")
    product_id = raw.get(assumptions.PRODUCT_ID_KEY)
    if not isinstance(product_id, str) or not product_id.strip():
        raise ValueError("the product has no ProductId")
    name = raw.get(assumptions.NAME_KEY)
    if not isinstance(name, str) or not name.strip():
        raise ValueError("the product has no Name")
    skus = [
        str(sku.get("Value"))
        for sku in _list(raw, assumptions.SKUS_KEY)
        if isinstance(sku, Mapping) and sku.get("Value") not in (None, "")
    ]
    images = [
        str(asset.get("Url"))
        for asset in _list(raw, assumptions.ASSETS_KEY)
        if isinstance(asset, Mapping)
        and str(asset.get("Type") or "").lower() == assumptions.IMAGE_ASSET_TYPE
        and asset.get("Url")
    ]
    in_stock, by_location = _stock(raw, location_id)
    price, sale_price = _prices(raw, location_id)
    reading = read_specifications(_list(raw, assumptions.SPECIFICATIONS_KEY))
    updated = raw.get(assumptions.UPDATED_KEY)
    return CovaMenuProduct(
        cova_product_id=product_id.strip().lower(),
        name=name.strip()[:MAX_NAME],
        classification=_first_text(raw, assumptions.CLASSIFICATION_KEYS),
        brand=_first_text(raw, (assumptions.BRAND_KEY,))[:200],
        skus=skus,
        description=_first_text(raw, assumptions.DESCRIPTION_KEYS),
        images=images,
        price=price,
        sale_price=sale_price,
        in_stock_quantity=in_stock,
        stock_by_location=by_location,
        coa_url=reading.coa_url[:1000],
        labs=reading.labs,
        unsupported_labs=reading.unsupported,
        is_archived=bool(raw.get(assumptions.ARCHIVED_KEY)),
        updated_at=parse_datetime(updated) if isinstance(updated, str) else None,
    )
