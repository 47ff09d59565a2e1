"""Cova sales, locations and loyalty: ``/entitymanager``, ``/pointofsale``, ``/posreports``,
``/iqloyalty``.

Date ranges are OData clauses (``Created ge datetimeoffset'...' and Created le ...`` on
CompletedOrders, ``Date ge datetime'...' and Date le datetime'...'`` on the reports) and are
required (400 without them). Paging is ``$top``/``$skip`` over the rows in time order.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse

from integrations.sandbox import ids, records, words
from integrations.sandbox.balances import points_of
from integrations.sandbox.catalog import catalog
from integrations.sandbox.checkouts import checkouts
from integrations.sandbox.cova import payloads
from integrations.sandbox.cova.auth import cova_api, cova_error
from integrations.sandbox.cova.crm import lookup
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.people import person
from integrations.sandbox.sales import LocationSales, sale, sales_timeline
from integrations.sandbox.timeline import iso_z, now, parse_moment
from integrations.sandbox.web import int_param, json_response, money

_CLAUSE = re.compile(
    r"([A-Za-z]+)\s+(ge|gt|le|lt|eq)\s+(?:datetimeoffset|datetime)?\s*'([^']*)'", re.IGNORECASE
)
MAX_ORDERS_TOP = 1000
MAX_REPORT_TOP = 5000


def _clauses(text: str) -> list[tuple[str, str, str]]:
    return [(f.lower(), op.lower(), value) for f, op, value in _CLAUSE.findall(text or "")]


def _bounds(clauses: list[tuple[str, str, str]], field: str) -> tuple[int, int, bool, bool] | None:
    """(low, high, low inclusive, high inclusive) of the required date range on ``field``
    in epoch ms, or None if it is missing or unreadable."""
    low = high = None
    low_inclusive = high_inclusive = True
    for name, operation, value in clauses:
        if name != field:
            continue
        moment = parse_moment(value)
        if moment is None:
            return None
        if operation in ("ge", "gt"):
            low, low_inclusive = moment, operation == "ge"
        elif operation in ("le", "lt"):
            high, high_inclusive = moment, operation == "le"
    if low is None or high is None:
        return None
    return low, high, low_inclusive, high_inclusive


def _range(
    account: SandboxAccount, clauses: list[tuple[str, str, str]], field: str
) -> range | None:
    """Sale indices inside the required date range on ``field``, or None if it is missing."""
    bounds = _bounds(clauses, field)
    if bounds is None:
        return None
    low, high, low_inclusive, high_inclusive = bounds
    return sales_timeline(account).between(
        low, high, low_inclusive=low_inclusive, high_inclusive=high_inclusive
    )


def _paging(request: HttpRequest, default: int, maximum: int) -> tuple[int, int] | None:
    top = int_param(request.GET.get("$top"), default, 0, maximum)
    skip = int_param(request.GET.get("$skip"), 0, 0)
    return None if top is None or skip is None else (top, skip)


@cova_api("entitymanager")
def locations(request: HttpRequest, account: SandboxAccount) -> HttpResponse:
    """GET entitymanager/v1/Companies({id})/Locations."""
    return json_response([payloads.location(account, n) for n in range(account.locations)])


@cova_api("pointofsale")
def completed_orders(request: HttpRequest, account: SandboxAccount, location: str) -> HttpResponse:
    """GET pointofsale/Companies({id})/Locations({locationId})/CompletedOrders."""
    number = payloads.location_number(account, location)
    if number is None:
        return cova_error(404, f"Location '{location}' was not found.")
    clauses = _clauses(request.GET.get("$filter", ""))
    indices = _range(account, clauses, "created")
    if indices is None:
        return cova_error(
            400,
            "A date range is required: $filter=Created ge datetimeoffset'<start>' and "
            "Created le datetimeoffset'<end>'.",
        )
    paging = _paging(request, 100, MAX_ORDERS_TOP)
    if paging is None:
        return cova_error(400, "The query parameter '$top' or '$skip' is not valid.")
    top, skip = paging
    at_location = LocationSales(account, number, indices)
    wanted = {name: value.lower() for name, op, value in clauses if op == "eq"}
    if wanted.keys() - {"fulfillmentmethod", "source"}:
        return cova_error(400, "Only FulfillmentMethod and Source can be filtered with 'eq'.")
    if wanted:
        rows = [payloads.completed_order(account, sale(account, i)) for i in at_location]
        rows = [row for row in rows if _matches(row, wanted)]
        return json_response(rows[skip : skip + top])
    page = at_location.slice(skip, top)
    return json_response([payloads.completed_order(account, sale(account, i)) for i in page])


def _matches(row: dict[str, Any], wanted: dict[str, str]) -> bool:
    method = str(row.get("FulfillmentMethod", "")).lower()
    source = str(row.get("Source", "")).lower()
    return (
        wanted.get("fulfillmentmethod", method) == method and wanted.get("source", source) == source
    )


@cova_api("pointofsale")
def sale_detail(request: HttpRequest, account: SandboxAccount, sale_id: str) -> HttpResponse:
    """GET pointofsale/Companies({id})/Sales({salesOrderId})."""
    index = ids.guid_index(account.key, "sale", sale_id)
    if index is None or index >= account.sales:
        return cova_error(404, f"Sale '{sale_id}' was not found.")
    return json_response(payloads.sale_detail(account, sale(account, index), catalog(account)))


_DATE_RANGE_REQUIRED = (
    "DateRange is required: DateRange=Date ge datetime'<start>' and Date le datetime'<end>'."
)


@cova_api("posreports")
def by_invoice(request: HttpRequest, account: SandboxAccount, entity: str) -> HttpResponse:
    """GET posreports/v1/Companies({id})/Entities({locationId})/ByInvoiceWithProducts."""
    number = payloads.location_number(account, entity)
    if number is None:
        return cova_error(404, f"Entity '{entity}' was not found.")
    indices = _range(account, _clauses(request.GET.get("DateRange", "")), "date")
    if indices is None:
        return cova_error(400, _DATE_RANGE_REQUIRED)
    paging = _paging(request, 1000, MAX_REPORT_TOP)
    if paging is None:
        return cova_error(400, "The query parameter '$top' or '$skip' is not valid.")
    top, skip = paging
    products = catalog(account)
    low, high, low_inclusive, high_inclusive = _bounds(  # type: ignore[misc]
        _clauses(request.GET.get("DateRange", "")), "date"
    )
    # Sales rung up at a simulated register follow the generated history (checkouts.py).
    rung = checkouts(
        account,
        low,
        high,
        low_inclusive=low_inclusive,
        high_inclusive=high_inclusive,
        location=number,
    )
    listing = records.Listing(
        generated=LocationSales(account, number, indices),
        render=lambda i: payloads.invoice(account, sale(account, i), products),
        tail=[payloads.invoice(account, current, products) for current in rung],
    )
    return json_response([payload for _index, payload in listing.page(skip, top)])


@cova_api("posreports")
def by_product(request: HttpRequest, account: SandboxAccount) -> HttpResponse:
    """GET posreports/v1/Companies({id})/ByProductByCustomerByInvoice: one row per line."""
    indices = _range(account, _clauses(request.GET.get("DateRange", "")), "date")
    if indices is None:
        return cova_error(400, _DATE_RANGE_REQUIRED)
    paging = _paging(request, 1000, MAX_REPORT_TOP)
    if paging is None:
        return cova_error(400, "The query parameter '$top' or '$skip' is not valid.")
    top, skip = paging
    products = catalog(account)
    rows: list[dict[str, Any]] = []
    position = 0
    # Lines per invoice vary, so the rows before $skip are counted, not built.
    for index in indices:
        current = sale(account, index)
        if position + len(current.lines) <= skip:
            position += len(current.lines)
            continue
        for number, line in enumerate(current.lines):
            if position >= skip:
                rows.append(_product_row(account, current, number, line, products))
            position += 1
        if len(rows) >= top:
            break
    return json_response(rows[:top])


def _product_row(
    account: SandboxAccount, current: Any, number: int, line: Any, products: Any
) -> dict[str, Any]:
    product = products[line.product_index]
    shopper = person(account, current.customer) if current.customer is not None else None
    return {
        "Id": ids.guid(account.key, "invoice-line", current.index * 8 + number),
        "CompanyId": payloads.company_id(account),
        "LocationId": payloads.location_ids(account)[current.location],
        "InvoiceId": payloads.sale_id(account, current.index),
        "CustomerName": shopper.full_name if shopper else None,
        "MobileNumber": shopper.phone if shopper else None,
        "BillingStreetAddress": shopper.line1 if shopper else None,
        "BillingCity": shopper.city if shopper else None,
        "BillingState": shopper.state if shopper else None,
        "BillingZip": shopper.postal_code if shopper else None,
        "BillingCountry": shopper.country if shopper else None,
        "Sku": product.sku,
        "ProductName": product.name,
        "ItemsSold": line.quantity,
        "CategoryName": product.category,
        "SoldAtPrice": money(line.unit_price_cents),
        "InvoiceDateTimeUtc": iso_z(current.created_ms),
    }


@cova_api("iqloyalty")
def loyalty_summary(
    request: HttpRequest, account: SandboxAccount, entity: str, customer_id: str
) -> HttpResponse:
    """GET iqloyalty/v1/Companies({id})/Entities({locationId})/customers({customerId})/summary."""
    if payloads.location_number(account, entity) is None:
        return cova_error(404, f"Entity '{entity}' was not found.")
    found = lookup(account, customer_id)
    if found is None:
        return cova_error(404, f"Customer with Id '{customer_id}' was not found.")
    index, _payload = found
    points = points_of(account, index)
    return json_response({"PointsBalance": points, "LifetimePointsBalance": points})


@cova_api("iqloyalty")
def rewards(request: HttpRequest, account: SandboxAccount, entity: str) -> HttpResponse:
    """GET iqloyalty/v1/Companies({id})/Entities({locationId})/Rewards."""
    if payloads.location_number(account, entity) is None:
        return cova_error(404, f"Entity '{entity}' was not found.")
    stamp = iso_z(int(now() * 1000) // 86_400_000 * 86_400_000)
    return json_response(
        [
            {
                "Id": number + 1,
                "Name": name,
                "PointsRequired": points,
                "Type": kind,
                "Value": value,
                "DiscountId": ids.guid(account.key, "discount", number),
                "LastModifiedUtc": stamp,
                "LastModifiedUserName": words.EMPLOYEES[0],
            }
            for number, (name, points, kind, value) in enumerate(words.REWARDS)
        ]
    )


@cova_api("iqloyalty")
def loyalty_invoice(
    request: HttpRequest, account: SandboxAccount, entity: str, invoice_id: str
) -> HttpResponse:
    """GET iqloyalty/v1/Companies({id})/Entities({locationId})/Invoices({invoiceId})."""
    if payloads.location_number(account, entity) is None:
        return cova_error(404, f"Entity '{entity}' was not found.")
    index = ids.guid_index(account.key, "sale", invoice_id)
    if index is None or index >= account.sales:
        return cova_error(404, f"Invoice '{invoice_id}' was not found.")
    current = sale(account, index)
    balance = points_of(account, current.customer)
    return json_response(
        {
            "InvoiceId": payloads.sale_id(account, index),
            "PointsEarned": current.points_earned,
            "PointsBalance": balance,
        }
    )
