"""Clover payloads <-> our values. Pure functions: no HTTP, no database.

Clover money is integer cents and its times are epoch milliseconds; both are converted
here (cents -> Decimal units, ms -> aware UTC datetimes).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from integrations.providers import convert as c
from integrations.providers.clover import assumptions as a
from integrations.providers.values import (
    Customer,
    CustomerDraft,
    Location,
    Payment,
    Product,
    Sale,
    SaleLine,
)


def _first(value: Any) -> Mapping[str, Any]:
    items = c.elements(value)
    return items[0] if items else {}


def location_from(raw: Mapping[str, Any]) -> Location:
    """A merchant (one store)."""
    key = c.identifier(raw.get("id"), "merchant id")
    address = raw.get("address") or {}
    return Location(
        key=key,
        name=c.text(raw.get("name")) or key,
        line1=c.text(address.get("address1")),
        city=c.text(address.get("city")),
        state=c.text(address.get("state")),
        postal_code=c.text(address.get("zip")),
        country=c.text(address.get("country")),
        time_zone=c.text(raw.get("timezone")),
    )


def _birth_date(metadata: Mapping[str, Any]) -> date | None:
    year, month, day = (metadata.get(field) for field in a.DOB_FIELDS)
    if not (year and month and day):
        return None
    return date(int(year), int(month), int(day))


def customer_from(raw: Mapping[str, Any], merchant_id: str | None = None) -> Customer:
    """A customer fetched with expand=phoneNumbers,emailAddresses,addresses,metadata."""
    address = _first(raw.get("addresses"))
    marketing = raw.get("marketingAllowed")
    return Customer(
        external_id=c.identifier(raw.get("id"), "customer id"),
        first_name=c.text(raw.get("firstName")) or "",
        last_name=c.text(raw.get("lastName")) or "",
        email=c.email(_first(raw.get("emailAddresses")).get(a.EMAIL_FIELD)),
        phone=c.digits(_first(raw.get("phoneNumbers")).get(a.PHONE_FIELD)),
        birth_date=_birth_date(raw.get("metadata") or {}),
        line1=c.text(address.get("address1")),
        line2=c.text(address.get("address2")),
        city=c.text(address.get("city")),
        state=c.text(address.get("state")),
        postal_code=c.text(address.get("zip")),
        country=c.text(address.get("country")),
        loyalty_member=None,
        marketing_opt_in=marketing if isinstance(marketing, bool) else None,
        created_at=None
        if raw.get("customerSince") is None
        else c.epoch_ms(raw["customerSince"], "customerSince"),
        updated_at=None,
        raw_location_key=merchant_id,
    )


def _line_from(raw: Mapping[str, Any]) -> SaleLine:
    unit_price = c.cents(raw.get("price"), "line price")
    unit_qty = raw.get("unitQty")
    quantity = Decimal(1) if unit_qty is None else c.decimal(unit_qty, "unitQty") / a.UNIT_QTY_SCALE
    discount = abs(
        sum(
            (
                c.cents_or_zero(d.get("amount"), "line discount")
                for d in c.elements(raw.get("discounts"))
            ),
            Decimal("0.00"),
        )
    )
    item = raw.get("item") or {}
    return SaleLine(
        external_id=c.identifier(raw.get("id"), "line item id"),
        product_external_id=c.text(item.get("id")),
        sku=c.text(raw.get("itemCode")),
        name=c.text(raw.get("name")) or "",
        quantity=quantity,
        unit_price=unit_price,
        discount=discount,
        total=c.money(unit_price * quantity) - discount,
        # No brand: Clover line items do not carry one (assumptions.py).
    )


def _fulfillment(raw: Mapping[str, Any]) -> str:
    order_type = raw.get("orderType") or {}
    words = str(order_type.get("label") or "").lower()
    if any(word in words for word in a.DELIVERY_WORDS):
        return "delivery"
    if any(word in words for word in a.PICKUP_WORDS):
        return "pickup"
    return "in_store"


def is_sale(raw: Mapping[str, Any]) -> bool:
    """Whether an order is a sale (not a cart still open)."""
    return str(raw.get("state") or "").lower() not in a.SKIPPED_ORDER_STATES


def sale_from(raw: Mapping[str, Any], merchant_id: str) -> Sale:
    """An order fetched with expand=lineItems,payments,customers,discounts."""
    lines = tuple(_line_from(line) for line in c.elements(raw.get("lineItems")))
    subtotal = sum((line.total for line in lines), Decimal("0.00"))
    order_discount = Decimal("0.00")
    for discount in c.elements(raw.get("discounts")):
        if discount.get("amount") is not None:
            order_discount += abs(c.cents(discount["amount"], "order discount"))
        elif discount.get("percentage") is not None:
            order_discount += c.money(subtotal * c.decimal(discount["percentage"]) / 100)
    payments = c.elements(raw.get("payments"))
    tax = sum((c.cents_or_zero(p.get("taxAmount"), "tax") for p in payments), Decimal("0.00"))
    total = c.cents(raw.get("total"), "order total")
    customer = _first(raw.get("customers"))
    return Sale(
        external_id=c.identifier(raw.get("id"), "order id"),
        location_key=merchant_id,
        customer_external_id=c.text(customer.get("id")),
        occurred_at=c.epoch_ms(
            raw.get("createdTime") or raw.get("clientCreatedTime"), "createdTime"
        ),
        updated_at=None if raw.get("modifiedTime") is None else c.epoch_ms(raw["modifiedTime"]),
        subtotal=subtotal,
        tax=tax,
        discount=order_discount + sum((line.discount for line in lines), Decimal("0.00")),
        total=total,
        currency=c.text(raw.get("currency")) or "USD",
        is_refund=total < 0 or raw.get("paymentState") in a.REFUNDED_PAYMENT_STATES,
        fulfillment=_fulfillment(raw),  # type: ignore[arg-type]
        lines=lines,
        payments=tuple(
            Payment(
                method=c.text((p.get("tender") or {}).get("label")) or "",
                amount=c.cents(p.get("amount"), "payment amount"),
            )
            for p in payments
        ),
        receipt_number=None,
    )


def carries_stock(raw: Any) -> bool:
    """Whether an item read with expand=itemStock has a stock quantity (Track Stock on)."""
    stock = raw.get("itemStock") if isinstance(raw, Mapping) else None
    return isinstance(stock, Mapping) and (
        stock.get("quantity") is not None or stock.get("stockCount") is not None
    )


def track_stock_off(items: list[Any]) -> bool:
    """Items, none with a stock quantity: the merchant does not track stock (assumptions)."""
    return bool(items) and not any(carries_stock(item) for item in items)


def product_from(raw: Mapping[str, Any], merchant_id: str) -> Product:
    """An item fetched with expand=itemStock,categories."""
    stock = raw.get("itemStock") or {}
    quantity = stock.get("quantity")
    if quantity is None:
        quantity = stock.get("stockCount", raw.get("stockCount"))
    category = _first(raw.get("categories"))
    return Product(
        external_id=c.identifier(raw.get("id"), "item id"),
        name=c.text(raw.get("name")) or "",
        sku=c.text(raw.get("sku")) or c.text(raw.get("code")),
        category=c.text(category.get("name")),
        price=c.cents(raw.get("price"), "item price"),
        sale_price=None,
        quantity_on_hand=c.decimal_or_zero(quantity, "stock"),
        location_key=merchant_id,
        specifications={},
    )


def customer_body(draft: CustomerDraft) -> dict[str, Any]:
    """A Clover customer body with only the fields the draft sets."""
    body: dict[str, Any] = {}
    if draft.first_name is not None:
        body["firstName"] = draft.first_name
    if draft.last_name is not None:
        body["lastName"] = draft.last_name[:64]  # Clover caps lastName at 64 characters
    if draft.marketing_opt_in is not None:
        body["marketingAllowed"] = draft.marketing_opt_in
    if draft.phone:
        body["phoneNumbers"] = [{a.PHONE_FIELD: c.digits(draft.phone)}]
    if draft.email:
        body["emailAddresses"] = [{a.EMAIL_FIELD: draft.email}]
    address = {
        "address1": draft.line1,
        "address2": draft.line2,
        "city": draft.city,
        "state": draft.state,
        "zip": draft.postal_code,
        "country": draft.country,
    }
    if any(value is not None for value in address.values()):
        body["addresses"] = [{k: v for k, v in address.items() if v is not None}]
    if draft.birth_date:
        year, month, day = a.DOB_FIELDS
        body["metadata"] = {
            year: draft.birth_date.year,
            month: draft.birth_date.month,
            day: draft.birth_date.day,
        }
    return body
