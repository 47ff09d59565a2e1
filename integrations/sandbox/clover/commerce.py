"""Clover merchant, orders, payments, items and item stocks.

Orders and payments list newest first unless ``orderBy=<field> ASC``. Time filters
(``createdTime``, ``clientCreatedTime``, ``modifiedTime``) become index ranges by binary
search, so the last page of a million orders costs one page of work; other filter fields
scan the selected range.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse

from integrations.sandbox import ids, records
from integrations.sandbox.catalog import catalog
from integrations.sandbox.checkouts import checkouts
from integrations.sandbox.clover import payloads, query
from integrations.sandbox.clover.auth import clover_api, clover_error
from integrations.sandbox.clover.customers import merchant_base
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.sales import sale, sales_timeline
from integrations.sandbox.web import json_response, read_json

ORDER_FILTERS = (
    "employee.id",
    "note",
    "modifiedTime",
    "orderType",
    "touched",
    "cardTransaction.last4",
    "manualTransaction",
    "employee.name",
    "title",
    "device.id",
    "externalReferenceId",
    "clientCreatedTime",
    "total",
    "payType",
    "testMode",
    "createdTime",
    "id",
    "state",
    "deletedTime",
)
ORDER_TIMES = {
    "createdTime": 0,
    "clientCreatedTime": payloads.CLIENT_CREATED_SHIFT,
    "modifiedTime": payloads.MODIFIED_SHIFT,
}
PAYMENT_FILTERS = (
    "modifiedTime",
    "device.id",
    "externalReferenceId",
    "result",
    "offline",
    "createdTime",
    "externalPaymentId",
    "voided",
    "id",
    "tender.id",
    "employee.id",
    "order.modifiedTime",
    "amount",
    "cardType",
    "clientCreatedTime",
)
PAYMENT_TIMES = {
    "createdTime": payloads.PAYMENT_SHIFT,
    "clientCreatedTime": payloads.PAYMENT_SHIFT + payloads.CLIENT_CREATED_SHIFT,
    "modifiedTime": payloads.PAYMENT_SHIFT + payloads.MODIFIED_SHIFT,
    "order.modifiedTime": payloads.MODIFIED_SHIFT,
}
ITEM_FILTERS = (
    "lowStock",
    "modifiedTime",
    "hidden",
    "itemCode",
    "available",
    "price",
    "id",
    "sku",
    "name",
    "itemStock.quantity",
    "autoManage",
    "isAgeRestricted",
)
Payload = dict[str, Any]


def _positions(total: int, offset: int, limit: int, descending: bool) -> range:
    if not descending:
        return range(min(offset, total), min(total, offset + limit))
    first = total - 1 - offset
    return range(first, max(first - limit, -1), -1)


def _list(
    request: HttpRequest,
    account: SandboxAccount,
    merchant: str,
    *,
    allowed: tuple[str, ...],
    times: dict[str, int],
    render: Callable[[int, set[str]], Payload],
    collection: str,
    later: Callable[[set[str]], list[Payload]] | None = None,
) -> HttpResponse:
    """A list over the generated records, then ``later`` ones (rendered, newer than all of
    them, oldest first), every filter applied to those by their rendered fields."""
    base = merchant_base(request, merchant)
    try:
        params = query.parse(request, allowed, default_descending=True)
        indices: Sequence[int] = query.time_range(sales_timeline(account), params.conditions, times)
    except query.QueryError as error:
        return clover_error(400, str(error))
    predicate = query.predicate_for(params.conditions, times)
    if predicate is not None:
        indices = [index for index in indices if predicate(render(index, set()))]
    if params.order_field and params.order_field not in times:
        return clover_error(400, f"Invalid orderBy field: {params.order_field}")
    tail = later(params.expand) if later is not None else []
    if tail and params.conditions:
        every = query.predicate_for(params.conditions, ())
        tail = [payload for payload in tail if every is None or every(payload)]
    generated = len(indices)
    positions = _positions(generated + len(tail), params.offset, params.limit, params.descending)
    elements = [
        render(indices[position], params.expand)
        if position < generated
        else tail[position - generated]
        for position in positions
    ]
    return json_response(
        {"elements": elements, "href": f"{base}/{collection}?limit={params.limit}"},
        headers={"X-Clover-Allowed-Filter-Fields": ",".join(allowed)},
    )


@clover_api()
def orders(request: HttpRequest, account: SandboxAccount, merchant: str) -> HttpResponse:
    """GET /v3/merchants/{mId}/orders."""
    base = merchant_base(request, merchant)
    products = catalog(account)
    return _list(
        request,
        account,
        merchant,
        allowed=ORDER_FILTERS,
        times=ORDER_TIMES,
        render=lambda index, expand: payloads.order(
            account, base, merchant, sale(account, index), products, expand
        ),
        collection="orders",
        # Orders rung up at a simulated register follow the generated history.
        later=lambda expand: [
            payloads.order(account, base, merchant, current, products, expand)
            for current in checkouts(account)
        ],
    )


def _expand(request: HttpRequest) -> set[str]:
    return {part.strip() for value in request.GET.getlist("expand") for part in value.split(",")}


@clover_api()
def order(
    request: HttpRequest, account: SandboxAccount, merchant: str, order_id: str
) -> HttpResponse:
    """GET /v3/merchants/{mId}/orders/{orderId}."""
    index = ids.clover_index(account.key, "order", order_id)
    if index is None or index >= account.sales:
        return clover_error(404, f"Order {order_id} not found")
    base = merchant_base(request, merchant)
    current = sale(account, index)
    return json_response(
        payloads.order(account, base, merchant, current, catalog(account), _expand(request))
    )


@clover_api()
def line_items(
    request: HttpRequest, account: SandboxAccount, merchant: str, order_id: str
) -> HttpResponse:
    """GET /v3/merchants/{mId}/orders/{orderId}/line_items."""
    index = ids.clover_index(account.key, "order", order_id)
    if index is None or index >= account.sales:
        return clover_error(404, f"Order {order_id} not found")
    base = merchant_base(request, merchant)
    full = payloads.order(
        account, base, merchant, sale(account, index), catalog(account), {"lineItems"}
    )
    return json_response({"elements": full.get("lineItems", {}).get("elements", [])})


@clover_api()
def payments(request: HttpRequest, account: SandboxAccount, merchant: str) -> HttpResponse:
    """GET /v3/merchants/{mId}/payments."""
    base = merchant_base(request, merchant)
    return _list(
        request,
        account,
        merchant,
        allowed=PAYMENT_FILTERS,
        times=PAYMENT_TIMES,
        render=lambda index, expand: payloads.payment(account, base, sale(account, index), expand),
        collection="payments",
    )


@clover_api()
def payment(
    request: HttpRequest, account: SandboxAccount, merchant: str, payment_id: str
) -> HttpResponse:
    """GET /v3/merchants/{mId}/payments/{paymentId}."""
    index = ids.clover_index(account.key, "payment", payment_id)
    if index is None or index >= account.sales:
        return clover_error(404, f"Payment {payment_id} not found")
    base = merchant_base(request, merchant)
    return json_response(payloads.payment(account, base, sale(account, index), _expand(request)))


def _quantities(account: SandboxAccount) -> dict[int, float]:
    """Stock per product index: generated, overridden by item_stocks writes."""
    quantities = {product.index: float(product.stock[0]) for product in catalog(account)}
    for record in records.load(account, "item_stock"):
        if record.generated_index is not None:
            quantities[record.generated_index] = float(record.payload["quantity"])
    return quantities


@clover_api()
def items(request: HttpRequest, account: SandboxAccount, merchant: str) -> HttpResponse:
    """GET /v3/merchants/{mId}/items."""
    base = merchant_base(request, merchant)
    try:
        params = query.parse(request, ITEM_FILTERS, default_descending=False)
    except query.QueryError as error:
        return clover_error(400, str(error))
    quantities = _quantities(account)
    rendered = [
        payloads.item(
            account, base, product, quantities[product.index], params.expand | {"itemStock"}
        )
        for product in catalog(account)
    ]
    predicate = query.predicate_for(params.conditions, ())
    if predicate is not None:
        rendered = [payload for payload in rendered if predicate(payload)]
    page = rendered[params.offset : params.offset + params.limit]
    if "itemStock" not in params.expand:
        page = [{k: v for k, v in payload.items() if k != "itemStock"} for payload in page]
    return json_response(
        {"elements": page, "href": f"{base}/items?limit={params.limit}"},
        headers={"X-Clover-Allowed-Filter-Fields": ",".join(ITEM_FILTERS)},
    )


def _product_index(account: SandboxAccount, item_id: str) -> int | None:
    index = ids.clover_index(account.key, "item", item_id)
    return index if index is not None and index < len(catalog(account)) else None


@clover_api()
def item(
    request: HttpRequest, account: SandboxAccount, merchant: str, item_id: str
) -> HttpResponse:
    """GET /v3/merchants/{mId}/items/{itemId}."""
    index = _product_index(account, item_id)
    if index is None:
        return clover_error(404, f"Item {item_id} not found")
    product = catalog(account)[index]
    base = merchant_base(request, merchant)
    return json_response(
        payloads.item(account, base, product, _quantities(account)[index], _expand(request))
    )


@clover_api()
def item_stocks(request: HttpRequest, account: SandboxAccount, merchant: str) -> HttpResponse:
    """GET /v3/merchants/{mId}/item_stocks (none while Track Stock is off)."""
    if account.has("no-track-stock"):
        return json_response({"elements": []})
    quantities = _quantities(account)
    stocks = [
        payloads.stock(account, product, quantities[product.index]) for product in catalog(account)
    ]
    return json_response({"elements": stocks})


@clover_api()
def item_stock(
    request: HttpRequest, account: SandboxAccount, merchant: str, item_id: str
) -> HttpResponse:
    """GET or POST /v3/merchants/{mId}/item_stocks/{itemId}: ``{"quantity": 12.5}``."""
    index = _product_index(account, item_id)
    if index is None:
        return clover_error(404, f"Item {item_id} not found")
    product = catalog(account)[index]
    if request.method == "POST":
        body = read_json(request)
        quantity = body.get("quantity", body.get("stockCount")) if isinstance(body, dict) else None
        if isinstance(quantity, bool) or not isinstance(quantity, int | float):
            return clover_error(400, "quantity must be a number.")
        records.save(account, "item_stock", item_id, {"quantity": quantity}, generated_index=index)
        return json_response(payloads.stock(account, product, float(quantity)))
    if account.has("no-track-stock"):
        return clover_error(404, f"Item stock for {item_id} not found")
    return json_response(payloads.stock(account, product, _quantities(account)[index]))


@clover_api()
def merchant_info(request: HttpRequest, account: SandboxAccount, merchant: str) -> HttpResponse:
    """GET /v3/merchants/{mId}."""
    base = merchant_base(request, merchant)
    return json_response(payloads.merchant_payload(account, base, merchant, _expand(request)))
