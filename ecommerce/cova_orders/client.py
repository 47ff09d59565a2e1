"""The Cova calls of an e-commerce order, over the Cova provider's authenticated client
(its token cache, pacing, one re-grant on 401 and the HTTP seam's retries).

Every function takes a ``CovaProvider`` (``ecommerce.cova_client.provider_for(settings)``)
and plain values (``values``); every failure leaves as ``CovaOrderRetryable`` or
``CovaOrderRejected`` (``errors``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import requests
from django.core.cache import cache

from aiq.http import json_body, url_path
from ecommerce.cova_orders import assumptions as a
from ecommerce.cova_orders.errors import (
    CovaOrderError,
    CovaOrderMissing,
    CovaOrderRejected,
    CovaOrderRetryable,
)
from ecommerce.cova_orders.values import (
    Address,
    CustomerLink,
    Fulfillment,
    OrderToPush,
    PushResult,
    Shopper,
    StatusReading,
    TaxPricing,
)
from integrations.providers.convert import digits
from integrations.providers.cova.provider import CovaProvider
from integrations.providers.errors import NotFound, ProviderError
from integrations.providers.values import Customer, CustomerDraft

CENT = Decimal("0.01")


class _AlreadyExists(ProviderError):
    """Cova already holds this GUID: the push had happened before."""

    code = "cova-order-exists"
    permanent = True


@contextmanager
def _order_errors(what: str) -> Iterator[None]:
    """Any provider error as one of the two order errors (transient or not)."""
    try:
        yield
    except CovaOrderError:
        raise
    except ProviderError as error:
        kind = CovaOrderRejected if error.permanent else CovaOrderRetryable
        raise kind(
            f"{what}: {error}",
            user_message=error.user_message,
            method=error.method,
            path=error.path,
            status=error.status,
        ) from error


def cova_message(response: requests.Response) -> str:
    """Cova's reason in an error body, in its own words (first of ERROR_MESSAGE_KEYS)."""
    body = json_body(response)
    if isinstance(body, Mapping):
        for key in a.ERROR_MESSAGE_KEYS:
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def _classify_push_error(response: requests.Response) -> ProviderError | None:
    status = response.status_code
    where: dict[str, Any] = {
        "method": response.request.method if response.request else "PUT",
        "path": url_path(response.url or "/"),
        "status": status,
    }
    message = cova_message(response)
    lowered = message.lower()
    if status in a.ALREADY_EXISTS_STATUSES and any(p in lowered for p in a.ALREADY_EXISTS_PHRASES):
        return _AlreadyExists("the order is already at Cova", **where)
    if 400 <= status < 500 and status not in (401, 403, 429):
        return CovaOrderRejected("order refused", order_message=message, **where)
    return None


# Tax pricing ------------------------------------------------------------------------------


def _cache_key(provider: CovaProvider, company_id: str, location_id: str) -> str:
    host = hashlib.blake2b(provider.base_urls["api"].encode(), digest_size=8).hexdigest()
    return f"cova-orders:tax-pricing:{host}:{company_id}:{location_id}"


def _pricing_of(entry: Mapping[str, Any]) -> TaxPricing | None:
    for key in a.TAX_INCLUSIVE_FLAG_KEYS:
        if isinstance(entry.get(key), bool):
            return TaxPricing.TAX_INCLUSIVE if entry[key] else TaxPricing.TAX_EXCLUSIVE
    for key in a.TAX_TYPE_KEYS:
        text = str(entry.get(key) or "").lower().replace("-", "").replace(" ", "")
        if "exclusive" in text or text == "tep":
            return TaxPricing.TAX_EXCLUSIVE
        if "inclusive" in text or text == "tip":
            return TaxPricing.TAX_INCLUSIVE
    return None


def parse_tax_pricing(body: Any, location_id: str) -> TaxPricing:
    """The location's pricing from a TaxPricingConfiguration answer (shape: assumptions)."""
    entries = body if isinstance(body, list) else [body]
    company_wide: TaxPricing | None = None
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        entity = next((entry[k] for k in a.TAX_LOCATION_KEYS if entry.get(k) is not None), None)
        pricing = _pricing_of(entry)
        if entity is None:
            company_wide = company_wide or pricing
        elif str(entity) == str(location_id) and pricing is not None:
            return pricing
    if company_wide is not None:
        return company_wide
    raise CovaOrderRejected(
        "no tax pricing for the location",
        user_message=(
            f"Cova's tax pricing configuration does not say whether location {location_id} "
            "prices with or without tax. Check the Location ID in the COVA settings."
        ),
    )


def tax_pricing(provider: CovaProvider, location_id: str, *, refresh: bool = False) -> TaxPricing:
    """The location's TIP/TEP configuration, read once and kept for TAX_PRICING_TTL."""
    with _order_errors("tax pricing"):
        company_id = provider.client.company_id()
        key = _cache_key(provider, company_id, str(location_id))
        if not refresh:
            kept = cache.get(key)
            if kept in TaxPricing._value2member_map_:
                return TaxPricing(kept)
        body = provider.client.call("GET", "api", provider.client.path(a.TAX_PRICING_PATH))
    pricing = parse_tax_pricing(body, str(location_id))
    cache.set(key, pricing.value, int(a.TAX_PRICING_TTL.total_seconds()))
    return pricing


# Customers --------------------------------------------------------------------------------


def _norm(value: str | None) -> str:
    return " ".join((value or "").split()).lower()


def address_differs(customer: Customer, address: Address) -> bool:
    """Whether the customer's (default) address is not ``address`` (see assumptions)."""
    pairs = (
        (customer.line1, address.line1),
        (customer.line2, address.line2),
        (customer.city, address.city),
        (customer.state, address.state),
        (customer.postal_code, address.postal_code),
    )
    return any(_norm(have) != _norm(want) for have, want in pairs)


def _address_draft(address: Address) -> dict[str, str]:
    return {
        "line1": address.line1,
        # An empty line 2 overwrites an old one instead of keeping it.
        "line2": address.line2 or "",
        "city": address.city,
        "state": address.state,
        "postal_code": address.postal_code,
        "country": address.country,
    }


def _latest(customers: list[Customer]) -> Customer:
    floor = datetime.min.replace(tzinfo=UTC)
    return max(customers, key=lambda c: c.updated_at or c.created_at or floor)


def link_customer(
    provider: CovaProvider, shopper: Shopper, delivery_address: Address | None = None
) -> CustomerLink:
    """Seed 002's FAQ: the Cova customer with the shopper's phone, created when none has it;
    with ``delivery_address``, written onto the customer when it has none or another."""
    phone = digits(shopper.phone)
    if not phone:
        raise CovaOrderRejected(
            "no phone number",
            user_message="Cova finds the customer by phone number: the order has none.",
        )
    with _order_errors("customer"):
        found = provider.find_customers(phone=phone)
        if not found:
            draft = CustomerDraft(
                first_name=shopper.first_name,
                last_name=shopper.last_name,
                phone=phone,
                email=shopper.email or None,
                birth_date=shopper.birth_date,
                **(_address_draft(delivery_address) if delivery_address else {}),
            )
            created = provider.create_customer(draft)
            return CustomerLink(
                created.external_id, created=True, address_written=bool(draft.line1)
            )
        customer = _latest(found)
        if delivery_address is None or not address_differs(customer, delivery_address):
            return CustomerLink(customer.external_id)
        provider.update_customer(
            customer.external_id, CustomerDraft(**_address_draft(delivery_address))
        )
        return CustomerLink(customer.external_id, address_written=True)


# Pushing the order ------------------------------------------------------------------------


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _quantity(value: Decimal) -> str:
    return format(value.normalize(), "f")


def order_lines(order: OrderToPush, pricing: TaxPricing) -> list[dict[str, Any]]:
    """The Lines[] of the body, priced for the location (see assumptions)."""
    lines = []
    for number, line in enumerate(order.lines, start=1):
        price = line.unit_price
        if pricing == TaxPricing.TAX_INCLUSIVE:
            price += line.unit_tax
        body: dict[str, Any] = {
            a.LINE_NUMBER_KEY: number,
            a.LINE_PRODUCT_KEY: line.product_id,
            a.LINE_QUANTITY_KEY: _quantity(line.quantity),
            a.LINE_PRICE_KEY: _money(price),
        }
        if line.catalog_item_id:
            body[a.LINE_CATALOG_KEY] = line.catalog_item_id
        lines.append(body)
    return lines


def order_body(
    order: OrderToPush,
    *,
    company_id: str,
    integrator_id: str,
    customer_id: str | None,
    pricing: TaxPricing,
) -> dict[str, Any]:
    """The CovaSalesOrderWithLines body: our GUID as ``Id``, as in the URL."""
    return {
        "Id": str(order.order_id),
        "CompanyId": int(company_id) if company_id.isdigit() else company_id,
        "EntityId": int(order.location_id) if order.location_id.isdigit() else order.location_id,
        "OrderReference": order.shopper.full_name,
        "CustomerId": customer_id,
        "IntegratorId": integrator_id,
        "IsDelivery": order.fulfillment == Fulfillment.DELIVERY,
        "ExternalOrderId": order.external_order_id or str(order.order_id),
        "Notes": order.notes,
        "TimeSlotDisplayString": order.time_slot,
        "Lines": order_lines(order, pricing),
    }


def push_order(
    provider: CovaProvider,
    order: OrderToPush,
    *,
    integrator_id: str,
    customer_id: str | None = None,
    pricing: TaxPricing | None = None,
) -> PushResult:
    """PUT the order once, to TIPCovaOrder or TEPCovaOrder by the location's pricing.

    Idempotent: the GUID is ``order.order_id``; Cova answering that it already has it is
    success (``created=False``). The HTTP seam retries 5xx/429/timeouts within its budget
    (a PUT is safe to repeat); what is left raises ``CovaOrderRetryable``, a refusal
    ``CovaOrderRejected`` carrying Cova's message.
    """
    pricing = pricing or tax_pricing(provider, order.location_id)
    template = a.TIP_ORDER_PATH if pricing == TaxPricing.TAX_INCLUSIVE else a.TEP_ORDER_PATH
    created = True
    with _order_errors("order"):
        body = order_body(
            order,
            company_id=provider.client.company_id(),
            integrator_id=integrator_id,
            customer_id=customer_id,
            pricing=pricing,
        )
        try:
            provider.client.call(
                "PUT",
                "api",
                template.format(order_id=order.order_id),
                json=body,
                idempotent=True,
                classify=_classify_push_error,
            )
        except _AlreadyExists:
            created = False
    return PushResult(
        order_id=order.order_id,
        tax_pricing=pricing,
        customer=None,
        created=created,
        sent_lines=tuple(body["Lines"]),
    )


def send_order(provider: CovaProvider, order: OrderToPush, *, integrator_id: str) -> PushResult:
    """What a confirmed order needs at Cova, in order: the location's tax pricing, the
    customer (found by phone, created, address written for delivery), then the push."""
    pricing = tax_pricing(provider, order.location_id)
    address = order.delivery_address if order.fulfillment == Fulfillment.DELIVERY else None
    link = link_customer(provider, order.shopper, address)
    result = push_order(
        provider, order, integrator_id=integrator_id, customer_id=link.customer_id, pricing=pricing
    )
    return PushResult(
        order_id=result.order_id,
        tax_pricing=pricing,
        customer=link,
        created=result.created,
        sent_lines=result.sent_lines,
    )


# Status -----------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def status_from(body: Any, order_id: str) -> StatusReading:
    """A status answer mapped onto ours; failures 1 and 2 raise (see assumptions)."""
    if not isinstance(body, Mapping) or not isinstance(body.get("OrderStatus"), int):
        raise CovaOrderRetryable("the status answer has no OrderStatus number")
    number = body["OrderStatus"]
    message = str(body.get("OrderMessage") or "").strip()
    if number == a.TRANSIENT_FAILURE:
        raise CovaOrderRetryable("transient processing failure", order_message=message)
    if number == a.NON_TRANSIENT_FAILURE:
        raise CovaOrderRejected("non-transient processing failure", order_message=message)
    fulfillment_status = body.get("OrderFulfillmentStatus")
    ours = a.STATUS_MAP.get(number)
    if number == a.READY_FOR_PAYMENT and fulfillment_status == a.FULFILLMENT_READY_FOR_PICKUP:
        ours = a.READY_FOR_PICKUP
    return StatusReading(
        order_id=str(body.get("OrderId") or order_id),
        cova_status=number,
        status=ours,
        message=message,
        fulfillment_method=body.get("OrderFulfillmentMethod"),
        fulfillment_status=fulfillment_status,
        sale_total=_decimal(body.get("SaleTotal")),
    )


def _classify_cancel_error(response: requests.Response) -> ProviderError | None:
    status = response.status_code
    message = cova_message(response)
    where: dict[str, Any] = {
        "method": a.CANCEL_ORDER_METHOD,
        "path": url_path(response.url or "/"),
        "status": status,
    }
    if status == 404:
        return CovaOrderMissing(
            "no such order at Cova to cancel",
            order_message=message,
            user_message=(
                "Cova did not cancel the order: it has no order with this id"
                + (f" ({message})" if message else "")
                + "."
            ),
            **where,
        )
    if 400 <= status < 500 and status not in (401, 403, 429):
        return CovaOrderRejected(
            "cancellation refused",
            order_message=message,
            user_message=f"Cova refused the cancellation: {message or f'HTTP {status}'}",
            **where,
        )
    return None


def cancel_order(provider: CovaProvider, order_id: str) -> None:
    """Cancel the order at Cova (path and method: ``assumptions.CANCEL_ORDER_PATH``).

    Safe to repeat: cancelling twice leaves one cancelled order, so the HTTP seam may
    retry 5xx/429/timeouts; what is left raises ``CovaOrderRetryable``, a refusal
    ``CovaOrderRejected`` (``CovaOrderMissing`` for a 404) in Cova's words.
    """
    with _order_errors("cancel"):
        provider.client.call(
            a.CANCEL_ORDER_METHOD,
            "api",
            provider.client.path(a.CANCEL_ORDER_PATH, order_id=order_id),
            idempotent=True,
            classify=_classify_cancel_error,
        )


def read_status(provider: CovaProvider, order_id: str) -> StatusReading:
    """GET the order's status at Cova, mapped onto ours (``StatusReading.status``)."""
    with _order_errors("order status"):
        path = provider.client.path(a.STATUS_PATH, order_id=order_id)
        try:
            body = provider.client.call("GET", "api", path)
        except NotFound as error:
            raise CovaOrderMissing(
                "no such order at Cova", method="GET", path=error.path, status=404
            ) from error
    return status_from(body, str(order_id))
