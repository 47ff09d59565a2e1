"""Cova Data Platform (base ``/dataplatform``): DetailedProductData and its variants.

The body's ``Include*`` switches choose which blocks appear; ``LocationId`` (null = every
location) narrows availability and pricing; ``InStockOnly`` drops products without stock
there; ``Skip``/``Top`` page (Top defaults to 100). Specifications carry "COA Link" (text)
and lab values (number, unit "%"). A product changed through ``menu_edits`` (name, price,
stock, archived) carries the change and the moment it was made as its UpdatedDateUtc.
A ``products=N`` account serves N products, each built only when its page is asked for.
Under ``fault=malformed`` about 1 product in 20 lacks its ProductId or has a text price.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse

from integrations.sandbox import ids
from integrations.sandbox.catalog import Product, generated_updated_ms, menu_size, product_at
from integrations.sandbox.cova import menu_edits, payloads
from integrations.sandbox.cova.auth import cova_api, cova_error
from integrations.sandbox.faults import malformed_variant
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.timeline import anchor_ms, iso_z, parse_moment
from integrations.sandbox.web import json_response, money, read_json

MAX_TOP = 1000


def _flag(body: dict[str, Any], name: str) -> bool:
    return bool(body.get(name, False))


def product_payload(
    account: SandboxAccount,
    product: Product,
    body: dict[str, Any],
    numbers: list[int],
    change: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One DetailedProductData product, for the locations ``numbers``; ``change`` is an
    edit made through ``menu_edits`` (already applied to ``product``)."""
    location_ids = payloads.location_ids(account)
    updated_ms = int((change or {}).get("updated_ms") or product.updated_ms())
    updated = iso_z(updated_ms)
    on_sale = product.index % 7 == 3
    payload: dict[str, Any] = {
        "ProductId": payloads.product_id(account, product.index),
        "Name": product.name,
        "MasterProductId": ids.guid(account.key, "master-product", product.index),
        "MasterProductName": product.name,
        "CatalogSku": product.sku,
        "ClassificationName": product.category,
        "CategoryName": product.category,
        "Brand": product.brand,
        "ShortDescription": f"{product.strain_type} {product.category}".strip(),
        "LongDescription": f"{product.name}. {product.strain} ({product.strain_type}).".strip(),
        "IsArchived": bool((change or {}).get("archived", False)),
        "CreatedDateUtc": iso_z(product.updated_ms() - 86_400_000 * 90),
        "UpdatedDateUtc": updated,
        "CompanyLevelRegularPrice": {"Price": money(product.price_cents)},
    }
    if _flag(body, "IncludeProductSkusAndUpcs"):
        payload["Skus"] = [
            {"Type": "SKU", "Value": product.sku},
            {"Type": "UPC", "Value": product.upc},
        ]
    if _flag(body, "IncludeAvailability"):
        payload["Availability"] = [
            {
                "LocationId": location_ids[number],
                "RoomId": ids.guid(account.key, "room", number),
                "InStockQuantity": product.stock[number],
                "OnOrderQuantity": 0,
                "UnitCost": money(product.cost_cents),
                "UpdatedDateUtc": updated,
            }
            for number in numbers
        ]
    if _flag(body, "IncludePricing"):
        payload["Pricing"] = [
            {
                "LocationId": location_ids[number],
                "EntityId": location_ids[number],
                "Price": money(product.price_cents),
                "SalePrice": money(product.price_cents * 80 // 100) if on_sale else None,
            }
            for number in numbers
        ]
    if _flag(body, "IncludeProductSpecifications"):
        payload["Specifications"] = [
            {
                "Id": ids.guid(account.key, f"spec-{spec.name}", product.index),
                "Name": spec.name,
                "DisplayName": spec.name,
                "Value": spec.value,
                "Unit": spec.unit,
                "DataType": spec.kind,
            }
            for spec in product.specifications
        ]
    if _flag(body, "IncludeClassifications"):
        payload["Classifications"] = [{"Name": product.category, "StrainType": product.strain_type}]
    if _flag(body, "IncludeProductAssets"):
        image = f"https://images.example-cdn.com/products/{product.sku}.jpg"
        payload["Assets"] = [{"Type": "Image", "Url": image}]
    variant = malformed_variant(account, product.index)
    if variant == "missing":
        del payload["ProductId"]
    elif variant == "wrong-type" and "Pricing" in payload:
        payload["Pricing"][0]["Price"] = "call us"
    if _flag(body, "IncludeTaxes"):
        payload["Taxes"] = (
            [{"Name": "Cannabis Excise Tax", "Rate": 10.0}] if product.is_cannabis else []
        )
    if _flag(body, "IncludePackageDetails"):
        payload["PackageDetails"] = {"NetWeight": product.grams, "Unit": product.unit}
    return payload


def _updated_ms(account: SandboxAccount, index: int, change: dict[str, Any] | None) -> int:
    if change and change.get("updated_ms"):
        return int(change["updated_ms"])
    return generated_updated_ms(account, index)


def _candidates(
    account: SandboxAccount,
    size: int,
    changes: dict[int, dict[str, Any]],
    updated_since: int | None,
) -> Iterable[int]:
    """The indices that may match, in order, without building a product: after the start
    of today only edited products changed (a generated one is never newer than that)."""
    if updated_since is None:
        return range(size)
    if updated_since > anchor_ms():
        indices: Iterable[int] = sorted(index for index in changes if index < size)
    else:
        indices = range(size)
    return (
        index
        for index in indices
        if _updated_ms(account, index, changes.get(index)) >= updated_since
    )


def _products(
    request: HttpRequest,
    account: SandboxAccount,
    updated_since: int | None,
    only_ids: list[str] | None,
) -> HttpResponse:
    if request.method != "POST":
        return cova_error(405, "The requested resource does not support this method.")
    body = read_json(request)
    if not isinstance(body, dict):
        return cova_error(400, "The request is invalid: a JSON body is required.")
    numbers = list(range(account.locations))
    if body.get("LocationId") not in (None, ""):
        number = payloads.location_number(account, body["LocationId"])
        if number is None:
            return cova_error(400, f"Location '{body['LocationId']}' is not part of this company.")
        numbers = [number]
    try:
        skip = max(0, int(body.get("Skip") or 0))
        top = min(MAX_TOP, max(0, int(body.get("Top") or 100)))
    except (TypeError, ValueError):
        return cova_error(400, "Skip and Top must be integers.")
    changes = menu_edits.edits(account)
    wanted_ids = {value.lower() for value in only_ids} if only_ids is not None else None
    in_stock_only = bool(body.get("InStockOnly"))
    size = menu_size(account)
    if updated_since is None and wanted_ids is None and not in_stock_only:
        # Nothing to filter: the page is an index range, and only its products are built.
        indices: Iterable[int] = range(skip, min(size, skip + top))
        skip = 0
    else:
        indices = _candidates(account, size, changes, updated_since)
    selected = []
    for index in indices:
        if wanted_ids is not None and payloads.product_id(account, index) not in wanted_ids:
            continue
        change = changes.get(index)
        product = menu_edits.apply(product_at(account, index), change)
        if in_stock_only and not any(product.stock[n] > 0 for n in numbers):
            continue
        selected.append((product, change))
        if len(selected) >= skip + top:
            break
    page = selected[skip : skip + top]
    return json_response(
        {"Products": [product_payload(account, p, body, numbers, c) for p, c in page]}
    )


@cova_api("dataplatform")
def detailed(request: HttpRequest, account: SandboxAccount) -> HttpResponse:
    """POST dataplatform/v1/companies/{id}/DetailedProductData (full sync)."""
    return _products(request, account, None, None)


@cova_api("dataplatform")
def updated_as_of(request: HttpRequest, account: SandboxAccount, moment: str) -> HttpResponse:
    """POST dataplatform/v1/companies/{id}/DetailedProductData/UpdatedAsOf/{updatedAsOfUTC}."""
    since = parse_moment(moment)
    if since is None:
        return cova_error(400, f"'{moment}' is not a valid UTC date and time.")
    return _products(request, account, since, None)


@cova_api("dataplatform")
def by_id_list(request: HttpRequest, account: SandboxAccount) -> HttpResponse:
    """POST dataplatform/v1/companies/{id}/DetailedProductData/ByProductIdList."""
    body = read_json(request)
    wanted = body.get("ProductIds") if isinstance(body, dict) else None
    if not isinstance(wanted, list):
        return cova_error(400, "ProductIds is required.")
    return _products(request, account, None, [str(value) for value in wanted])
