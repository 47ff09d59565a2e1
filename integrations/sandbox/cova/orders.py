"""Cova order intake (base ``/covaorderintake``) and tax pricing (base ``/taxes``).

- ``GET taxes/v1/Companies({id})/TaxPricingConfiguration``: one entry per location,
  ``{"EntityId", "IsTaxInclusive", "TaxPricingType"}`` (the shape is our inference: Cova
  documents no response). The account's third location is tax-inclusive (TIP), the
  others tax-exclusive (TEP), so both kinds can be tried.
- ``PUT covaorderintake/v1/TIPCovaOrder({orderId})`` / ``TEPCovaOrder({orderId})``: the
  integrator's GUID must be in the URL and, the same, in the body's ``Id``; the
  ``IntegratorId`` must be the sandbox's (``COVA_SANDBOX_INTEGRATOR_ID``), else Cova's
  "The integrator id is not valid" text; the endpoint must match the location's pricing.
  Accepted: 202. The same GUID again: 409 "already exists" (nothing is created), except
  after a transient failure, when Cova asks for the order again.
- ``GET covaorderintake/v2/Companies({id})/CovaOrder({orderId})/Status``: each poll moves
  the order one step along 0 -> 3 -> 4 -> 8 (SubmittedForProcessing, SubmittedForFinal-
  Processing, ReadyForPayment, Completed). ``fault=order-transient`` holds it at 1,
  ``fault=order-rejected`` at 2 with an ``OrderMessage`` (as does a line whose product
  the catalog does not have), ``fault=order-cancelled`` goes 0 -> 7; ``cancel_order``
  (``manage.py cova_sandbox_order --cancel``) cancels it as staff at the store would.
- ``DELETE pointofsale/Companies({id})/CovaOrder({orderId})``: the integrator cancels the
  order (the path is our inference: ecommerce/cova_orders/assumptions.py). 200 and the next
  poll says 7; again on a cancelled order, 200 too; a completed one, 400 in Cova's words;
  an unknown one, 404.

Orders are ``SandboxRecord``s of kind ``cova_order``; writes need issued credentials.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest, HttpResponse

from integrations.sandbox import records
from integrations.sandbox.cova import payloads
from integrations.sandbox.cova.auth import DENIED, cova_api, cova_error
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.timeline import iso_z, now
from integrations.sandbox.web import json_response, read_json
from integrations.sandbox_credentials import COVA_SANDBOX_INTEGRATOR_ID

KIND = "cova_order"
TAX_INCLUSIVE_LOCATION = 2  # the account's third location prices with tax included
TEP_TAX_RATE = Decimal("0.10")  # what a tax-exclusive location adds on top
PROGRESSION = (0, 3, 4, 8)
CANCELLED_PROGRESSION = (0, 7)
TRANSIENT, REJECTED, CANCELLED, COMPLETED, READY_FOR_PAYMENT = 1, 2, 7, 8, 4
CENT = Decimal("0.01")
INVALID_INTEGRATOR = "The integrator id is not valid, please provide a valid one."
TRANSIENT_MESSAGE = "A temporary error occurred while processing the order. Submit it again."
Payload = dict[str, Any]


def is_tax_inclusive(number: int) -> bool:
    return number == TAX_INCLUSIVE_LOCATION


@cova_api("taxes")
def tax_pricing_configuration(request: HttpRequest, account: SandboxAccount) -> HttpResponse:
    """GET taxes/v1/Companies({id})/TaxPricingConfiguration."""
    if request.method != "GET":
        return cova_error(405, "The requested resource does not support this method.")
    return json_response(
        [
            {
                "EntityId": location_id,
                "IsTaxInclusive": is_tax_inclusive(number),
                "TaxPricingType": "TaxInclusive" if is_tax_inclusive(number) else "TaxExclusive",
            }
            for number, location_id in enumerate(payloads.location_ids(account))
        ]
    )


def _guid(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except (TypeError, ValueError):
        return None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _lines(body: Payload) -> tuple[list[Payload], str | None]:
    """(clean lines, the first problem in plain words or None)."""
    raw = body.get("Lines")
    if not isinstance(raw, list) or not raw:
        return [], "The order has no Lines."
    clean = []
    for number, line in enumerate(raw, start=1):
        if not isinstance(line, dict) or not str(line.get("ProductId") or "").strip():
            return [], f"Line {number} has no ProductId."
        quantity = _decimal(line.get("Quantity"))
        price = _decimal(line.get("Price"))
        if quantity is None or quantity <= 0:
            return [], f"Line {number}: Quantity must be a positive number."
        if price is None or price < 0:
            return [], f"Line {number}: Price must be a number, zero or more."
        clean.append({**line, "Quantity": str(quantity), "Price": str(price)})
    return clean, None


def _unknown_product(account: SandboxAccount, lines: list[Payload]) -> str | None:
    # Decoded, not looked up in a list: a ``products=N`` menu may be a million products.
    return next(
        (
            str(line["ProductId"])
            for line in lines
            if payloads.product_index(account, line["ProductId"]) is None
        ),
        None,
    )


def _fate(account: SandboxAccount, lines: list[Payload], location: str) -> tuple[list[int], str]:
    """(the statuses successive polls show, the OrderMessage) of a new order."""
    if account.has("order-transient"):
        return [TRANSIENT], TRANSIENT_MESSAGE
    unknown = _unknown_product(account, lines)
    if account.has("order-rejected") or unknown:
        product = unknown or lines[0]["ProductId"]
        return [REJECTED], f"Product '{product}' is not available for sale at {location}."
    if account.has("order-cancelled"):
        return list(CANCELLED_PROGRESSION), ""
    return list(PROGRESSION), ""


def _total(lines: list[Payload], inclusive: bool) -> Decimal:
    subtotal = sum(
        (Decimal(line["Price"]) * Decimal(line["Quantity"]) for line in lines), Decimal(0)
    )
    if not inclusive:
        subtotal += subtotal * TEP_TAX_RATE
    return subtotal.quantize(CENT, rounding=ROUND_HALF_UP)


@cova_api("covaorderintake", writes=True, company_in_url=False)
def tip_order(request: HttpRequest, account: SandboxAccount, order_id: str) -> HttpResponse:
    """PUT covaorderintake/v1/TIPCovaOrder({orderId})."""
    return _intake(request, account, order_id, inclusive=True)


@cova_api("covaorderintake", writes=True, company_in_url=False)
def tep_order(request: HttpRequest, account: SandboxAccount, order_id: str) -> HttpResponse:
    """PUT covaorderintake/v1/TEPCovaOrder({orderId})."""
    return _intake(request, account, order_id, inclusive=False)


def _intake(
    request: HttpRequest, account: SandboxAccount, order_id: str, inclusive: bool
) -> HttpResponse:
    if request.method != "PUT":
        return cova_error(405, "The requested resource does not support this method.")
    guid = _guid(order_id)
    if guid is None:
        return cova_error(400, f"The order id '{order_id}' in the URI is not a valid GUID.")
    body = read_json(request)
    if not isinstance(body, dict):
        return cova_error(400, "The request is invalid: a JSON order is required.")
    if _guid(body.get("Id")) != guid:
        return cova_error(400, "The Id in the body does not match the order id in the URI.")
    if str(body.get("CompanyId")) != str(payloads.company_id(account)):
        return cova_error(403, DENIED)
    if _guid(body.get("IntegratorId")) != COVA_SANDBOX_INTEGRATOR_ID:
        return cova_error(400, INVALID_INTEGRATOR)
    number = payloads.location_number(account, str(body.get("EntityId")))
    if number is None:
        return cova_error(400, f"EntityId '{body.get('EntityId')}' is not a location of yours.")
    if is_tax_inclusive(number) != inclusive:
        right = "TIPCovaOrder" if is_tax_inclusive(number) else "TEPCovaOrder"
        return cova_error(400, f"This location's tax pricing needs the order sent to {right}.")
    lines, problem = _lines(body)
    if problem:
        return cova_error(400, problem)
    existing = records.find(account, KIND, guid)
    if existing is not None and current_status(existing.payload) != TRANSIENT:
        message = f"An order with Id '{guid}' already exists."
        return json_response({"Message": message, "OrderMessage": message}, status=409)
    sequence, message = _fate(account, lines, payloads.location_name(account, number))
    order = {
        "Id": guid,
        "CompanyId": payloads.company_id(account),
        "EntityId": payloads.location_ids(account)[number],
        "TaxPricing": "TIP" if inclusive else "TEP",
        "OrderReference": str(body.get("OrderReference") or ""),
        "CustomerId": body.get("CustomerId"),
        "IsDelivery": bool(body.get("IsDelivery")),
        "ExternalOrderId": str(body.get("ExternalOrderId") or ""),
        "Notes": str(body.get("Notes") or ""),
        "TimeSlotDisplayString": str(body.get("TimeSlotDisplayString") or ""),
        "Lines": lines,
        "SaleTotal": str(_total(lines, inclusive)),
        "Sequence": sequence,
        "OrderMessage": message,
        "Polls": 0,
        "Cancelled": False,
        "Submissions": int(existing.payload.get("Submissions", 0)) + 1 if existing else 1,
        "CreatedDateUtc": iso_z(int(now() * 1000)),
    }
    records.save(account, KIND, guid, order)
    return json_response({"Id": guid}, status=202)


def current_status(order: Payload) -> int:
    """The status the last poll showed (SubmittedForProcessing before any)."""
    if order.get("Cancelled"):
        return CANCELLED
    sequence = order.get("Sequence") or list(PROGRESSION)
    return int(sequence[min(max(int(order.get("Polls", 0)) - 1, 0), len(sequence) - 1)])


def status_payload(order: Payload) -> Payload:
    status = current_status(order)
    delivery = bool(order.get("IsDelivery"))
    if status in (READY_FOR_PAYMENT, COMPLETED):
        fulfillment = "InProgress" if delivery else "ReadyForPickup"
    else:
        fulfillment = "OrderPlaced"
    return {
        "CompanyId": order["CompanyId"],
        "OrderId": order["Id"],
        "OrderStatus": status,
        "OrderMessage": order.get("OrderMessage") if status in (TRANSIENT, REJECTED) else "",
        "PaymentStatus": "Paid" if status == COMPLETED else "NotPaid",
        "PaymentMessage": "",
        "SaleTotal": float(Decimal(order["SaleTotal"])) if status >= READY_FOR_PAYMENT else None,
        "OrderFulfillmentMethod": "Delivery" if delivery else "Pickup",
        "OrderFulfillmentStatus": fulfillment,
    }


@cova_api("covaorderintake")
def order_status(request: HttpRequest, account: SandboxAccount, order_id: str) -> HttpResponse:
    """GET covaorderintake/v2/Companies({id})/CovaOrder({orderId})/Status: one step on."""
    if request.method != "GET":
        return cova_error(405, "The requested resource does not support this method.")
    guid = _guid(order_id)
    record = records.find(account, KIND, guid) if guid else None
    if record is None:
        return cova_error(404, "Resource cannot be found")
    order = dict(record.payload)
    if not order.get("Cancelled"):
        order["Polls"] = int(order.get("Polls", 0)) + 1
        records.save(account, KIND, guid, order)
    return json_response(status_payload(order))


PAID_CANNOT_BE_CANCELLED = "Paid orders cannot be modified or cancelled."


@cova_api("pointofsale", writes=True)
def cancel(request: HttpRequest, account: SandboxAccount, order_id: str) -> HttpResponse:
    """DELETE pointofsale/Companies({id})/CovaOrder({orderId}): the integrator cancels."""
    if request.method != "DELETE":
        return cova_error(405, "The requested resource does not support this method.")
    order = find_order(account, order_id)
    if order is None:
        return cova_error(404, "Resource cannot be found")
    if current_status(order) == COMPLETED:
        return json_response(
            {"Message": PAID_CANNOT_BE_CANCELLED, "OrderMessage": PAID_CANNOT_BE_CANCELLED},
            status=400,
        )
    cancelled = cancel_order(account, order_id)
    return json_response({"OrderId": cancelled["Id"], "OrderStatus": CANCELLED})


def find_order(account: SandboxAccount, order_id: str) -> Payload | None:
    guid = _guid(order_id)
    record = records.find(account, KIND, guid) if guid else None
    return dict(record.payload) if record else None


def cancel_order(account: SandboxAccount, order_id: str) -> Payload:
    """Cancel an order as store staff would; the next status poll says 7 (Cancelled).

    Raises ``ValueError`` for an unknown order or one already completed (Cova: "paid
    orders cannot be modified or cancelled").
    """
    order = find_order(account, order_id)
    if order is None:
        raise ValueError(f"the sandbox has no order {order_id}")
    if current_status(order) == COMPLETED:
        raise ValueError("a completed order cannot be cancelled")
    order["Cancelled"] = True
    records.save(account, KIND, order["Id"], order)
    return order
