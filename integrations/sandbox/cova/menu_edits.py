"""Changing a Cova sandbox product or its stock, so the change shows at the next menu sync.

A change is kept as a ``SandboxRecord`` (kind ``menu_product``) over the generated product:
the fields given replace the generated ones, and the product's UpdatedDateUtc becomes the
moment of the change, so DetailedProductData/UpdatedAsOf returns it from then on. Used by
tests and by ``manage.py cova_sandbox_product`` (for people trying the menu sync).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from integrations.sandbox import records, timeline
from integrations.sandbox.catalog import Product, Specification, menu_size
from integrations.sandbox.cova import payloads
from integrations.sandbox.options import SandboxAccount, account_for

KIND = "menu_product"


def cova_account(values: Mapping[str, str]) -> SandboxAccount:
    """The sandbox account of a set of Cova credentials (as the sandbox's token grant reads it)."""
    fields = ("client_id", "client_secret", "username", "password")
    return account_for(
        "cova",
        (values.get("client_id", ""), values.get("username", "")),
        [values.get(name, "") for name in fields],
    )


def edit_product(
    account: SandboxAccount,
    index: int,
    *,
    name: str | None = None,
    price_cents: int | None = None,
    stock: Mapping[int, int] | None = None,
    archived: bool | None = None,
    added_specifications: list[tuple[str, str, str, str]] | None = None,
) -> str:
    """Change product ``index``; its ProductId. ``stock``: location number -> quantity;
    ``added_specifications``: (display name, value, unit, "Number" or "Text") appended to
    the generated ones (e.g. a lab named the way Cova staff typed it)."""
    size = menu_size(account)
    if not 0 <= index < size:
        raise ValueError(f"the sandbox catalog has products 0 to {size - 1}")
    product_id = payloads.product_id(account, index)
    existing = records.find(account, KIND, product_id)
    changes: dict[str, Any] = dict(existing.payload) if existing else {}
    if name is not None:
        changes["name"] = name
    if price_cents is not None:
        changes["price_cents"] = int(price_cents)
    if stock is not None:
        merged = {str(k): v for k, v in (changes.get("stock") or {}).items()}
        merged.update({str(number): int(quantity) for number, quantity in stock.items()})
        changes["stock"] = merged
    if archived is not None:
        changes["archived"] = bool(archived)
    if added_specifications:
        changes["specifications"] = [
            *(changes.get("specifications") or []),
            *[list(spec) for spec in added_specifications],
        ]
    changes["updated_ms"] = int(timeline.now() * 1000)
    records.save(account, KIND, product_id, changes, generated_index=index)
    return product_id


def edits(account: SandboxAccount) -> dict[int, dict[str, Any]]:
    """Generated index -> the changes made to it."""
    return {
        row.generated_index: row.payload
        for row in records.load(account, KIND)
        if row.generated_index is not None
    }


def apply(product: Product, change: Mapping[str, Any] | None) -> Product:
    """The product with its changes (name, price, stock per location)."""
    if not change:
        return product
    fields: dict[str, Any] = {}
    if "name" in change:
        fields["name"] = change["name"]
    if "price_cents" in change:
        fields["price_cents"] = int(change["price_cents"])
    if change.get("stock"):
        stock = list(product.stock)
        for number, quantity in change["stock"].items():
            if 0 <= int(number) < len(stock):
                stock[int(number)] = int(quantity)
        fields["stock"] = tuple(stock)
    if change.get("specifications"):
        added = tuple(Specification(*spec) for spec in change["specifications"])
        fields["specifications"] = product.specifications + added
    return dataclasses.replace(product, **fields)
